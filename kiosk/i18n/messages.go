package i18n

// messages maps a key to its text in zh-Hans, zh-Hant and en. Keep all three filled: a test
// fails on a missing one. %s/%d are fmt verbs filled by T's args.
var messages = map[string][3]string{
	// attract
	"app.title":        {"滕州市政务服务中心 · 自助服务", "滕州市政務服務中心 · 自助服務", "Tengzhou Government Service Center · Self-service"},
	"attract.headline": {"高效办成一件事", "高效辦成一件事", "Get one thing done, efficiently"},
	"attract.card":     {"请将身份证放在感应区", "請將身分證放在感應區", "Place your ID card on the reader"},
	"attract.scan":     {"查进度：扫描回执上的二维码", "查進度：掃描回執上的二維碼", "Check progress: scan the QR code on your receipt"},
	"attract.start":    {"开始办理", "開始辦理", "Start"},
	"attract.query":    {"办件查询", "辦件查詢", "Check progress"},
	"attract.ticket":   {"窗口取号", "窗口取號", "Queue ticket"},
	"attract.elder":    {"长辈模式", "長輩模式", "Large text"},
	"attract.normal":   {"标准模式", "標準模式", "Standard text"},
	"help.call":        {"呼叫帮办", "呼叫幫辦", "Call a helper"},
	"help.called":      {"已呼叫帮办人员，前面还有 %d 位，约 %d 分钟到达，请稍候。", "已呼叫幫辦人員，前面還有 %d 位，約 %d 分鐘到達，請稍候。", "A helper is on the way: %d ahead of you, about %d min. Please wait here."},
	"help.title":       {"帮办代办", "幫辦代辦", "Assisted service"},

	// identify
	"identify.title":    {"请选择身份核验方式", "請選擇身分核驗方式", "How would you like to identify yourself?"},
	"identify.card":     {"将身份证放在读卡区，无需插入", "將身分證放在讀卡區，無需插入", "Lay your ID card on the reader (no need to insert it)"},
	"identify.code":     {"或出示电子身份证 / 居民码，对准扫码口", "或出示電子身分證 / 居民碼，對準掃碼口", "Or show your e-ID / resident code to the scanner"},
	"identify.staff":    {"由工作人员协助核验", "由工作人員協助核驗", "Identify with a staff member"},
	"identify.staffdo":  {"工作人员核验（需 PIN）", "工作人員核驗（需 PIN）", "Staff: identify (PIN)"},
	"identify.staffid":  {"请输入申请人身份证号码", "請輸入申請人身分證號碼", "Enter the applicant's ID number"},
	"identify.norecord": {"未查到该身份证号码的电子证照，请到综合窗口办理", "未查到該身分證號碼的電子證照，請到綜合窗口辦理", "No e-licence record for that ID number: please go to a service window"},
	"identify.reading":  {"正在读取身份证，请勿移动…", "正在讀取身分證，請勿移動…", "Reading your card, please keep it still…"},
	"identify.again":    {"读卡失败，请拿起身份证后重新放置", "讀卡失敗，請拿起身分證後重新放置", "Could not read the card. Lift it and place it again"},
	"identify.ok":       {"您好，%s", "您好，%s", "Hello, %s"},
	"identify.noreader": {"读卡器暂不可用，请扫描居民码或呼叫帮办", "讀卡器暫不可用，請掃描居民碼或呼叫幫辦", "The card reader is unavailable: scan your resident code or call a helper"},
	"identify.badcode":  {"无法识别该二维码，请出示居民码或回执二维码", "無法識別該二維碼，請出示居民碼或回執二維碼", "This QR code is not recognised: show your resident code or receipt QR"},

	// catalogue
	"cat.title":    {"请选择要办理的事项", "請選擇要辦理的事項", "Choose what you want to get done"},
	"cat.popular":  {"常办事项", "常辦事項", "Most used"},
	"cat.all":      {"全部类别", "全部類別", "All categories"},
	"cat.person":   {"个人办事", "個人辦事", "For individuals"},
	"cat.company":  {"企业办事", "企業辦事", "For businesses"},
	"cat.search":   {"搜索事项", "搜尋事項", "Search"},
	"cat.none":     {"没有找到相关事项，可呼叫帮办", "沒有找到相關事項，可呼叫幫辦", "Nothing found. You can call a helper"},
	"cat.national": {"国家重点事项", "國家重點事項", "National key item"},
	"cat.days":     {"承诺 %d 个工作日（法定 %d）", "承諾 %d 個工作日（法定 %d）", "Promised %d working days (statutory %d)"},
	"cat.window":   {"需到综合窗口办结", "需到綜合窗口辦結", "Finished at the service window"},
	"cat.terminal": {"本机可办结", "本機可辦結", "Can be finished here"},

	// acting for someone else
	"role.title":    {"您为谁办理？", "您為誰辦理？", "Who are you applying for?"},
	"role.self":     {"为本人办理", "為本人辦理", "For myself"},
	"role.proxy":    {"代他人办理（亲友代办）", "代他人辦理（親友代辦）", "For someone else (proxy)"},
	"role.newborn":  {"为新生儿办理（父母或监护人）", "為新生兒辦理（父母或監護人）", "For a newborn (parent or guardian)"},
	"role.deceased": {"为逝者办理（亲属或代理人）", "為逝者辦理（親屬或代理人）", "For a deceased person (relative or agent)"},
	"role.company":  {"为企业办理（法定代表人或经办人）", "為企業辦理（法定代表人或經辦人）", "For a company (legal representative or agent)"},
	"role.subject":  {"请输入被代办人的身份证号码", "請輸入被代辦人的身分證號碼", "Enter the ID number of the person you act for"},
	"role.badid":    {"身份证号码有误，请核对", "身分證號碼有誤，請核對", "That ID number is not valid. Please check it"},

	// consent
	"consent.title":     {"个人信息使用告知", "個人資訊使用告知", "How your personal data is used"},
	"consent.purpose":   {"用途：办理「%s」", "用途：辦理「%s」", "Purpose: to apply for \"%s\""},
	"consent.items":     {"使用的信息：姓名、身份证号码，以及以下电子证照：%s", "使用的資訊：姓名、身分證號碼，以及以下電子證照：%s", "Data used: name, ID number and these e-licences: %s"},
	"consent.retention": {"保存期限：办结后 %d 天删除（依法归档的除外）；本机不保存您的照片", "保存期限：辦結後 %d 天刪除（依法歸檔的除外）；本機不保存您的照片", "Kept: deleted %d days after completion (except records the law requires); your photo is not stored"},
	"consent.who":       {"接收单位：%s", "接收單位：%s", "Received by: %s"},
	"consent.agree":     {"同意并继续", "同意並繼續", "I agree, continue"},
	"consent.decline":   {"不同意（到窗口办理）", "不同意（到窗口辦理）", "I do not agree (go to a window)"},

	// checklist
	"check.title":    {"材料清单", "材料清單", "Materials"},
	"check.covered":  {"免提交", "免提交", "Not needed"},
	"check.source":   {"来源：%s", "來源：%s", "From: %s"},
	"check.provide":  {"需提供", "需提供", "Please provide"},
	"check.optional": {"（可选）", "（可選）", "(optional)"},
	"check.summary":  {"共 %d 项材料，%d 项已由电子证照免提交", "共 %d 項材料，%d 項已由電子證照免提交", "%d materials, %d covered by e-licences"},

	// form
	"form.title":    {"请核对申请信息", "請核對申請資訊", "Check your details"},
	"form.edit":     {"修改", "修改", "Change"},
	"form.required": {"此项必填", "此項必填", "Required"},
	"form.bad":      {"格式不正确", "格式不正確", "Not a valid value"},
	"form.prefill":  {"已从证照自动填写", "已從證照自動填寫", "Filled in from your licences"},
	"form.staff":    {"如需修改，请呼叫帮办", "如需修改，請呼叫幫辦", "To change this, call a helper"},
	"keypad.ok":     {"确定", "確定", "OK"},
	"keypad.del":    {"删除", "刪除", "Delete"},
	"keypad.clear":  {"清空", "清空", "Clear"},

	// review and submit
	"review.title":     {"确认提交", "確認提交", "Review and submit"},
	"review.item":      {"办理事项", "辦理事項", "Item"},
	"review.applicant": {"申请人", "申請人", "Applicant"},
	"review.subject":   {"被代办人", "被代辦人", "On behalf of"},
	"review.materials": {"材料", "材料", "Materials"},
	"review.submit":    {"提交申请", "提交申請", "Submit"},
	"review.sending":   {"正在提交…", "正在提交…", "Submitting…"},

	// receipt
	"receipt.title":    {"提交成功", "提交成功", "Submitted"},
	"receipt.tracking": {"办件编号：%s", "辦件編號：%s", "Tracking number: %s"},
	"receipt.promised": {"承诺办结：%s 前", "承諾辦結：%s 前", "Promised by: %s"},
	"receipt.printed":  {"回执已打印，请取走", "回執已列印，請取走", "Your receipt is printed. Please take it"},
	"receipt.noprint":  {"打印机暂不可用：请用手机扫描屏幕上的二维码保存回执", "印表機暫不可用：請用手機掃描螢幕上的二維碼保存回執", "The printer is unavailable: scan the QR code on screen to keep your receipt"},
	"receipt.pending":  {"网络暂时中断：您的申请已加密保存在本机，将在网络恢复后自动提交（最迟 %s）。暂无办件编号，请保留申请参考号 %s；如届时未收到短信，请到综合窗口。", "網路暫時中斷：您的申請已加密保存在本機，將在網路恢復後自動提交（最遲 %s）。暫無辦件編號，請保留申請參考號 %s；如屆時未收到簡訊，請到綜合窗口。", "The network is down: your application is stored encrypted on this terminal and will be sent automatically when it is back (by %s at the latest). There is no tracking number yet; keep the reference %s. If you get no text message by then, please go to a service window."},
	"receipt.window":   {"请持回执到 %s 区综合窗口办结", "請持回執到 %s 區綜合窗口辦結", "Take this receipt to service window %s to finish"},
	"receipt.next":     {"下一步：评价本次服务", "下一步：評價本次服務", "Next: rate this service"},
	"receipt.qr":       {"扫码查询办理进度", "掃碼查詢辦理進度", "Scan to check progress"},

	// progress
	"progress.title":           {"办件进度", "辦件進度", "Application progress"},
	"progress.notfound":        {"未找到该办件，请核对回执", "未找到該辦件，請核對回執", "No application with that number. Please check the receipt"},
	"progress.state.submitted": {"已提交", "已提交", "Submitted"},
	"progress.state.accepted":  {"已受理", "已受理", "Accepted"},
	"progress.state.review":    {"审核中", "審核中", "Under review"},
	"progress.state.completed": {"已办结", "已辦結", "Completed"},
	"progress.state.returned":  {"退回补正", "退回補正", "Returned for more material"},
	"progress.state.pending":   {"待上传", "待上傳", "Waiting to be sent"},
	"progress.applicant":       {"申请人：%s", "申請人：%s", "Applicant: %s"},

	// queue ticket
	"ticket.title":    {"窗口取号", "窗口取號", "Queue ticket"},
	"ticket.number":   {"您的号码：%s", "您的號碼：%s", "Your number: %s"},
	"ticket.ahead":    {"前面还有 %d 人，预计等候 %d 分钟", "前面還有 %d 人，預計等候 %d 分鐘", "%d people ahead, about %d min"},
	"ticket.take":     {"取号", "取號", "Take a number"},
	"ticket.priority": {"绿色通道（老年人、残疾人）", "綠色通道（老年人、殘疾人）", "Priority lane (elderly, disabled)"},

	// rating
	"rate.title":  {"请为本次服务评价", "請為本次服務評價", "How was this service?"},
	"rate.5":      {"非常满意", "非常滿意", "Very satisfied"},
	"rate.4":      {"满意", "滿意", "Satisfied"},
	"rate.3":      {"基本满意", "基本滿意", "Fairly satisfied"},
	"rate.2":      {"不满意", "不滿意", "Dissatisfied"},
	"rate.1":      {"非常不满意", "非常不滿意", "Very dissatisfied"},
	"rate.thanks": {"感谢您的评价，请取走身份证和回执", "感謝您的評價，請取走身分證和回執", "Thank you. Please take your ID card and receipt"},

	// idle
	"idle.title":  {"还需要更多时间吗？", "還需要更多時間嗎？", "Do you need more time?"},
	"idle.body":   {"%d 秒后将清除您的信息并返回首页", "%d 秒後將清除您的資訊並返回首頁", "In %d seconds your details will be cleared and the terminal will restart"},
	"idle.extend": {"继续办理", "繼續辦理", "Continue"},

	// common
	"nav.back":    {"返回", "返回", "Back"},
	"nav.next":    {"下一步", "下一步", "Next"},
	"nav.home":    {"结束办理", "結束辦理", "Finish"},
	"nav.cancel":  {"取消", "取消", "Cancel"},
	"err.backend": {"服务暂时不可用，请稍后再试或呼叫帮办", "服務暫時不可用，請稍後再試或呼叫幫辦", "The service is unavailable. Try again later or call a helper"},

	// devices
	"dev.paperout": {"打印机缺纸：回执将以二维码显示在屏幕上", "印表機缺紙：回執將以二維碼顯示在螢幕上", "Printer out of paper: receipts are shown as a QR code on screen"},
	"dev.paperlow": {"打印纸即将用完", "列印紙即將用完", "Receipt paper is running low"},
	"dev.printer":  {"打印机暂不可用", "印表機暫不可用", "The printer is unavailable"},
	"dev.reader":   {"读卡器暂不可用：请扫描居民码或由工作人员协助", "讀卡器暫不可用：請掃描居民碼或由工作人員協助", "Card reader unavailable: scan your resident code or ask a staff member"},
	"dev.scanner":  {"扫码器暂不可用", "掃碼器暫不可用", "The scanner is unavailable"},
	"dev.offline":  {"网络中断：申请将加密暂存，恢复后自动提交", "網路中斷：申請將加密暫存，恢復後自動提交", "Offline: applications are stored encrypted and sent when the network is back"},

	// admin
	"admin.title":     {"管理模式", "管理模式", "Administration"},
	"admin.pin":       {"请输入管理员 PIN", "請輸入管理員 PIN", "Enter the admin PIN"},
	"admin.wrong":     {"PIN 错误，还可尝试 %d 次", "PIN 錯誤，還可嘗試 %d 次", "Wrong PIN, %d tries left"},
	"admin.locked":    {"已锁定，请 %d 秒后再试", "已鎖定，請 %d 秒後再試", "Locked: try again in %d s"},
	"admin.doctor":    {"设备自检", "設備自檢", "Device check"},
	"admin.testprint": {"打印测试页", "列印測試頁", "Print a test page"},
	"admin.logs":      {"最近日志", "最近日誌", "Recent log"},
	"admin.exit":      {"退出程序", "退出程式", "Quit the program"},
	"admin.close":     {"返回服务", "返回服務", "Back to service"},
}
