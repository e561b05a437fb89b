//go:build !solo || solo_channel

package impl

import (
	"context"
	"sync"
)

// The plain channel pool is the floor every pool is measured against:
// workers parked in `for t := range ch` cost the runtime nothing until a
// task arrives. channel-q0 is the same over an unbuffered channel, the floor
// for the designs that hold no task waiting (lull-pool-q0, conc, errgroup,
// ants).
func init() {
	register(Impl{
		Name:       "channel",
		Tag:        "channel",
		Doc:        "workers ranging over a buffered channel (the floor)",
		New:        func(n int) Pool { return newChannel(n, QueueSize) },
		Throughput: true,
	})
	register(Impl{
		Name:       "channel-q0",
		Tag:        "channel",
		Doc:        "workers ranging over an unbuffered channel (the floor with no task buffer)",
		New:        func(n int) Pool { return newChannel(n, 0) },
		Throughput: true,
	})
}

type channelPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func newChannel(workers, buffer int) Pool {
	p := &channelPool{tasks: make(chan func(), buffer)}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for t := range p.tasks {
				t()
			}
		}()
	}
	return p
}

func (p *channelPool) Submit(t func()) { p.tasks <- t }

// RepeatContext sends with a select on ctx.Done(), as a caller that holds a
// cancellable ctx writes it; with a ctx that cannot be cancelled it is the
// plain send.
func (p *channelPool) RepeatContext(ctx context.Context, t func()) func() {
	done := ctx.Done()
	if done == nil {
		return func() { p.tasks <- t }
	}
	return func() {
		select {
		case p.tasks <- t:
		case <-done:
			panic("impl: channel send: " + ctx.Err().Error())
		}
	}
}

func (p *channelPool) Close() {
	close(p.tasks)
	p.wg.Wait()
}
