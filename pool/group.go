package pool

import (
	"context"
	"sync"
)

// Group runs related functions on a pool's workers and waits for them, like
// golang.org/x/sync/errgroup, but bounded by the pool: Go blocks while the
// backlog is full instead of starting a goroutine per function. Make one with
// [Pool.Group]. Its methods are safe for concurrent use.
type Group struct {
	p      *Pool
	cancel context.CancelCauseFunc
	unlink func() bool // stops the link that cancels the group when the pool stops
	wg     sync.WaitGroup

	// ctx is the group's context, handed to each of its functions; it is
	// derived here and ended by Wait, which is why the group keeps it.
	ctx context.Context

	errOnce sync.Once
	err     error
}

// Group returns a new Group running on p's workers and the ctx its functions
// receive, derived from ctx. That ctx is cancelled when a function first
// returns an error (or panics), when [Pool.Stop] is called, or when Wait
// returns, whichever comes first.
func (p *Pool) Group(ctx context.Context) (*Group, context.Context) {
	gctx, cancel := context.WithCancelCause(ctx)
	g := &Group{p: p, ctx: gctx, cancel: cancel}
	g.unlink = context.AfterFunc(p.ctx, func() { cancel(ErrClosed) })
	return g, gctx
}

// Go runs f on a worker of the pool with the group's ctx. It blocks while the
// pool's backlog is full, and returns nil once f is accepted, [ErrClosed] if
// the pool is closed (or closes while Go waits), or the group ctx's Err() if
// that ends first (a function of the group failed, or the parent ctx is
// done); then f will not run and the group does not wait for it. A panic in f
// becomes a [*PanicError], and a runtime.Goexit [ErrGoexit], like an error f
// returned.
func (g *Group) Go(f func(context.Context) error) error {
	if f == nil {
		panic("pool: Group.Go with nil function")
	}
	g.wg.Add(1)
	if err := g.p.submit(g.ctx, job{runner: &member{g: g, f: f}}, false); err != nil {
		g.wg.Done()
		return err
	}
	return nil
}

// Wait waits until every function accepted by Go has returned, or was taken
// from the backlog by [Pool.Stop] (the group's error is then [ErrClosed], if
// no function failed first), cancels the group's ctx, and returns the first
// error, or nil.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.unlink()
	g.cancel(g.err)
	return g.err
}

func (g *Group) setErr(err error) {
	g.errOnce.Do(func() {
		g.err = err
		g.cancel(err)
	})
}

// member is one function of a group, as the pool runs it. Exactly one of
// run (if f returns), fail (if f panics or calls runtime.Goexit) and abandon
// (if Stop takes it from the backlog) ends it, and tells the group.
type member struct {
	g *Group
	f func(context.Context) error
}

func (m *member) run(context.Context) {
	if err := m.f(m.g.ctx); err != nil {
		m.g.setErr(err)
	}
	m.g.wg.Done()
}

func (m *member) fail(err error) {
	m.g.setErr(err)
	m.g.wg.Done()
}

func (m *member) abandon() { m.fail(ErrClosed) }
