//go:build !solo || solo_lullqueue

package impl

import (
	"context"
	"sync"

	"github.com/lullgo/lull/queue"
)

// lull-queue is a hand-rolled pool on lull's queue: workers block in
// queue.Get, which parks them on a channel with no timer, and Close lets
// them take what is buffered and then return.
func init() {
	register(Impl{
		Name:       "lull-queue",
		Tag:        "lullqueue",
		Doc:        "workers blocked in lull queue.Get (queue.New[func()](1024))",
		New:        newLullQueue,
		Throughput: true,
	})
}

type lullQueuePool struct {
	q  *queue.Queue[func()]
	wg sync.WaitGroup
}

func newLullQueue(workers int) Pool {
	p := &lullQueuePool{q: queue.New[func()](QueueSize)}
	ctx := context.Background()
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for {
				t, err := p.q.Get(ctx)
				if err != nil {
					// ErrClosed: the queue is closed and empty.
					return
				}
				t()
			}
		}()
	}
	return p
}

func (p *lullQueuePool) Submit(t func()) { p.put(context.Background(), t) }

// RepeatContext puts t under ctx: the submitter's ctx bounds its wait for
// room, as Put's does.
func (p *lullQueuePool) RepeatContext(ctx context.Context, t func()) func() {
	return func() { p.put(ctx, t) }
}

func (p *lullQueuePool) put(ctx context.Context, t func()) {
	// The benchmarks never cancel ctx while they submit, so Put fails only
	// once the queue is closed: a bug in the caller.
	if err := p.q.Put(ctx, t); err != nil {
		panic("impl: lull queue Put: " + err.Error())
	}
}

func (p *lullQueuePool) Close() {
	p.q.Close()
	p.wg.Wait()
}
