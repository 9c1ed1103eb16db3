package modbus

import (
	"context"
	"time"
)

// DefaultBitsPerChar is an 8N1 character: start, 8 data bits, stop.
const DefaultBitsPerChar = 10

// FrameGap returns t3.5, the silence that separates RTU frames: 3.5 character
// times, fixed at 1.75 ms above 19200 baud as the serial-line spec allows.
// bitsPerChar <= 0 means DefaultBitsPerChar.
func FrameGap(baud, bitsPerChar int) time.Duration {
	if baud > 19200 {
		return 1750 * time.Microsecond
	}
	return wireTime(7, baud, bitsPerChar) / 2
}

// wireTime is how long n characters take on the line.
func wireTime(n, baud, bitsPerChar int) time.Duration {
	if baud <= 0 {
		return 0
	}
	if bitsPerChar <= 0 {
		bitsPerChar = DefaultBitsPerChar
	}
	return time.Duration(n*bitsPerChar) * time.Second / time.Duration(baud)
}

// sleepUntil waits for t or ctx, whichever comes first, and reports whether
// t was reached.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
