package escpos

import (
	"fmt"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// QRModel is the symbol model of GS ( k function 165; the value is its wire byte.
type QRModel byte

const (
	QRModel1 QRModel = 0x31
	QRModel2 QRModel = 0x32 // what phones read; the default
	QRMicro  QRModel = 0x33
)

func (m QRModel) String() string {
	switch m {
	case QRModel1:
		return "model 1"
	case QRModel2:
		return "model 2"
	case QRMicro:
		return "micro"
	}
	return "QRModel(0x" + strconv.FormatUint(uint64(m), 16) + ")"
}

// QRLevel is the error correction level of GS ( k function 169; the value is
// its wire byte.
type QRLevel byte

const (
	QRLevelL QRLevel = 0x30 // 7 % of the symbol may be lost
	QRLevelM QRLevel = 0x31 // 15 %; the default
	QRLevelQ QRLevel = 0x32 // 25 %
	QRLevelH QRLevel = 0x33 // 30 %
)

func (l QRLevel) String() string {
	if l >= QRLevelL && l <= QRLevelH {
		return string("LMQH"[l-QRLevelL])
	}
	return "QRLevel(0x" + strconv.FormatUint(uint64(l), 16) + ")"
}

// qrcodeLevel maps to go-qrcode, whose Low..Highest are L, M, Q, H.
func (l QRLevel) qrcodeLevel() qrcode.RecoveryLevel {
	return qrcode.RecoveryLevel(l - QRLevelL)
}

// QROpts says how a QR code is printed. Zero fields take DefaultQROpts.
type QROpts struct {
	Model      QRModel
	ModuleSize int // dots per module, 1..16
	ErrorLevel QRLevel
}

// DefaultQROpts prints a model 2 symbol with 6-dot modules (0.75 mm at
// 203 dpi, easy for a phone) and level M.
var DefaultQROpts = QROpts{Model: QRModel2, ModuleSize: 6, ErrorLevel: QRLevelM}

func (o QROpts) withDefaults() QROpts {
	if o.Model == 0 {
		o.Model = DefaultQROpts.Model
	}
	if o.ModuleSize == 0 {
		o.ModuleSize = DefaultQROpts.ModuleSize
	}
	if o.ErrorLevel == 0 {
		o.ErrorLevel = DefaultQROpts.ErrorLevel
	}
	return o
}

func (o QROpts) check() error {
	switch {
	case o.Model < QRModel1 || o.Model > QRMicro:
		return fmt.Errorf("%v: want model 1, model 2 or micro", o.Model)
	case o.ModuleSize < 1 || o.ModuleSize > 16:
		return fmt.Errorf("module size %d: want 1..16 dots", o.ModuleSize)
	case o.ErrorLevel < QRLevelL || o.ErrorLevel > QRLevelH:
		return fmt.Errorf("error level %v: want L, M, Q or H", o.ErrorLevel)
	}
	return nil
}

// symbol encodes data with go-qrcode, which also tells whether it fits a
// symbol at all and how wide it is with its quiet zone.
func (o QROpts) symbol(data string) (*qrcode.QRCode, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if data == "" {
		return nil, fmt.Errorf("no data")
	}
	q, err := qrcode.New(data, o.ErrorLevel.qrcodeLevel())
	if err != nil {
		return nil, fmt.Errorf("%d bytes at level %v: %w", len(data), o.ErrorLevel, err)
	}
	if w := len(q.Bitmap()) * o.ModuleSize; w > PaperWidth {
		return nil, fmt.Errorf("%d bytes at %d dots a module is %d dots wide, paper %d", len(data), o.ModuleSize, w, PaperWidth)
	}
	return q, nil
}

// QR prints data (its bytes as given, normally UTF-8) as a QR code drawn by
// the printer itself (GS ( k): model, module size, error level, store, print.
// The code is checked to fit the paper first, so a too-long URL is an error
// here rather than a blank on the receipt.
func (r *Receipt) QR(data string, o QROpts) *Receipt {
	o = o.withDefaults()
	if _, err := o.symbol(data); err != nil {
		return r.fail("qr: %v", err)
	}
	r.add(gs, '(', 'k', 4, 0, '1', 'A', byte(o.Model), 0)
	r.add(gs, '(', 'k', 3, 0, '1', 'C', byte(o.ModuleSize))
	r.add(gs, '(', 'k', 3, 0, '1', 'E', byte(o.ErrorLevel))
	n := len(data) + 3
	r.add(gs, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	r.add([]byte(data)...)
	return r.add(gs, '(', 'k', 3, 0, '1', 'Q', '0')
}

// QRRaster prints data as a QR code rendered here (go-qrcode, model 2) and
// sent as a raster image (GS v 0), for printers without GS ( k or whose QR
// firmware mangles multi-byte data. The symbol keeps its 4-module quiet zone.
func (r *Receipt) QRRaster(data string, o QROpts) *Receipt {
	o = o.withDefaults()
	o.Model = QRModel2
	q, err := o.symbol(data)
	if err != nil {
		return r.fail("qr raster: %v", err)
	}
	modules := q.Bitmap()
	bm := newBitmap(len(modules)*o.ModuleSize, len(modules)*o.ModuleSize)
	for y, row := range modules {
		for x, black := range row {
			if black {
				bm.fillRect(x*o.ModuleSize, y*o.ModuleSize, o.ModuleSize, o.ModuleSize)
			}
		}
	}
	return r.raster(bm)
}
