//go:build !solo || solo_ants

package impl

import (
	"time"

	"github.com/panjf2000/ants/v2"
)

// ants keeps a stack of idle workers, purges those idle longer than
// ExpiryDuration (1 s by default) from a ticker goroutine, and refreshes a
// cached clock from a second, 500 ms ticker. Both tickers run while the pool
// is idle, and importing the package starts a default pool with both.
func init() {
	register(Impl{
		Name:       "ants",
		Tag:        "ants",
		Doc:        "ants.NewPool(n), default options (idle workers purged after 1 s)",
		New:        func(n int) Pool { return newAnts(n) },
		Throughput: true,
	})
	register(Impl{
		Name:       "ants-nopurge",
		Tag:        "ants",
		Doc:        "ants.NewPool(n, ants.WithDisablePurge(true)): idle workers kept",
		New:        func(n int) Pool { return antsKeep{newAnts(n, ants.WithDisablePurge(true))} },
		Throughput: true,
	})
}

type antsPool struct{ p *ants.Pool }

func newAnts(n int, opts ...ants.Option) *antsPool {
	p, err := ants.NewPool(n, opts...)
	if err != nil {
		panic("impl: ants.NewPool: " + err.Error())
	}
	return &antsPool{p: p}
}

func (a *antsPool) Submit(t func()) {
	// Submit blocks while every worker is busy (the default, non-nonblocking
	// mode), so an error means the pool was closed: a bug in the caller.
	if err := a.p.Submit(t); err != nil {
		panic("impl: ants Submit: " + err.Error())
	}
}

func (a *antsPool) Close() {
	if err := a.p.ReleaseTimeout(10 * time.Second); err != nil {
		panic("impl: ants ReleaseTimeout: " + err.Error())
	}
}

func (a *antsPool) Resize(n int) { a.p.Tune(n) }

// Live counts ants' running workers: busy ones and idle ones not yet purged.
func (a *antsPool) Live() int { return a.p.Running() }

// antsKeep is ants without the purge goroutine. It does not implement
// Resizer: without the purge, Tune never lowers the number of live workers.
type antsKeep struct{ a *antsPool }

func (k antsKeep) Submit(t func()) { k.a.Submit(t) }

func (k antsKeep) Close() { k.a.Close() }
