package pool_test

// A model-based test of the pool: rapid draws a pool configuration (size,
// WithQueueSize 0 to 4, WithMaxWorkers or not, WithPanicHandler or not) and
// a random sequence of calls (Submit, TrySubmit, Go, Group.Go, Group.Wait,
// Resize including 0, Wait, Close, Stop, releasing tasks that block, and
// bursts: Storm, SubmitWait, ConcurrentStorm), with tasks that return, fail,
// panic, call runtime.Goexit or block until released, and a ledger of every
// task checks what the pool did against what it promised:
//
//   - A task accepted is run exactly once, or handed back by Stop (Submit and
//     TrySubmit tasks only), or, for Go and Group tasks that never started
//     when Stop came, fails its Future or Group with ErrClosed; a Go task
//     whose caller's ctx is done before it starts never starts. A task not
//     accepted never runs.
//   - Close returning nil means that every accepted task ran; Wait returning
//     nil that none was queued or running; Stop returns once every task
//     honours its cancelled ctx.
//   - A paused pool (Resize(0)) starts no task once its busy workers are done.
//   - A panic of a Submit or TrySubmit task reaches the handler, or else the
//     next Wait, Close or Stop, exactly once.
//   - Stats agree with the ledger at quiescence.
//
// Every test case runs in a testing/synctest bubble (rapid.SyncTest). That
// gives the test two things without a single sleep: synctest.Wait, which
// returns once every goroutine of the pool is blocked (quiescence: a worker
// that would start a task has started it), and a fake clock, so that a call
// bounded by a ctx with a deadline returns at its deadline exactly when
// everything else is blocked. A Submit, Wait or Close that returns
// DeadlineExceeded therefore saw a pool that could not make progress, and the
// test checks that it really could not (a free worker, room in the backlog,
// or nothing running means a missed wake-up).
//
// The bubble requires that the pool park its goroutines on channels, timers,
// sync.Cond or sync.WaitGroup made by the pool itself: a channel shared
// between pools (made outside the bubble) would make the bubble panic.
//
// The races of issue 12 show once in hundreds or thousands of tries, so
// SubmitWait and ConcurrentStorm repeat their round many times; in the bubble
// a round costs microseconds. The encoded API is the one issue 12 decides:
// pool.Go honours its ctx, Stop hands back only Submit and TrySubmit tasks,
// Stats.Panicked counts every panic, Stats.Workers leaves out busy workers
// told to exit. A failure is reported with the rapid seed; a race may not
// replay from it ("flaky test, can not reproduce a failure"): the original
// failure is printed then too.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"

	"github.com/lullgo/lull/pool"
)

type modelKind uint8

const (
	kindSubmit modelKind = iota
	kindTrySubmit
	kindGo
	kindGroup
)

var modelKindNames = [...]string{"Submit", "TrySubmit", "Go", "Group.Go"}

type modelBehavior uint8

const (
	behReturn modelBehavior = iota
	behPanic
	behGoexit
	behBlock // until released by the test, or its ctx is done
	behError // Go and Group tasks only: returns an error
)

var modelBehaviorNames = [...]string{"returns", "panics", "Goexits", "blocks", "fails"}

// modelPanic is the value a task panics with.
type modelPanic struct{ id int }

// errModelTask is wrapped by the error a failing task returns.
var errModelTask = errors.New("model: task failed")

// modelDeadline bounds every call that may block. In the bubble it passes
// only while everything is blocked, so its length does not matter, but
// modelLongDeadline, that of the ctxs given to pool.Go and Pool.Group, must
// never pass in a test: a blocked call's deadline is then always the first
// timer to fire, and the state the test sees after it is the blocked state.
const (
	modelDeadline     = time.Hour
	modelLongDeadline = 100_000 * time.Hour
)

// modelTask is one task of the ledger. The test goroutine owns the plain
// fields; the task itself sets the atomics.
type modelTask struct {
	id   int
	kind modelKind
	beh  modelBehavior

	accepted       bool // the call returned nil
	acceptedPaused bool // accepted after Resize(0), while still paused
	released       bool
	release        chan struct{}
	handed         atomic.Int32 // times handed back by Stop

	callerCtx       context.Context // Go: the ctx given to Go
	cancelCaller    context.CancelFunc
	callerCancelled bool // Go: the test cancelled callerCtx while the pool was quiet
	fut             modelFuture
	group           *modelGroup

	starts      atomic.Int32
	finished    atomic.Bool
	startedLate atomic.Bool // Go: started although its caller's ctx was done
}

func (tk *modelTask) String() string {
	return fmt.Sprintf("task %d (%s, %s)", tk.id, modelKindNames[tk.kind], modelBehaviorNames[tk.beh])
}

func (tk *modelTask) started() bool { return tk.starts.Load() > 0 }

// running reports whether tk started and has not finished.
func (tk *modelTask) running() bool { return tk.started() && !tk.finished.Load() }

// futureDone reports whether tk is a Go task whose Future is complete.
func (tk *modelTask) futureDone() bool {
	if tk.fut == nil {
		return false
	}
	select {
	case <-tk.fut.Done():
		return true
	default:
		return false
	}
}

// skipped reports whether tk is a Go task that will never start: its Future
// completed without it (its caller's ctx was done, or Stop came).
func (tk *modelTask) skipped() bool {
	return tk.kind == kindGo && !tk.started() && tk.futureDone()
}

type modelGroup struct {
	g      modelGroupAPI
	ctx    context.Context // the parent ctx
	gctx   context.Context // the ctx of its functions
	cancel context.CancelFunc
	tasks  []*modelTask
	waited bool
}

// poolModel drives one pool and keeps the ledger.
type poolModel struct {
	t *rapid.T
	p modelPool

	size, queueSize, maxWorkers int
	handler                     bool
	stopAtEnd                   bool

	closed    bool // Close or Stop called
	closeDone bool // Close returned nil, or Stop returned
	stopped   bool

	paused    bool // Resize(0) while open
	pauseSnap int  // tasks started at the first quiescence of the pause; -1 before it
	tasks     []*modelTask
	groups    []*modelGroup
	// The tasks of SubmitWait and ConcurrentStorm, too many to track one
	// by one: accepted, run, and handed back by Stop.
	quickAccepted, quickRuns, quickHands atomic.Int64
	rejected                             atomic.Uint64 // calls that returned ErrFull or ErrClosed
	handback                             atomic.Bool   // the test runs the tasks Stop handed back
	reportMu                             sync.Mutex
	reported                             map[int]int // panics of tasks reported, by task id
	reportedBy                           []string
}

func (m *poolModel) fatalf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), m.describe())
}

// describe summarises the pool and the ledger for a failure message.
func (m *poolModel) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pool: size %d, queue %d, max workers %d, handler %v; closed %v, stopped %v; Stats %+v\n",
		m.size, m.queueSize, m.maxWorkers, m.handler, m.closed, m.stopped, m.p.Stats())
	for _, tk := range m.tasks {
		fmt.Fprintf(&b, "  %v: accepted %v, starts %d, finished %v, handed %d, released %v\n",
			tk, tk.accepted, tk.starts.Load(), tk.finished.Load(), tk.handed.Load(), tk.released)
	}
	return b.String()
}

// body is the function of every task: it records its runs and behaves as
// drawn. A task run by the test after Stop handed it back only records that.
func (m *poolModel) body(tk *modelTask, ctx context.Context) (int, error) {
	if m.handback.Load() {
		tk.handed.Add(1)
		return 0, nil
	}
	if tk.kind == kindGo && tk.callerCtx.Err() != nil {
		tk.startedLate.Store(true)
	}
	tk.starts.Add(1)
	defer tk.finished.Store(true) // also on panic and Goexit
	switch tk.beh {
	case behPanic:
		panic(modelPanic{tk.id})
	case behGoexit:
		runtime.Goexit()
	case behBlock:
		select {
		case <-tk.release:
		case <-ctx.Done():
		}
	case behError:
		return 0, fmt.Errorf("task %d: %w", tk.id, errModelTask)
	}
	return tk.id, nil
}

// report records a panic that reached the handler, Wait, Close or Stop.
func (m *poolModel) report(pe *pool.PanicError, by string) {
	m.reportMu.Lock()
	defer m.reportMu.Unlock()
	v, ok := pe.Value.(modelPanic)
	if !ok {
		m.reportedBy = append(m.reportedBy, fmt.Sprintf("%s: foreign panic %v", by, pe.Value))
		return
	}
	m.reported[v.id]++
	m.reportedBy = append(m.reportedBy, fmt.Sprintf("%s: task %d", by, v.id))
}

// catch runs f, and records a *pool.PanicError it panics with. It reports
// whether f panicked.
func (m *poolModel) catch(by string, f func()) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*pool.PanicError)
			if !ok {
				panic(r)
			}
			m.report(pe, by)
			panicked = true
		}
	}()
	f()
	return false
}

func (m *poolModel) newTask(kind modelKind, beh modelBehavior) *modelTask {
	tk := &modelTask{id: len(m.tasks), kind: kind, beh: beh, release: make(chan struct{})}
	m.tasks = append(m.tasks, tk)
	return tk
}

func (m *poolModel) drawBehavior(t *rapid.T, kind modelKind) modelBehavior {
	behs := []modelBehavior{behReturn, behReturn, behReturn, behBlock, behBlock, behPanic, behGoexit}
	if kind == kindGo || kind == kindGroup {
		behs = append(behs, behError)
	}
	return rapid.SampledFrom(behs).Draw(t, "behavior")
}

// modelPick draws one of xs by its index, so that rapid's log of the draws
// stays readable.
func modelPick[T any](t *rapid.T, name string, xs []T) T {
	return xs[rapid.IntRange(0, len(xs)-1).Draw(t, name)]
}

// ceiling is how many workers may run tasks: none while paused.
func (m *poolModel) ceiling() int {
	if m.size == 0 {
		return 0
	}
	return max(m.size, m.maxWorkers)
}

// runningCount is the number of tasks that started and have not finished.
func (m *poolModel) runningCount() int {
	n := 0
	for _, tk := range m.tasks {
		if tk.running() {
			n++
		}
	}
	return n
}

// waiting reports whether tk is accepted and waits in the backlog for a
// worker: sure, or maybe. A Group task that has not started while its
// group's ctx is done may have been dropped, as pool.Go drops a task whose
// ctx is done: the model allows both.
func (m *poolModel) waiting(tk *modelTask) (sure, maybe bool) {
	if !tk.accepted || tk.started() || tk.handed.Load() > 0 || tk.skipped() {
		return false, false
	}
	if tk.kind == kindGroup && (m.stopped || tk.group.gctx.Err() != nil) {
		return false, !m.stopped
	}
	return true, true
}

// quickPending returns how many SubmitWait tasks were accepted and have not
// run. They never block: at quiescence they wait in the backlog.
func (m *poolModel) quickPending() int {
	return int(m.quickAccepted.Load() - m.quickRuns.Load() - m.quickHands.Load())
}

func (m *poolModel) quickBody(context.Context) {
	if m.handback.Load() {
		m.quickHands.Add(1)
		return
	}
	m.quickRuns.Add(1)
	runtime.Gosched() // a little longer, so that workers are busy when Resize comes
}

// queued returns how many accepted tasks wait in the backlog, at least and
// at most.
func (m *poolModel) queued() (lo, hi int) {
	lo = m.quickPending()
	hi = lo
	for _, tk := range m.tasks {
		sure, maybe := m.waiting(tk)
		if sure {
			lo++
		}
		if maybe {
			hi++
		}
	}
	return lo, hi
}

// unsettled returns the accepted tasks that surely (or, with maybe, that
// may) wait in the backlog or run.
func (m *poolModel) unsettled(maybe bool) []*modelTask {
	var out []*modelTask
	for _, tk := range m.tasks {
		sure, may := m.waiting(tk)
		if tk.running() || sure || maybe && may {
			out = append(out, tk)
		}
	}
	return out
}

// accept records the answer (nil, ErrFull or ErrClosed) of a call that
// submitted tk, and checks that it says ErrClosed exactly when the pool is
// closed; the caller checks the rest.
func (m *poolModel) accept(tk *modelTask, err error) {
	m.t.Helper()
	switch {
	case err == nil:
		tk.accepted = true
		tk.acceptedPaused = m.paused
	case errors.Is(err, pool.ErrFull), errors.Is(err, pool.ErrClosed):
		m.rejected.Add(1)
	}
	if m.closed && !errors.Is(err, pool.ErrClosed) {
		m.fatalf("%v after Close or Stop: got %v, want ErrClosed", tk, err)
	}
	if !m.closed && errors.Is(err, pool.ErrClosed) {
		m.fatalf("%v on an open pool: got ErrClosed", tk)
	}
}

// checkBlocked checks a call that returned its ctx's DeadlineExceeded: the
// fake clock passed the deadline only while every goroutine was blocked, so
// the pool could take no task then. With a worker free of blocked tasks, or
// room in the backlog, that is a missed wake-up.
func (m *poolModel) checkBlocked(what string) {
	m.t.Helper()
	if m.closed {
		return
	}
	if run, ceil := m.runningCount(), m.ceiling(); run < ceil {
		m.fatalf("%s blocked until its deadline while %d of %d workers ran a task", what, run, ceil)
	}
	if _, hi := m.queued(); hi < m.queueSize {
		m.fatalf("%s blocked until its deadline while the backlog held %d of %d tasks", what, hi, m.queueSize)
	}
}

func (m *poolModel) deadline() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), modelDeadline)
}

// free makes the pool quiescent and reports whether a call that submits
// a task cannot block: the pool is closed, a worker may take the task, or
// the backlog has room.
func (m *poolModel) free() bool {
	synctest.Wait()
	_, hi := m.queued()
	return m.closed || m.runningCount() < m.ceiling() || hi < m.queueSize
}

// Submit submits a task, with a ctx that ends only if the pool cannot take it.
func (m *poolModel) Submit(t *rapid.T) {
	tk := m.newTask(kindSubmit, m.drawBehavior(t, kindSubmit))
	ctx, cancel := m.deadline()
	defer cancel()
	err := m.p.Submit(ctx, func(ctx context.Context) { _, _ = m.body(tk, ctx) })
	m.submitted(tk, err)
}

func (m *poolModel) submitted(tk *modelTask, err error) {
	m.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		m.checkBlocked(tk.String())
		return
	}
	if err != nil && !errors.Is(err, pool.ErrClosed) {
		m.fatalf("%v: unexpected error %v", tk, err)
	}
	m.accept(tk, err)
}

// TrySubmit submits a task without waiting; quiet first makes the pool
// quiescent, so that the model knows whether a worker or room is free.
func (m *poolModel) TrySubmit(t *rapid.T) {
	quiet := rapid.Bool().Draw(t, "quiet")
	m.trySubmit(t, quiet)
}

func (m *poolModel) trySubmit(t *rapid.T, quiet bool) {
	tk := m.newTask(kindTrySubmit, m.drawBehavior(t, kindTrySubmit))
	if quiet {
		synctest.Wait()
	}
	st := m.p.Stats()
	lo, hi := m.queued()
	busy := m.runningCount()
	err := m.p.TrySubmit(func(ctx context.Context) { _, _ = m.body(tk, ctx) })
	if err != nil && !errors.Is(err, pool.ErrFull) && !errors.Is(err, pool.ErrClosed) {
		m.fatalf("%v: unexpected error %v", tk, err)
	}
	m.accept(tk, err)
	if m.closed {
		return
	}
	// Scenario 4a: Stats said a worker was idle, no task was queued or
	// running (so Stats are exact), and only the test submits.
	if errors.Is(err, pool.ErrFull) && st.Idle > 0 && hi == 0 && busy == 0 {
		m.fatalf("%v: ErrFull while Stats said %d workers idle and nothing was queued (%+v)", tk, st.Idle, st)
	}
	if !quiet {
		return
	}
	run, ceil := m.runningCount(), m.ceiling()
	switch {
	case errors.Is(err, pool.ErrFull) && (run < ceil || hi < m.queueSize):
		m.fatalf("%v: ErrFull on a quiet pool with %d of %d workers on blocked tasks and %d of %d backlog slots taken", tk, run, ceil, hi, m.queueSize)
	case err == nil && st.Idle == 0 && st.Busy+st.Idle >= ceil && lo >= m.queueSize:
		// (Stats, not the ledger, say whether a worker was idle, and
		// how many exist: workers start as tasks need them.)
		m.fatalf("%v: accepted on a quiet pool whose %d workers were all busy and backlog full (%d)", tk, ceil, lo)
	}
}

// Go runs a task through pool.Go, with a ctx that may be cancelled already,
// or later (CancelGo).
//
// pool.Go's ctx also bounds its f, so it cannot be a short deadline: the test
// calls Go only where it cannot block (see free), or with a done ctx.
func (m *poolModel) Go(t *rapid.T) {
	cancelled := rapid.IntRange(0, 4).Draw(t, "cancelled") == 0
	if !cancelled && !m.free() {
		t.Skip("Go could block")
	}
	tk := m.newTask(kindGo, m.drawBehavior(t, kindGo))
	tk.callerCtx, tk.cancelCaller = context.WithTimeout(context.Background(), modelLongDeadline)
	if cancelled {
		tk.cancelCaller()
		tk.callerCancelled = true
	}
	fut, err := m.p.Go(tk.callerCtx, func(ctx context.Context) (int, error) { return m.body(tk, ctx) })
	switch {
	case err == nil:
		tk.fut = fut
	case tk.callerCancelled && errors.Is(err, context.Canceled):
		return // not accepted: allowed for a ctx done before the call
	case !errors.Is(err, pool.ErrClosed):
		m.fatalf("%v: unexpected error %v on a pool that could take it", tk, err)
	}
	m.accept(tk, err)
	// Often cancel at once a task that waits in the backlog: it must then
	// never start.
	if err == nil && !cancelled && rapid.IntRange(0, 2).Draw(t, "cancel if queued") == 0 {
		synctest.Wait()
		if !tk.started() {
			tk.cancelCaller()
			tk.callerCancelled = true
		}
	}
}

// CancelGo cancels the caller's ctx of a Go task, while the pool is quiet: if
// the task has not started it must never start, and if it runs its ctx must
// be done.
func (m *poolModel) CancelGo(t *rapid.T) {
	var live []*modelTask
	for _, tk := range m.tasks {
		if tk.kind == kindGo && tk.accepted && !tk.callerCancelled && !tk.futureDone() {
			live = append(live, tk)
		}
	}
	if len(live) == 0 {
		t.Skip("no Go task to cancel")
	}
	tk := modelPick(t, "task", live)
	synctest.Wait()
	tk.cancelCaller()
	tk.callerCancelled = true
}

// GroupGo runs a task through Group.Go, on a new or an existing group.
//
// Like Go, it is called only where it cannot block.
func (m *poolModel) GroupGo(t *rapid.T) {
	if !m.free() {
		t.Skip("Group.Go could block")
	}
	var g *modelGroup
	if open := m.openGroups(); len(open) > 0 && rapid.IntRange(0, 3).Draw(t, "new group") > 0 {
		g = modelPick(t, "group", open)
	} else {
		g = &modelGroup{}
		g.ctx, g.cancel = context.WithTimeout(context.Background(), modelLongDeadline)
		g.g, g.gctx = m.p.Group(g.ctx)
		m.groups = append(m.groups, g)
	}
	tk := m.newTask(kindGroup, m.drawBehavior(t, kindGroup))
	tk.group = g
	err := g.g.Go(func(ctx context.Context) error { _, err := m.body(tk, ctx); return err })
	if errors.Is(err, context.DeadlineExceeded) {
		m.fatalf("%v: Group.Go blocked on a pool that could take it", tk)
	}
	if err == nil || errors.Is(err, pool.ErrClosed) || m.closed {
		m.accept(tk, err) // issue 12, scenario 8: ErrClosed once the pool is closed
		if err == nil {
			g.tasks = append(g.tasks, tk)
		}
		return
	}
	// The group's ctx ended: a function of it failed, or its parent did.
	if g.ctx.Err() == nil && !m.groupMayHaveFailed(g) {
		m.fatalf("%v: Group.Go returned %v, but no function of the group failed and its ctx is live", tk, err)
	}
}

func (m *poolModel) openGroups() []*modelGroup {
	var out []*modelGroup
	for _, g := range m.groups {
		if !g.waited {
			out = append(out, g)
		}
	}
	return out
}

func (m *poolModel) groupMayHaveFailed(g *modelGroup) bool {
	for _, tk := range g.tasks {
		if tk.started() && (tk.beh == behPanic || tk.beh == behGoexit || tk.beh == behError) {
			return true
		}
	}
	return false
}

// GroupWait waits for a group all of whose functions have finished.
func (m *poolModel) GroupWait(t *rapid.T) {
	var ready []*modelGroup
	synctest.Wait()
	for _, g := range m.openGroups() {
		if !slices.ContainsFunc(g.tasks, func(tk *modelTask) bool { return !tk.finished.Load() }) {
			ready = append(ready, g)
		}
	}
	if len(ready) == 0 {
		t.Skip("no group whose functions all finished")
	}
	m.groupWait(modelPick(t, "group", ready))
}

// groupWait calls g.Wait, which has no ctx: another goroutine runs it, and
// the fake clock reports it if it blocks for good.
func (m *poolModel) groupWait(g *modelGroup) {
	m.t.Helper()
	g.waited = true
	done := make(chan error, 1)
	go func() { done <- g.g.Wait() }()
	timer := time.NewTimer(modelDeadline)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		m.fatalf("Group.Wait blocked while every function of the group had finished or been abandoned")
	}
	g.cancel()
	// The group's error is the first failure, or ErrClosed for a
	// function Stop abandoned, or nil.
	var failed, abandoned bool
	for _, tk := range g.tasks {
		switch {
		case tk.started() && tk.beh != behBlock && tk.beh != behReturn:
			failed = true
		case !tk.started() && m.stopped:
			abandoned = true
		}
	}
	var pe *pool.PanicError
	switch {
	case err == nil && (failed || abandoned):
		m.fatalf("Group.Wait returned nil, but a function failed (%v) or was abandoned by Stop (%v)", failed, abandoned)
	case err == nil:
	case errors.Is(err, errModelTask), errors.As(err, &pe), errors.Is(err, pool.ErrGoexit):
		if !failed {
			m.fatalf("Group.Wait returned %v, but no function of the group failed", err)
		}
	case errors.Is(err, pool.ErrClosed):
		if !abandoned && !m.stopped {
			m.fatalf("Group.Wait returned ErrClosed, but Stop abandoned no function of the group")
		}
	default:
		m.fatalf("Group.Wait returned %v", err)
	}
}

// Release releases a task that blocks.
func (m *poolModel) Release(t *rapid.T) {
	var held []*modelTask
	for _, tk := range m.tasks {
		if tk.beh == behBlock && !tk.released {
			held = append(held, tk)
		}
	}
	if len(held) == 0 {
		t.Skip("no task to release")
	}
	m.release(modelPick(t, "task", held))
}

func (m *poolModel) release(tk *modelTask) {
	if !tk.released {
		tk.released = true
		close(tk.release)
	}
}

func (m *poolModel) releaseAll() {
	for _, tk := range m.tasks {
		if tk.beh == behBlock {
			m.release(tk)
		}
	}
}

// Resize sets the number of workers, 0 (pause) included.
func (m *poolModel) Resize(t *rapid.T) {
	m.resize(rapid.IntRange(0, 4).Draw(t, "n"))
}

func (m *poolModel) resize(n int) {
	if n > 0 && m.paused {
		m.unpause()
	}
	m.p.Resize(n)
	m.size = n
	if n == 0 && !m.paused && !m.closed {
		m.paused, m.pauseSnap = true, -1
	}
	if got := m.p.Size(); got != n {
		m.fatalf("Size() = %d after Resize(%d)", got, n)
	}
}

// Storm runs a burst of Resize, Submit, TrySubmit, Go and Release calls with
// no pause in between, and sometimes ends it with Close, racing the workers
// (issue 12, scenario 1).
func (m *poolModel) Storm(t *rapid.T) {
	for i := range rapid.IntRange(2, 12).Draw(t, "ops") {
		switch rapid.IntRange(0, 5).Draw(t, fmt.Sprint("op", i)) {
		case 0, 1:
			m.resize(rapid.IntRange(0, 4).Draw(t, "n"))
		case 2:
			m.trySubmit(t, false)
		case 3:
			if !m.closed {
				m.Submit(t)
			}
		case 4:
			if m.free() {
				m.Go(t)
			}
		case 5:
			if held := m.heldUnreleased(); len(held) > 0 {
				m.release(modelPick(t, "task", held))
			}
		}
	}
	if !m.closed && rapid.IntRange(0, 3).Draw(t, "close") == 0 {
		m.releaseAll()
		m.close()
	}
}

func (m *poolModel) heldUnreleased() []*modelTask {
	var out []*modelTask
	for _, tk := range m.tasks {
		if tk.beh == behBlock && !tk.released {
			out = append(out, tk)
		}
	}
	return out
}

// Wait waits for the pool to be quiet, bounded by a deadline.
func (m *poolModel) Wait(t *rapid.T) {
	ctx, cancel := m.deadline()
	defer cancel()
	var err error
	if m.catch("Wait", func() { err = m.p.Wait(ctx) }) {
		return // a Submit task's panic, raised by Wait
	}
	switch {
	case err == nil:
		// Issue 12: Wait must not return while a task is queued or runs.
		if u := m.unsettled(false); len(u) > 0 {
			m.fatalf("Wait returned nil while %v was queued or running", u[0])
		}
		if n := m.quickPending(); n > 0 {
			m.fatalf("Wait returned nil while %d tasks of SubmitWait had not run", n)
		}
	case errors.Is(err, context.DeadlineExceeded):
		// Every goroutine was blocked: unless a task was queued (on a
		// paused pool) or blocked, Wait missed its wake-up (scenario 2).
		if len(m.unsettled(true)) == 0 && m.quickPending() == 0 {
			m.fatalf("Wait blocked until its deadline on a quiet pool (missed wake-up)")
		}
	default:
		m.fatalf("Wait returned %v", err)
	}
}

// SubmitWait releases the blocked tasks, then submits a few tasks that
// return at once and waits for them, many times over: each Wait must return
// (scenario 2: Wait missed the wake-up of the last worker going idle).
func (m *poolModel) SubmitWait(t *rapid.T) {
	if m.closed || m.size == 0 {
		t.Skip("Wait could block")
	}
	m.releaseAll()
	// Each round is cheap in the bubble; the race of scenario 2 shows
	// about once in a few thousand rounds.
	for range rapid.IntRange(1, 3000).Draw(t, "rounds") {
		for range rapid.IntRange(1, 3).Draw(t, "tasks") {
			ctx, cancel := m.deadline()
			err := m.p.Submit(ctx, m.quickBody)
			cancel()
			switch {
			case err == nil:
				m.quickAccepted.Add(1)
			case errors.Is(err, context.DeadlineExceeded):
				m.checkBlocked("Submit")
			default:
				m.fatalf("Submit on an open pool: %v", err)
			}
		}
		m.Wait(t)
	}
}

// trySubmitQuick calls TrySubmit with a quick task on an open pool, counts
// the answer, and returns it if it is neither nil nor ErrFull. It is safe for
// concurrent use.
func (m *poolModel) trySubmitQuick() error {
	switch err := m.p.TrySubmit(m.quickBody); {
	case err == nil:
		m.quickAccepted.Add(1)
	case errors.Is(err, pool.ErrFull):
		m.rejected.Add(1)
	default:
		return err
	}
	return nil
}

// ConcurrentStorm races goroutines calling TrySubmit against one calling
// Resize, over many rounds, and checks each round at quiescence: with a
// final Resize(0), no worker may be left idle and a task submitted then must
// not run (scenario 3: a worker busy while Resize retired the others parked
// instead of leaving); and nothing accepted may be lost.
func (m *poolModel) ConcurrentStorm(t *rapid.T) {
	if m.closed {
		t.Skip("closed")
	}
	m.unpause() // the storm resizes: what waited may run
	submitters := rapid.IntRange(1, 4).Draw(t, "submitters")
	for range rapid.IntRange(1, 400).Draw(t, "rounds") {
		final := rapid.IntRange(0, 4).Draw(t, "final size")
		var wg sync.WaitGroup
		var unexpected atomic.Value // an error TrySubmit should not return
		for range submitters {
			wg.Go(func() {
				for range 8 {
					if err := m.trySubmitQuick(); err != nil {
						unexpected.Store(err)
					}
				}
			})
		}
		wg.Go(func() {
			runtime.Gosched()
			m.p.Resize(final)
		})
		wg.Wait()
		if err := unexpected.Load(); err != nil {
			m.fatalf("TrySubmit on an open pool: %v", err)
		}
		m.size = final
		if final == 0 {
			m.paused, m.pauseSnap = true, -1
		}
		synctest.Wait()
		m.checkQuiet()
		if !m.paused {
			continue
		}
		before := m.quickRuns.Load()
		if err := m.trySubmitQuick(); err != nil {
			m.fatalf("TrySubmit on a paused pool: %v", err)
		}
		synctest.Wait()
		if ran := m.quickRuns.Load() - before; ran > 0 {
			m.fatalf("a task submitted to the paused pool ran (scenario 3)")
		}
		m.unpause()
		m.resize(rapid.IntRange(1, 4).Draw(t, "size"))
	}
}

// Close closes the pool, its blocked tasks released or not.
//
// Close and Stop act on an open pool once in four draws only: the pool should
// mostly be open, and the teardown shuts it down anyway.
func (m *poolModel) Close(t *rapid.T) {
	if !m.closed && rapid.IntRange(0, 3).Draw(t, "close now") > 0 {
		t.Skip("not yet")
	}
	if rapid.Bool().Draw(t, "release first") {
		m.releaseAll()
	}
	m.close()
}

func (m *poolModel) close() {
	m.t.Helper()
	m.unpause() // a paused pool drains with one worker
	m.closed = true
	ctx, cancel := m.deadline()
	defer cancel()
	var err error
	for range len(m.tasks) + 2 { // a Submit task's panic is raised by Close, one per call
		if !m.catch("Close", func() { err = m.p.Close(ctx) }) {
			break
		}
	}
	switch {
	case err == nil && m.stopped:
		m.fatalf("Close returned nil after Stop: Stop handed back or abandoned what had not started")
	case errors.Is(err, pool.ErrStopped):
		if !m.stopped {
			m.fatalf("Close returned ErrStopped, but Stop was never called")
		}
	case err == nil:
		m.closeDone = true
		// Scenario 1: Close returning nil means that every accepted
		// task ran (or, for Go, was skipped for its cancelled ctx).
		if u := m.unsettled(false); len(u) > 0 {
			m.fatalf("Close returned nil but %v never finished", u[0])
		}
		if n := m.quickPending(); n > 0 {
			m.fatalf("Close returned nil but %d tasks of SubmitWait never ran", n)
		}
		if st := m.p.Stats(); st.Workers != 0 || st.Busy != 0 || st.Idle != 0 || st.Queued != 0 {
			m.fatalf("Close returned nil, but Stats are %+v", st)
		}
	case errors.Is(err, context.DeadlineExceeded):
		if m.runningCount() == 0 {
			m.fatalf("Close blocked until its deadline while no task ran")
		}
	default:
		m.fatalf("Close returned %v", err)
	}
}

// Stop stops the pool, and runs (in the test goroutine, with only a count
// kept) the tasks it hands back.
func (m *poolModel) Stop(t *rapid.T) {
	if !m.closed && rapid.IntRange(0, 3).Draw(t, "stop now") > 0 {
		t.Skip("not yet")
	}
	m.stop()
}

func (m *poolModel) stop() {
	m.t.Helper()
	m.unpause()
	m.closed, m.stopped = true, true
	ctx, cancel := m.deadline()
	defer cancel()
	tasks, err := m.p.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		m.fatalf("Stop blocked until its deadline, though every task returns once its ctx is done")
	}
	for _, e := range modelFlatten(err) {
		var pe *pool.PanicError
		if !errors.As(e, &pe) {
			m.fatalf("Stop returned %v", e)
		}
		m.report(pe, "Stop")
	}
	m.handback.Store(true)
	for _, task := range tasks {
		task(context.Background())
	}
	m.handback.Store(false)
	m.closeDone = true
	for _, tk := range m.tasks {
		switch h := tk.handed.Load(); {
		case h > 0 && tk.kind != kindSubmit && tk.kind != kindTrySubmit:
			// The new API: Stop hands back only Submit and TrySubmit tasks.
			m.fatalf("Stop handed back %v: only Submit and TrySubmit tasks are handed back", tk)
		case h > 0 && (!tk.accepted || tk.started()):
			m.fatalf("Stop handed back %v, which was not accepted or had started", tk)
		case h > 1:
			m.fatalf("Stop handed back %v %d times", tk, h)
		}
	}
}

// modelFlatten returns the errors joined in err.
func modelFlatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, modelFlatten(e)...)
		}
		return out
	}
	return []error{err}
}

// Quiesce waits until every goroutine of the pool is blocked and checks the
// ledger and Stats.
func (m *poolModel) Quiesce(t *rapid.T) {
	synctest.Wait()
	m.checkQuiet()
}

func (m *poolModel) checkQuiet() {
	m.t.Helper()
	m.checkLedger()
	started := int(m.quickRuns.Load())
	for _, tk := range m.tasks {
		if tk.started() {
			started++
		}
		if tk.kind == kindGo && tk.callerCancelled && tk.running() && tk.beh == behBlock && !tk.released {
			m.fatalf("%v still runs after its caller's ctx was cancelled: its ctx must end with the caller's", tk)
		}
	}
	// Scenario 3: a paused pool starts nothing once its busy workers
	// are done; the first quiescence of the pause is that moment.
	if m.paused && !m.closed {
		m.checkPausedStartedNothing()
		if m.pauseSnap < 0 {
			m.pauseSnap = started
		} else if started != m.pauseSnap {
			m.fatalf("the paused pool started %d tasks after it was quiet", started-m.pauseSnap)
		}
	}

	st := m.p.Stats()
	run := m.runningCount()
	lo, hi := m.queued()
	accepted, finished, skippable, panicked := int(m.quickAccepted.Load()), int(m.quickRuns.Load()), 0, 0
	for _, tk := range m.tasks {
		if tk.accepted {
			accepted++
		}
		if tk.finished.Load() {
			finished++
		}
		if (tk.kind == kindGo || tk.kind == kindGroup) && tk.accepted && !tk.started() {
			skippable++ // dropped without running, maybe counted as completed
		}
		if tk.beh == behPanic && tk.started() {
			panicked++
		}
	}
	fail := func(format string, args ...any) {
		m.t.Helper()
		m.fatalf("at quiescence, Stats %+v: %s", st, fmt.Sprintf(format, args...))
	}
	// The counters of finished tasks are exact once the pool is quiet;
	// while a task runs they may lag (Stats' doc), not run ahead.
	quiet := run == 0 && hi == 0
	switch {
	case st.Submitted != uint64(accepted):
		fail("Submitted is %d, but %d tasks were accepted", st.Submitted, accepted)
	case st.Panicked > uint64(panicked) || quiet && st.Panicked != uint64(panicked):
		fail("Panicked is %d, but %d tasks panicked (scenario 9: every entry point counts)", st.Panicked, panicked)
	case st.Completed > uint64(finished+skippable) || quiet && st.Completed < uint64(finished):
		fail("Completed is %d, but %d tasks finished", st.Completed, finished)
	case st.Rejected != m.rejected.Load():
		fail("Rejected is %d, but %d calls returned ErrFull or ErrClosed", st.Rejected, m.rejected.Load())
	case st.Queued < lo || st.Queued > hi:
		fail("Queued is %d, but %d accepted tasks wait (%d more may)", st.Queued, lo, hi-lo)
	case st.Workers > st.Busy+st.Idle:
		// Busy counts the workers running a task, also those told to
		// exit after it, which Workers leaves out.
		fail("Workers is above Busy + Idle")
	}
	if m.closeDone {
		if st.Workers != 0 || st.Queued != 0 {
			fail("workers or tasks left after Close or Stop returned")
		}
		return
	}
	if m.closed {
		return // draining
	}
	switch ceil := m.ceiling(); {
	case m.size == 0 && st.Idle != 0:
		fail("%d idle workers on a paused pool (scenario 3)", st.Idle)
	case m.size == 0 && st.Workers != 0:
		fail("Workers is %d on a paused pool: busy workers told to exit do not count (scenario 9)", st.Workers)
	case st.Workers > ceil:
		// Workers start as tasks need them, so fewer than Size is
		// right; more than may stay is not (scenario 9).
		fail("Workers is %d, above Size %d (max %d): busy workers told to exit do not count (scenario 9)", st.Workers, m.size, ceil)
	case m.size > 0 && m.maxWorkers <= m.size && lo > 0 && st.Busy+st.Idle < ceil:
		// (Growth under autoscaling is checked where a task is
		// submitted: see TrySubmit and Submit.)
		fail("%d tasks wait while only %d of %d workers exist", lo, st.Busy+st.Idle, ceil)
	case st.Busy > run:
		// Fewer is right when a shrink told a busy worker to exit.
		fail("Busy is %d, but %d tasks run", st.Busy, run)
	case m.size > 0 && lo > 0 && st.Idle > 0:
		fail("%d idle workers while %d tasks wait", st.Idle, lo)
	}
}

// checkPausedStartedNothing checks that no task accepted while the pool was
// paused has started. Called while it still is, and as it stops being (a
// Resize, Close or Stop), it is exact: a start it sees came before.
func (m *poolModel) checkPausedStartedNothing() {
	m.t.Helper()
	if !m.paused || m.closed {
		return
	}
	for _, tk := range m.tasks {
		if tk.acceptedPaused && tk.started() {
			m.fatalf("%v, accepted after Resize(0), started on the paused pool (scenario 3)", tk)
		}
	}
}

// unpause ends the model's pause, checking it first.
func (m *poolModel) unpause() {
	m.checkPausedStartedNothing()
	m.paused = false
	for _, tk := range m.tasks {
		tk.acceptedPaused = false
	}
}

// checkLedger checks what holds at any moment: no task ran twice, none ran
// without being accepted, no Go task started after its caller's ctx ended.
func (m *poolModel) checkLedger() {
	m.t.Helper()
	if n := m.quickRuns.Load() + m.quickHands.Load(); n > m.quickAccepted.Load() {
		m.fatalf("%d quick tasks were accepted, but %d ran or were handed back", m.quickAccepted.Load(), n)
	}
	for _, tk := range m.tasks {
		switch n := tk.starts.Load(); {
		case n > 1:
			m.fatalf("%v ran %d times", tk, n)
		case n > 0 && tk.handed.Load() > 0:
			m.fatalf("%v ran and was handed back", tk)
		case tk.startedLate.Load():
			m.fatalf("%v started although its caller's ctx was done (pool.Go must honour it)", tk)
		}
	}
}

// checkNotAccepted checks, once the pool is gone, that no task refused ran.
func (m *poolModel) checkNotAccepted() {
	m.t.Helper()
	for _, tk := range m.tasks {
		if !tk.accepted && (tk.started() || tk.handed.Load() > 0) {
			m.fatalf("%v was not accepted, but ran or was handed back", tk)
		}
	}
}

// teardown shuts the pool down, releasing every task, and checks the whole
// ledger: every accepted task ran exactly once or was handed back, every
// Future and Group ended as its tasks did, and every panic was reported once.
func (m *poolModel) teardown() {
	m.t.Helper()
	if !m.closeDone || (m.stopAtEnd && !m.stopped) {
		if m.stopAtEnd {
			m.stop() // blocked tasks return as their ctx ends
		} else {
			m.releaseAll()
			m.close()
		}
	}
	m.releaseAll()
	// Raise what panics are left (Close raises one per call).
	ctx, cancel := m.deadline()
	defer cancel()
	for range len(m.tasks) + 1 {
		if !m.catch("Close", func() { _ = m.p.Close(ctx) }) {
			break
		}
	}
	m.checkLedger()
	m.checkNotAccepted()
	if n := m.quickPending(); n != 0 {
		m.fatalf("%d tasks of SubmitWait were accepted, but neither ran nor were handed back", n)
	}
	for _, tk := range m.tasks {
		if !tk.accepted {
			continue
		}
		ran := tk.starts.Load() == 1
		switch tk.kind {
		case kindSubmit, kindTrySubmit:
			if !ran && tk.handed.Load() != 1 {
				m.fatalf("%v was accepted, but neither ran nor was handed back", tk)
			}
		case kindGo:
			m.checkFuture(tk)
		case kindGroup:
			if !ran && !m.stopped && tk.group.gctx.Err() == nil {
				m.fatalf("%v was accepted and never ran, but the pool was closed, not stopped", tk)
			}
		}
	}
	for _, g := range m.openGroups() {
		m.groupWait(g)
	}
	m.checkPanics()
	m.checkQuiet()
	for _, g := range m.groups {
		g.cancel()
	}
	for _, tk := range m.tasks {
		if tk.cancelCaller != nil {
			tk.cancelCaller()
		}
	}
}

// cleanup shuts the pool down after a failure, checking nothing, so that
// the bubble ends with no goroutine left and the failure is the one reported.
func (m *poolModel) cleanup() {
	m.releaseAll()
	ctx, cancel := m.deadline()
	defer cancel()
	for range len(m.tasks) + 2 {
		if !m.catch("cleanup", func() { _, _ = m.p.Stop(ctx) }) && !m.catch("cleanup", func() { _ = m.p.Close(ctx) }) {
			break
		}
	}
	for _, g := range m.groups {
		g.cancel()
	}
	for _, tk := range m.tasks {
		if tk.cancelCaller != nil {
			tk.cancelCaller()
		}
	}
}

// checkFuture checks the Future of an accepted Go task, once the pool is gone.
func (m *poolModel) checkFuture(tk *modelTask) {
	m.t.Helper()
	if !tk.futureDone() {
		m.fatalf("%v: its Future is not done after the pool shut down", tk)
	}
	v, err := tk.fut.Get(context.Background())
	var pe *pool.PanicError
	if !tk.started() {
		// Never started: Stop came first (ErrClosed), or its ctx ended.
		if !errors.Is(err, pool.ErrClosed) && (tk.callerCtx.Err() == nil || !errors.Is(err, tk.callerCtx.Err())) {
			m.fatalf("%v never started, and its Future says %v, %v (want ErrClosed or its ctx's error)", tk, v, err)
		}
		if !m.stopped && errors.Is(err, pool.ErrClosed) {
			m.fatalf("%v never started on a pool that was closed, not stopped", tk)
		}
		return
	}
	ok := false
	switch tk.beh {
	case behReturn, behBlock:
		ok = err == nil && v == tk.id
	case behError:
		ok = errors.Is(err, errModelTask)
	case behPanic:
		ok = errors.As(err, &pe) && pe.Value == modelPanic{tk.id}
	case behGoexit:
		ok = errors.Is(err, pool.ErrGoexit)
	}
	if !ok {
		m.fatalf("%v ran, and its Future says %v, %v", tk, v, err)
	}
}

// checkPanics checks that every panic of a Submit or TrySubmit task was
// reported once, by the handler or else by Wait, Close or Stop, and that
// no other panic was.
func (m *poolModel) checkPanics() {
	m.t.Helper()
	m.reportMu.Lock()
	defer m.reportMu.Unlock()
	for _, tk := range m.tasks {
		want := 0
		if tk.beh == behPanic && tk.started() && (tk.kind == kindSubmit || tk.kind == kindTrySubmit) {
			want = 1
		}
		if got := m.reported[tk.id]; got != want {
			m.fatalf("the panic of %v was reported %d times, want %d (reports: %v)", tk, got, want, m.reportedBy)
		}
	}
	for _, r := range m.reportedBy {
		if strings.Contains(r, "foreign") {
			m.fatalf("unexpected panic report %s", r)
		}
	}
}

// modelPool is what the model calls: a *pool.Pool (realPool), or the
// reference pool of modelref_test.go that checks the model itself.
type modelPool interface {
	Submit(ctx context.Context, t pool.Task) error
	TrySubmit(t pool.Task) error
	Go(ctx context.Context, f func(context.Context) (int, error)) (modelFuture, error)
	Group(ctx context.Context) (modelGroupAPI, context.Context)
	Resize(n int)
	Size() int
	Stats() pool.Stats
	Wait(ctx context.Context) error
	Close(ctx context.Context) error
	Stop(ctx context.Context) ([]pool.Task, error)
}

type modelFuture interface {
	Done() <-chan struct{}
	Get(ctx context.Context) (int, error)
}

type modelGroupAPI interface {
	Go(f func(context.Context) error) error
	Wait() error
}

// modelConfig is a pool's configuration, as drawn.
type modelConfig struct {
	size, queueSize, maxWorkers int // maxWorkers 0: no WithMaxWorkers
	onPanic                     func(*pool.PanicError)
}

// realPool adapts *pool.Pool to modelPool.
type realPool struct{ *pool.Pool }

func newRealPool(c modelConfig) modelPool {
	opts := []pool.Option{pool.WithQueueSize(c.queueSize)}
	if c.maxWorkers > 0 {
		opts = append(opts, pool.WithMaxWorkers(c.maxWorkers))
	}
	if c.onPanic != nil {
		opts = append(opts, pool.WithPanicHandler(c.onPanic))
	}
	return realPool{pool.New(c.size, opts...)}
}

func (p realPool) Go(ctx context.Context, f func(context.Context) (int, error)) (modelFuture, error) {
	fut, err := pool.Go(ctx, p.Pool, f)
	if err != nil {
		return nil, err
	}
	return fut, nil
}

func (p realPool) Group(ctx context.Context) (modelGroupAPI, context.Context) {
	return p.Pool.Group(ctx)
}

// TestPoolModel checks random sequences of calls on pools of random
// configurations against the ledger (see the file's header).
func TestPoolModel(t *testing.T) {
	runPoolModel(t, newRealPool)
}

// runPoolModel runs the model on pools made by newPool.
func runPoolModel(t *testing.T, newPool func(modelConfig) modelPool) {
	// More Ps than CPUs: the OS preempts workers in the middle of a step.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4 * runtime.NumCPU()))
	rapid.Check(t, func(t *rapid.T) {
		rapid.SyncTest(t, func(t *rapid.T) {
			m := &poolModel{
				t:         t,
				size:      rapid.IntRange(0, 3).Draw(t, "size"),
				queueSize: rapid.SampledFrom([]int{0, 1, 2, 4}).Draw(t, "queue size"),
				handler:   rapid.Bool().Draw(t, "panic handler"),
				stopAtEnd: rapid.Bool().Draw(t, "stop at end"),
				reported:  make(map[int]int),
				pauseSnap: -1,
			}
			if rapid.Bool().Draw(t, "autoscale") {
				m.maxWorkers = m.size + rapid.IntRange(1, 3).Draw(t, "extra workers")
			}
			c := modelConfig{size: m.size, queueSize: m.queueSize, maxWorkers: m.maxWorkers}
			if m.handler {
				c.onPanic = func(pe *pool.PanicError) { m.report(pe, "handler") }
			}
			m.p = newPool(c)
			m.paused = m.size == 0
			defer func() {
				if r := recover(); r != nil {
					m.cleanup() // the test failed: only leave nothing running
					panic(r)
				}
				m.teardown()
			}()
			t.Repeat(map[string]func(*rapid.T){
				"Submit":          m.Submit,
				"TrySubmit":       m.TrySubmit,
				"Go":              m.Go,
				"CancelGo":        m.CancelGo,
				"GroupGo":         m.GroupGo,
				"GroupWait":       m.GroupWait,
				"Release":         m.Release,
				"Resize":          m.Resize,
				"Storm":           m.Storm,
				"Wait":            m.Wait,
				"SubmitWait":      m.SubmitWait,
				"ConcurrentStorm": m.ConcurrentStorm,
				"Close":           m.Close,
				"Stop":            m.Stop,
				"Quiesce":         m.Quiesce,
				"":                func(*rapid.T) { m.checkLedger() },
			})
		})
	})
}
