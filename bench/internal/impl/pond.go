//go:build !solo || solo_pond

package impl

import "github.com/alitto/pond/v2"

// pond v2 starts a worker per task up to its limit and lets a worker exit
// as soon as the queue is empty, so an idle pond pool has no workers left:
// its idle cost is that of the runtime, and a burst after a pause pays for
// new goroutines instead.
func init() {
	register(Impl{
		Name:       "pond",
		Tag:        "pond",
		Doc:        "pond.NewPool(n), default options (workers exit when the queue is empty)",
		New:        func(n int) Pool { return &pondPool{p: pond.NewPool(n)} },
		Throughput: true,
		IdleExit:   true,
	})
}

type pondPool struct{ p pond.Pool }

func (p *pondPool) Submit(t func()) {
	// Go fails only once the pool is stopped or, in non-blocking mode, full;
	// neither happens here.
	if err := p.p.Go(t); err != nil {
		panic("impl: pond Go: " + err.Error())
	}
}

func (p *pondPool) Close() { p.p.StopAndWait() }

func (p *pondPool) Resize(n int) { p.p.Resize(n) }

func (p *pondPool) Live() int { return int(p.p.RunningWorkers()) }
