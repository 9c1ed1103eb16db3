package printer

// statusReply answers DLE EOT n, unless a fault says to stay silent.
func (t *Twin) statusReply(n byte) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.mu.Lock()
	t.cnt.StatusQueries++
	b, ok := t.panel.reply(n)
	if ok && t.panel.NoReply != 0 {
		if t.panel.NoReply > 0 {
			t.panel.NoReply--
		}
		t.cnt.RepliesSuppressed++
		ok = false
	}
	var noise []byte
	if ok && t.panel.Garbage != 0 {
		if t.panel.Garbage > 0 {
			t.panel.Garbage--
		}
		noise = garbage
		t.cnt.GarbageBytes += uint64(len(garbage))
	}
	if ok {
		t.cnt.StatusReplies++
	}
	t.mu.Unlock()
	if ok {
		t.send(append(append([]byte(nil), noise...), b))
	}
}

// paperSensorReply answers GS r n: n = 1 or '1' paper sensor; others 0.
// Real printers answer only while online (2.4).
func (t *Twin) paperSensorReply(n byte) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.mu.Lock()
	p := t.panel
	t.mu.Unlock()
	if p.offline() {
		return
	}
	var b byte
	if n == 1 || n == '1' {
		b = p.paperSensor()
	}
	t.send([]byte{b})
}

// setASB is GS a n. Enabling sends the current status at once, as Epson
// printers do, so the host starts from a known state.
func (t *Twin) setASB(mask byte) {
	t.change(func(p *panel) error { p.ASBMask = mask & 0x0F; return nil }, mask&0x0F != 0)
}

// recoverError is DLE ENQ n: n = 1 recovers from a recoverable error (the
// autocutter); n = 2 also clears the buffers, which this twin has not.
func (t *Twin) recoverError(n byte) {
	if n == 1 || n == 2 {
		_ = t.change(func(p *panel) error { p.CutterError = false; return nil }, false)
	}
}

// change applies f to the panel and sends an ASB frame if a class the host
// enabled changed, or always when force is set and ASB is on.
func (t *Twin) change(f func(*panel) error, force bool) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.mu.Lock()
	old := t.panel
	if err := f(&t.panel); err != nil {
		t.mu.Unlock()
		return err
	}
	now := t.panel
	send := now.ASBMask != 0 && (force || now.asbDue(old))
	if send {
		t.cnt.ASBFrames++
	}
	t.mu.Unlock()
	if send {
		frame := now.asb()
		t.send(frame[:])
	}
	return nil
}
