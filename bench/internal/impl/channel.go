//go:build !solo || solo_channel

package impl

import "sync"

// The plain channel pool is the floor every pool is measured against:
// workers parked in `for t := range ch` cost the runtime nothing until a
// task arrives.
func init() {
	register(Impl{
		Name:       "channel",
		Tag:        "channel",
		Doc:        "workers ranging over a buffered channel (the floor)",
		New:        newChannel,
		Throughput: true,
	})
}

type channelPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func newChannel(workers int) Pool {
	p := &channelPool{tasks: make(chan func(), QueueSize)}
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

func (p *channelPool) Close() {
	close(p.tasks)
	p.wg.Wait()
}
