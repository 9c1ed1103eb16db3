package modbus

// crcTable holds CRC-16/MODBUS for every byte value, so the per-byte work is
// one lookup instead of eight shifts.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC16 returns the CRC-16/MODBUS of b ("123456789" gives 0x4B37). On the
// wire it follows the frame low byte first.
func CRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, x := range b {
		crc = crc>>8 ^ crcTable[byte(crc)^x]
	}
	return crc
}

// appendCRC appends the CRC of b to b, low byte first.
func appendCRC(b []byte) []byte {
	c := CRC16(b)
	return append(b, byte(c), byte(c>>8))
}

// crcOK reports whether adu ends with the CRC of the bytes before it.
func crcOK(adu []byte) bool {
	if len(adu) < 3 {
		return false
	}
	n := len(adu) - 2
	return CRC16(adu[:n]) == uint16(adu[n])|uint16(adu[n+1])<<8
}
