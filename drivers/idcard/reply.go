package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrBadReply: a reply with a success status whose data does not have the documented shape.
var ErrBadReply = errors.New("malformed reply")

// Reply sizes (reference 1.3).
const (
	ReadBasicFrameLen = 1295 // 30 01: 14-byte header + 256 text + 1024 photo + CHK
	FingerprintLen    = 512  // one template; a card holds 0, 1 or 2
	AddressLen        = 70   // 30 03: 35 UCS-2 characters
	samIDLen          = 16
	selectDataLen     = 8
	findDataLen       = 4
)

// EncodeReadData builds the data of a 30 01 reply: text length, photo length (both BE),
// text, photo. Twins and tests use it.
func EncodeReadData(text, photo []byte) []byte {
	d := binary.BigEndian.AppendUint16(nil, uint16(len(text)))
	d = binary.BigEndian.AppendUint16(d, uint16(len(photo)))
	return append(append(d, text...), photo...)
}

// EncodeReadFPData builds the data of a 30 10 reply: three BE lengths (text, photo,
// fingerprint), then the three blocks.
func EncodeReadFPData(text, photo, fp []byte) []byte {
	d := binary.BigEndian.AppendUint16(nil, uint16(len(text)))
	d = binary.BigEndian.AppendUint16(d, uint16(len(photo)))
	d = binary.BigEndian.AppendUint16(d, uint16(len(fp)))
	return append(append(append(d, text...), photo...), fp...)
}

// splitRead cuts the data of a 30 01 (nLens 2) or 30 10 (nLens 3) reply into its blocks,
// checking that the lengths add up exactly and the text block is 256 bytes.
func splitRead(data []byte, nLens int) (blocks [][]byte, err error) {
	if len(data) < 2*nLens {
		return nil, fmt.Errorf("%w: %d data bytes", ErrBadReply, len(data))
	}
	off, sizes := 2*nLens, make([]int, nLens)
	total := off
	for i := range sizes {
		sizes[i] = int(binary.BigEndian.Uint16(data[2*i:]))
		total += sizes[i]
	}
	if total != len(data) || sizes[0] != textBlockLen {
		return nil, fmt.Errorf("%w: block lengths %v do not fit %d data bytes", ErrBadReply, sizes, len(data))
	}
	for _, n := range sizes {
		blocks = append(blocks, data[off:off+n])
		off += n
	}
	return blocks, nil
}

// decodeRead turns a read reply's data into a Card; the blocks are copied out of the buffer.
func decodeRead(data []byte, nLens int) (*Card, error) {
	blocks, err := splitRead(data, nLens)
	if err != nil {
		return nil, err
	}
	c, err := DecodeText(blocks[0])
	if err != nil {
		return nil, err
	}
	c.Photo = NewSecret(append([]byte(nil), blocks[1]...))
	if nLens == 3 {
		c.Fingerprint = NewSecret(append([]byte(nil), blocks[2]...))
	}
	return c, nil
}

// SAMID is the 16-byte SAM identity (管理信息) answered to 12 FF.
type SAMID [16]byte

// String formats it as the reader vendors print it, e.g. 05.01-20120913-0017473839-1345567837
// (reference 1.6; the 10-digit padding of the last two groups follows real IDs).
func (id SAMID) String() string {
	le := binary.LittleEndian
	return fmt.Sprintf("%02d.%02d-%d-%010d-%010d", id[0], id[2], le.Uint32(id[4:]), le.Uint32(id[8:]), le.Uint32(id[12:]))
}
