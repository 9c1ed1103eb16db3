package main

import (
	"context"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
	"github.com/onestop-station/onestop/lab/store"
)

func brokerDown(ctx context.Context, r *run) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	down := r.dur(30*time.Second, 5*time.Second)
	if err := r.s.Broker.Stop(); err != nil {
		return err
	}
	sleep(ctx, down) // the agent keeps polling into its outbox meanwhile
	if err := r.s.Broker.Restart(); err != nil {
		return err
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	st := r.s.Ingest.Stats()
	r.res.note("broker down %v; %d readings redelivered and recognised", down, st.Duplicates)
	return nil
}

// brokerStateLost kills mosquitto (no persistence) and starts it again at once: unlike a clean
// stop, messages the broker had accepted (PUBACK sent) but not yet delivered die with it.
func brokerStateLost(ctx context.Context, r *run) error {
	m, err := startMosquitto(r.dir, map[string]string{demo.LabUser: demo.LabPass, demo.AgentName: demo.AgentPass})
	if err != nil {
		if err == errNoMosquitto {
			return r.brokerStateLostEmbedded(ctx)
		}
		return err
	}
	r.cleanup = append(r.cleanup, m.Stop)
	lab := demo.LabOpts{URL: m.URL(), LabUser: demo.LabUser, LabPass: demo.LabPass}
	if err := r.start(ctx, lab, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	for i := range 3 {
		if err := r.grow(ctx, r.n(200, 100)); err != nil {
			return err
		}
		m.Kill()
		if err := m.Start(); err != nil {
			return err
		}
		if i == 2 {
			if err := r.faultEnded(); err != nil {
				return err
			}
		}
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	r.res.note("mosquitto (persistence false) SIGKILLed and restarted 3 times; %d redelivered", r.s.Ingest.Stats().Duplicates)
	return nil
}

// brokerStateLostEmbedded is the fallback without mosquitto: the embedded broker stopped and
// started again empty at once.
func (r *run) brokerStateLostEmbedded(ctx context.Context) error {
	if err := r.start(ctx, demo.LabOpts{}, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	for range 3 {
		if err := r.grow(ctx, r.n(200, 100)); err != nil {
			return err
		}
		r.s.Broker.Stop()
		if err := r.s.Broker.Restart(); err != nil {
			return err
		}
	}
	if err := r.faultEnded(); err != nil {
		return err
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	r.res.note("mosquitto not installed: the embedded broker restarted empty 3 times instead")
	return nil
}

// labKill runs the lab as `lab serve` (embedded broker, ingest, store in one process), kills it
// and starts it again on the same database and port.
func labKill(ctx context.Context, r *run) error {
	lab, err := r.startLabProc(ctx)
	if err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, lab.Stop)
	st, err := store.Open(lab.DB)
	if err != nil {
		return err
	}
	r.s = &demo.Stack{Dir: r.dir, Tools: r.tools, URL: lab.URL(), Store: st}
	if err := r.startRig(ctx, demo.AgentOpts{}, r.n(200, 100)); err != nil {
		return err
	}
	down := r.dur(5*time.Second, 2*time.Second)
	for i := range 2 {
		if err := r.grow(ctx, r.n(300, 100)); err != nil {
			return err
		}
		lab.Kill()
		sleep(ctx, down)
		if err := lab.Start(ctx); err != nil {
			return err
		}
		if i == 1 {
			if err := r.faultEnded(); err != nil {
				return err
			}
		}
	}
	if err := r.recover(ctx, 0); err != nil {
		return err
	}
	if _, err := r.settle(ctx, 0); err != nil {
		return err
	}
	r.res.note("lab SIGKILLed twice, down %v each, restarted on the same lab.db", down)
	return nil
}
