//go:build !solo || solo_errgroup

package impl

import "golang.org/x/sync/errgroup"

// errgroup with SetLimit has no workers: each Go starts a goroutine for its
// one task, once fewer than the limit are running. Idle, nothing is left.
func init() {
	register(Impl{
		Name: "errgroup",
		Tag:  "errgroup",
		Doc:  "errgroup.Group with SetLimit(n): a goroutine per task",
		New: func(n int) Pool {
			g := &errgroup.Group{}
			g.SetLimit(n)
			return &errgroupPool{g: g}
		},
		Throughput: true,
	})
}

type errgroupPool struct{ g *errgroup.Group }

func (e *errgroupPool) Submit(t func()) {
	e.g.Go(func() error {
		t()
		return nil
	})
}

func (e *errgroupPool) Close() {
	// The tasks never fail, so Wait returns nil.
	_ = e.g.Wait()
}

// Repeat converts t to errgroup's func() error once.
func (e *errgroupPool) Repeat(t func()) func() {
	f := func() error {
		t()
		return nil
	}
	return func() { e.g.Go(f) }
}
