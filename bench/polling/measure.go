package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/drivers/rig"
	"github.com/onestop-station/onestop/drivers/serialport"
	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

// mbpollDelay is mbpoll's smallest poll rate (-l): it refuses less than 10 ms.
const mbpollDelay = 10 * time.Millisecond

// replyTimeout is the agent's default Modbus reply timeout.
const replyTimeout = 300 * time.Millisecond

// settle is long enough for a reply still on its way to arrive: a 39-byte
// reply takes 45 ms at 9600 baud, plus a busy machine's stalls.
const settle = 500 * time.Millisecond

// twin is an in-process rig twin on a PTY, behind a --link style symlink.
type twin struct {
	*simrig.Twin
	baud int
	link string
	stop func() error
}

// startTwin serves the nominal scenario at baud until stop.
func startTwin(ctx context.Context, dir string, baud int) (*twin, error) {
	link := filepath.Join(dir, "rig-"+strconv.Itoa(baud))
	t := simrig.New(simrig.Opts{Baud: baud, Link: link, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- t.Run(ctx) }()
	stop := func() error {
		cancel()
		return <-done
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if _, err := t.WaitPath(wctx, ""); err != nil {
		cancel()
		if rerr := <-done; rerr != nil {
			err = rerr
		}
		return nil, fmt.Errorf("start rig twin at %d baud: %w", baud, err)
	}
	return &twin{Twin: t, baud: baud, link: link, stop: stop}, nil
}

// snapshots is the twin's count of whole snapshot replies written.
func (t *twin) snapshots() int64 { return t.Counters().SnapshotReplies }

// snapshotRequest is the FC04 request for the whole snapshot block.
func snapshotRequest() []byte {
	b, err := modbus.EncodeRequest(modbus.Request{Unit: rig.DefaultUnit, Function: modbus.FuncReadInputRegisters, Addr: rig.SnapshotAddr, Qty: rig.SnapshotQty})
	if err != nil {
		panic(err) // constant request: only a broken build gets here
	}
	return b
}

// exchanges times n lone exchanges on a raw port, well apart so none waits
// for another: from the request's write to the reply's last byte.
func exchanges(ctx context.Context, t *twin, n int) ([]time.Duration, error) {
	p, err := serialport.OpenRaw(serialport.Config{Path: t.link, Baud: t.baud, ReadTimeout: replyTimeout})
	if err != nil {
		return nil, fmt.Errorf("turnaround: %w", err)
	}
	defer p.Close()
	req := snapshotRequest()
	buf := make([]byte, replyBytes)
	var took []time.Duration
	lost := 0
	for range n {
		if !sleepCtx(ctx, 20*time.Millisecond) {
			return nil, ctx.Err()
		}
		if err := p.ResetInputBuffer(); err != nil {
			return nil, fmt.Errorf("turnaround: %w", err)
		}
		start := time.Now()
		if _, err := p.Write(req); err != nil {
			return nil, fmt.Errorf("turnaround: %w", err)
		}
		got := 0
		for got < len(buf) {
			k, err := p.Read(buf[got:])
			if err != nil {
				return nil, fmt.Errorf("turnaround: %w", err)
			}
			if k == 0 {
				break // a stall on a busy machine: the sample is lost, the next flushes the rest
			}
			got += k
		}
		if got < len(buf) {
			lost++
			sleepCtx(ctx, settle) // let the late reply land, so the next flush takes it
			continue
		}
		took = append(took, time.Since(start))
	}
	if lost > n/2 {
		return nil, fmt.Errorf("turnaround: %d of %d exchanges got no whole reply within %v", lost, n, replyTimeout)
	}
	return took, nil
}

// turnaround is what the twin adds beyond t3.5 and its reply's wire time,
// from its fastest lone exchange: a slower one waited for a busy machine,
// not for the twin. On a PTY the request arrives at once, so its wire time
// is not part of the exchange. median is for the details.
func turnaround(baud int, took []time.Duration) (median, turn time.Duration) {
	if len(took) == 0 {
		return 0, 0
	}
	s := slices.Clone(took)
	slices.Sort(s)
	paced := modbus.FrameGap(baud, bitsPerChar) + wireTime(replyBytes, baud)
	return s[len(s)/2], max(s[0]-paced, 0)
}

// pollResult is one master's back-to-back polling; add accumulates rounds.
type pollResult struct {
	Polls   int64           // polls in the window: ours decoded, mbpoll's counted by the twin
	Twin    int64           // snapshot replies the twin counted in the window, a cross-check
	OK      int64           // snapshots the master decoded (ours only)
	Errors  int64           // failed polls (ours only)
	Elapsed time.Duration   // the window
	Took    []time.Duration // each poll's time (ours only)
}

func (r *pollResult) add(o pollResult) {
	r.Polls += o.Polls
	r.Twin += o.Twin
	r.OK += o.OK
	r.Errors += o.Errors
	r.Elapsed += o.Elapsed
	r.Took = append(r.Took, o.Took...)
}

// Percentile is the p-th percentile (0..100) of the poll times.
func (r pollResult) Percentile(p float64) time.Duration {
	if len(r.Took) == 0 {
		return 0
	}
	s := slices.Clone(r.Took)
	slices.Sort(s)
	return s[min(int(float64(len(s))*p/100), len(s)-1)]
}

// PerSecond is the measured rate, from the twin's own count.
func (r pollResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Polls) / r.Elapsed.Seconds()
}

// pollOurs polls back to back for d with the agent's stack: drivers/rig over
// drivers/modbus over drivers/serialport, as agent/poll builds it.
func pollOurs(ctx context.Context, t *twin, d time.Duration) (pollResult, error) {
	port := serialport.New(serialport.Config{Path: t.link, Baud: t.baud}, "rig0")
	defer port.Close()
	client := modbus.NewClient(port, modbus.ClientOpts{Baud: t.baud, Timeout: replyTimeout})
	r := rig.New(client, rig.Opts{Name: "rig0"})
	if _, err := r.Read(ctx); err != nil { // opens the port
		return pollResult{}, fmt.Errorf("ours: first poll: %w", err)
	}
	var res pollResult
	c0, start := t.snapshots(), time.Now()
	end := start.Add(d)
	for now := start; now.Before(end); {
		_, err := r.Read(ctx)
		took := time.Since(now)
		now = now.Add(took)
		res.Took = append(res.Took, took)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Errors++
			continue
		}
		res.OK++
	}
	res.Elapsed = time.Since(start)
	// The twin counts a reply after writing it, so its count can lag ours by one.
	res.Polls, res.Twin = res.OK, t.snapshots()-c0
	return res, nil
}

// errNoMbpoll means mbpoll is not installed; the bench then skips its rows.
var errNoMbpoll = errors.New("mbpoll not on PATH (apt-get install mbpoll)")

// mbpollArgs polls the snapshot block as fast as mbpoll allows.
func mbpollArgs(t *twin) []string {
	return []string{"-m", "rtu", "-a", strconv.Itoa(rig.DefaultUnit), "-b", strconv.Itoa(t.baud), "-P", "none",
		"-t", "3", "-0", "-r", strconv.Itoa(rig.SnapshotAddr), "-c", strconv.Itoa(rig.SnapshotQty),
		"-l", strconv.Itoa(int(mbpollDelay / time.Millisecond)), "-o", "1", t.link}
}

// pollMbpoll runs mbpoll on the twin for d, counted by the twin from mbpoll's
// first reply on, so its start-up is not in the window.
func pollMbpoll(ctx context.Context, t *twin, d time.Duration) (pollResult, error) {
	bin, err := exec.LookPath("mbpoll")
	if err != nil {
		return pollResult{}, errNoMbpoll
	}
	cmd := exec.Command(bin, mbpollArgs(t)...)
	cmd.Stdout = io.Discard
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	base := t.snapshots()
	if err := cmd.Start(); err != nil {
		return pollResult{}, fmt.Errorf("mbpoll: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		// mbpoll may die with a request on the line. RTU replies carry no
		// transaction id, so its late reply would pass for the next master's,
		// and that master would run one request ahead of the twin, faster
		// than the line. Wait it out; the next master flushes it.
		sleepCtx(ctx, settle)
	}
	// Wait for mbpoll's first reply.
	deadline := time.Now().Add(10 * time.Second)
	for t.snapshots() == base {
		select {
		case err := <-exited:
			return pollResult{}, fmt.Errorf("mbpoll exited before its first poll: %v: %s", err, stderr.String())
		case <-ctx.Done():
			stop()
			return pollResult{}, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return pollResult{}, fmt.Errorf("mbpoll: no reply counted in 10 s: %s", stderr.String())
		}
	}
	c0, start := t.snapshots(), time.Now()
	ok := sleepCtx(ctx, d)
	n := t.snapshots() - c0
	res := pollResult{Polls: n, Twin: n, Elapsed: time.Since(start)}
	stop()
	if !ok {
		return res, ctx.Err()
	}
	return res, nil
}

// sleepCtx waits d or until ctx is done; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// limitedBuffer keeps the first 4 KiB written to it, for error messages.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
