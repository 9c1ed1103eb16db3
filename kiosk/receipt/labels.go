package receipt

// Languages of a visit, as the kiosk's screens name them.
const (
	Hans = "zh-Hans"
	Hant = "zh-Hant"
	En   = "en"
)

// label is one caption: the Chinese printed on every receipt, and its English for visits in
// English.
//
// The Chinese is Simplified for every visit, zh-Hant included. The receipt is the record of a
// mainland service center that staff at its windows read, and what a printer can draw is its
// font: the printer twin's pinned font (fonts-arphic-gbsn00lp) has GB2312 glyphs only and
// draws Traditional characters as "?", as do the GB2312 fonts of many thermal printers.
// Simplified captions print everywhere, and a Traditional reader reads them. Text the caller
// passes in the visit's language (item name, next steps) is printed as given; see
// Input.ItemNameZh for an item name every font draws.
type label struct{ zh, en string }

var (
	lReceipt    = label{"受理回执", "Application receipt"}
	lSaved      = label{"申请暂存凭条", "Application saved, not yet sent"}
	lItem       = label{"事项", "Item"}
	lApplicant  = label{"申请人", "Applicant"}
	lIDNumber   = label{"证件号码", "ID number"}
	lTracking   = label{"办件编号", "Tracking no."}
	lAppRef     = label{"申请参考号", "Application ref."}
	lSubmitted  = label{"提交时间", "Submitted"}
	lSaved2     = label{"保存时间", "Saved"}
	lPromised   = label{"承诺办结", "Promised by"}
	lSendBy     = label{"最迟提交", "Sent by"}
	lMaterials  = label{"材料", "Materials"}
	lCovered    = label{"免提交", "not needed"}
	lBring      = label{"请携带", "bring"}
	lSource     = label{"来源", "source"}
	lNextSteps  = label{"下一步", "Next steps"}
	lTicket     = label{"排队号", "Queue number"}
	lScan       = label{"扫码查看办理进度", "Scan to follow your application"}
	lScanSaved  = label{"提交后可扫码查看进度", "Scan after it is sent to follow it"}
	lTerminal   = label{"终端", "Terminal"}
	lPending1   = label{"网络暂时不通，申请已加密保存在本机，尚未提交。", "The network is down. Your application is saved on this terminal, encrypted, and has NOT been sent yet."}
	lPending2   = label{"恢复后将自动提交，届时短信告知办件编号。", "It will be sent automatically; the tracking number follows by SMS."}
	lPending3   = label{"如有疑问，请持本凭条到综合窗口。", "Questions: take this slip to the service window."}
	lWindow     = label{"窗口", "Window"}
	lAhead      = label{"前面等候", "Waiting ahead"}
	lPeople     = label{"人", "people"}
	lWait       = label{"预计等待", "Estimated wait"}
	lMinutes    = label{"分钟", "min"}
	lIssued     = label{"取号时间", "Issued"}
	lTicketNote = label{"过号请重新取号，请留意叫号屏。", "If you miss your call, take a new number. Watch the screen."}
)

// in gives the caption for lang: Chinese alone, or Chinese and English for an English visit.
func (l label) in(lang string) string {
	if lang == En && l.en != "" {
		return l.zh + " " + l.en
	}
	return l.zh
}

// lines gives a sentence for lang as separate lines: Chinese, then English for an English visit.
func (l label) lines(lang string) []string {
	if lang == En && l.en != "" {
		return []string{l.zh, l.en}
	}
	return []string{l.zh}
}
