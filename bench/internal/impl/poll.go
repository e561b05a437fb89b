//go:build !solo || solo_poll

package impl

import (
	"sync"
	"time"
)

// The polling pools are the anti-pattern lull exists to replace: each idle
// worker wakes every period to check for work (or for a stop signal), so an
// idle pool of n workers costs n wake-ups per period.
func init() {
	for _, period := range []time.Duration{time.Second, 100 * time.Millisecond} {
		register(Impl{
			Name: "poll-" + period.String(),
			Tag:  "poll",
			Doc:  "workers in select on the channel and time.After(" + period.String() + ")",
			New: func(workers int) Pool {
				return newPoll(workers, period)
			},
			Throughput: true,
		})
	}
}

type pollPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func newPoll(workers int, period time.Duration) Pool {
	p := &pollPool{tasks: make(chan func(), QueueSize)}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for {
				select {
				case t, ok := <-p.tasks:
					if !ok {
						return
					}
					t()
				case <-time.After(period):
					// Woken for nothing: the cost being measured.
				}
			}
		}()
	}
	return p
}

func (p *pollPool) Submit(t func()) { p.tasks <- t }

func (p *pollPool) Close() {
	close(p.tasks)
	p.wg.Wait()
}
