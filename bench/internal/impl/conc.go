//go:build !solo || solo_conc

package impl

import "github.com/sourcegraph/conc/pool"

// conc's pool starts workers lazily, up to its limit, and keeps them parked
// on an unbuffered channel until Wait closes it.
func init() {
	register(Impl{
		Name:       "conc",
		Tag:        "conc",
		Doc:        "conc pool.New().WithMaxGoroutines(n)",
		New:        func(n int) Pool { return &concPool{p: pool.New().WithMaxGoroutines(n)} },
		Throughput: true,
	})
}

type concPool struct{ p *pool.Pool }

func (c *concPool) Submit(t func()) { c.p.Go(t) }

func (c *concPool) Close() { c.p.Wait() }
