package queue_test

// Linearizability tests: many goroutines run random operations on one queue,
// each call and return is stamped from one atomic clock, and porcupine then
// searches for an order of the operations, each taking effect at one instant
// inside its call, that a sequential model accepts. A history no such order
// explains is a bug, whatever the interleaving that produced it.
//
// The sequential model (linModel) is a bounded queue with a closed flag:
//
//   - Put/TryPut succeed only if the queue is open and holds fewer than Cap
//     items (a Put that waited took room at the instant it got it); TryPut's
//     ErrFull means it held Cap items, and ErrClosed that it was closed.
//   - Get/TryGet take the head: the oldest item for Queue, the least item for
//     Priority with ties taken oldest first. ErrEmpty means empty and open,
//     ErrClosed closed and empty.
//   - A Put, Get or GetBatch that returns ctx.Err() did nothing.
//   - Len counts the items; Close sets the flag.
//   - GetBatch and Drain are not one atomic step (GetBatch's doc lets a batch
//     interleave with other consumers, and a waiting GetBatch takes the first
//     item that arrives, which in Priority need not be the least of those that
//     come next). Each is a run of takes, every one of the head at its own
//     instant, that ends at an instant when the queue is empty or, for
//     GetBatch, max items were taken. A call that returns k items is recorded
//     as k operations "item i" and one "end", all over the call's interval;
//     the model's state keeps each open run's position, so they take effect in
//     order, and other operations may come between them. An atomic
//     implementation passes; one that skips an item, reorders, or stops while
//     items are buffered does not.
//
// Every history ends with every call returned, with no timer: a driver
// goroutine counts steps and cancels each blocking call once the step drawn
// for it comes. A final Drain and Len, once every goroutine returned, pin
// down what was left in the queue.
//
// Capacity 0 is not tested here: queue.New and queue.NewPriority panic on it,
// as their docs say. The pool's WithQueueSize(0) backlog is covered by the
// pool's model test.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/lullgo/lull/queue"
)

var (
	linHistories = flag.Int("lin.histories", 0, "histories per linearizability variant (0: 1000, or 100 with -short)")
	linBudget    = flag.Duration("lin.budget", 2*time.Second, "wall time after which a linearizability variant stops recording histories")
)

// linQueue is what the linearizability tests call on both queue types.
type linQueue interface {
	Put(ctx context.Context, v int) error
	TryPut(v int) error
	Get(ctx context.Context) (int, error)
	TryGet() (int, error)
	GetBatch(ctx context.Context, dst []int, max int) ([]int, error)
	Drain() []int
	Len() int
	Close()
}

// linPrioLess orders items by their value mod 4 only, so that most items tie
// with others and the FIFO order of ties shows. Item values are unique within
// a history, which is what lets the checker tell items apart.
func linPrioLess(a, b int) bool { return a%4 < b%4 }

type linOp uint8

const (
	opPut linOp = iota
	opTryPut
	opGet
	opTryGet
	opGetBatch // a GetBatch that failed; one that succeeded becomes runItem and runEnd operations
	opDrain    // recorded as runItem and runEnd operations; Drain is never recorded as such
	opRunItem  // item pos of a GetBatch or Drain
	opRunEnd   // the end of a GetBatch or Drain, after its items
	opLen
	opClose
)

var linOpNames = [...]string{"Put", "TryPut", "Get", "TryGet", "GetBatch", "Drain", "item", "end", "Len", "Close"}

type linErr uint8

const (
	errNone linErr = iota
	errFull
	errEmpty
	errClosed
	errCtx   // ctx.Err(): the call must have done nothing
	errOther // anything else: never legal
)

var linErrNames = [...]string{"nil", "ErrFull", "ErrEmpty", "ErrClosed", "ctx.Err()", "unexpected error"}

func linErrOf(err error) linErr {
	switch {
	case err == nil:
		return errNone
	case errors.Is(err, queue.ErrFull):
		return errFull
	case errors.Is(err, queue.ErrEmpty):
		return errEmpty
	case errors.Is(err, queue.ErrClosed):
		return errClosed
	case errors.Is(err, context.Canceled):
		return errCtx
	}
	return errOther
}

// linIn and linOut are an operation's input and output. Items are bytes, so
// that inputs, outputs and states are comparable values.
type linIn struct {
	op   linOp
	v    byte // Put, TryPut
	run  byte // runItem, runEnd: which GetBatch or Drain, unique in the history
	kind linOp
	pos  int // runItem: the item's index in its run; runEnd: the run's length
	max  int // GetBatch, and runEnd of a GetBatch; 0 for a Drain
}

type linOut struct {
	err linErr
	v   byte // Get, TryGet, runItem
	n   int  // Len
}

// linState is the model's state: the buffered items in the order they were
// put, whether the queue is closed, and the runs (GetBatch or Drain) in
// progress as pairs of bytes (run, index of its next item), sorted by run.
type linState struct {
	items  string
	closed bool
	runs   string
}

// runPos returns the index of run's next item, and whether run is open.
func (s linState) runPos(run byte) (int, bool) {
	for i := 0; i < len(s.runs); i += 2 {
		if s.runs[i] == run {
			return int(s.runs[i+1]), true
		}
	}
	return 0, false
}

// withRun returns s with run's next index set to pos, or run closed if pos < 0.
func (s linState) withRun(run byte, pos int) linState {
	var b []byte
	added := false
	for i := 0; i < len(s.runs); i += 2 {
		switch {
		case s.runs[i] == run:
			continue
		case s.runs[i] > run && !added && pos >= 0:
			b = append(b, run, byte(pos))
			added = true
		}
		b = append(b, s.runs[i], s.runs[i+1])
	}
	if !added && pos >= 0 {
		b = append(b, run, byte(pos))
	}
	s.runs = string(b)
	return s
}

// linModel returns the sequential model of a queue of the given capacity;
// prio selects Priority's order (linPrioLess) over FIFO.
func linModel(capacity int, prio bool) porcupine.Model {
	// headIdx is the index of the item Get takes: the oldest, or the
	// oldest of the least.
	headIdx := func(items string) int {
		if !prio {
			return 0
		}
		best := 0
		for i := 1; i < len(items); i++ {
			if linPrioLess(int(items[i]), int(items[best])) {
				best = i
			}
		}
		return best
	}
	// takeHead removes v if it is the head.
	takeHead := func(s linState, v byte) (linState, bool) {
		if len(s.items) == 0 {
			return s, false
		}
		i := headIdx(s.items)
		if s.items[i] != v {
			return s, false
		}
		s.items = s.items[:i] + s.items[i+1:]
		return s, true
	}
	step := func(state, input, output any) (bool, any) {
		s, in, out := state.(linState), input.(linIn), output.(linOut)
		if out.err == errOther {
			return false, s
		}
		switch in.op {
		case opPut, opTryPut:
			switch out.err {
			case errNone:
				if s.closed || len(s.items) >= capacity {
					return false, s
				}
				s.items += string(in.v)
				return true, s
			case errFull:
				return in.op == opTryPut && !s.closed && len(s.items) == capacity, s
			case errClosed:
				return s.closed, s
			case errCtx:
				return in.op == opPut, s
			}
		case opGet, opTryGet, opGetBatch:
			switch out.err {
			case errNone:
				if in.op == opGetBatch {
					return false, s // recorded as a run
				}
				s, ok := takeHead(s, out.v)
				return ok, s
			case errEmpty:
				return in.op == opTryGet && !s.closed && len(s.items) == 0, s
			case errClosed:
				return s.closed && len(s.items) == 0, s
			case errCtx:
				return in.op != opTryGet, s
			}
		case opRunItem:
			if pos, open := s.runPos(in.run); pos != in.pos || (in.pos > 0 && !open) || (in.pos == 0 && open) {
				return false, s
			}
			next, ok := takeHead(s, out.v)
			return ok, next.withRun(in.run, in.pos+1)
		case opRunEnd:
			pos, open := s.runPos(in.run)
			if in.pos > 0 && (!open || pos != in.pos) || in.pos == 0 && open {
				return false, s
			}
			// A run ends once max items are taken (GetBatch) or the
			// queue is empty.
			ok := len(s.items) == 0 || (in.max > 0 && in.pos == in.max)
			return ok, s.withRun(in.run, -1)
		case opLen:
			return out.n == len(s.items), s
		case opClose:
			s.closed = true
			return true, s
		}
		return false, s
	}
	return porcupine.Model{
		Init: func() any { return linState{} },
		Step: step,
		DescribeOperation: func(input, output any) string {
			return linDescribe(input.(linIn), output.(linOut))
		},
		DescribeState: func(state any) string {
			s := state.(linState)
			return fmt.Sprintf("items=%v closed=%v runs=%v", []byte(s.items), s.closed, []byte(s.runs))
		},
	}
}

func linDescribe(in linIn, out linOut) string {
	var arg, res string
	switch in.op {
	case opPut, opTryPut:
		arg = fmt.Sprint(in.v)
	case opGetBatch:
		arg = fmt.Sprintf("max=%d", in.max)
	case opRunItem, opRunEnd:
		name := "Drain"
		if in.kind == opGetBatch {
			name = fmt.Sprintf("GetBatch(max=%d)", in.max)
		}
		if in.op == opRunItem {
			return fmt.Sprintf("%s#%d item %d -> %d", name, in.run, in.pos, out.v)
		}
		return fmt.Sprintf("%s#%d end after %d", name, in.run, in.pos)
	}
	switch {
	case out.err != errNone:
		res = linErrNames[out.err]
	case in.op == opGet || in.op == opTryGet:
		res = fmt.Sprint(out.v)
	case in.op == opLen:
		res = fmt.Sprint(out.n)
	default:
		res = "nil"
	}
	return fmt.Sprintf("%s(%s) -> %s", linOpNames[in.op], arg, res)
}

// linConfig is one variant of the test.
type linConfig struct {
	prio       bool
	capacity   int
	clients    int // goroutines, the driver included
	ops        int // operations each goroutine but the driver starts
	gomaxprocs int // if > 0, GOMAXPROCS while the variant runs
}

func (c linConfig) newQueue() linQueue {
	if c.prio {
		return queue.NewPriority(c.capacity, linPrioLess)
	}
	return queue.New[int](c.capacity)
}

// TestLinearizable checks random concurrent histories of Queue and Priority
// against the sequential model of the file's header.
func TestLinearizable(t *testing.T) {
	over := 4 * runtime.NumCPU()
	variants := []struct {
		name string
		cfg  linConfig
	}{
		{"Queue/cap1", linConfig{capacity: 1, clients: 6, ops: 12}},
		{"Queue/cap2", linConfig{capacity: 2, clients: 6, ops: 12}},
		{"Queue/cap4", linConfig{capacity: 4, clients: 8, ops: 10}},
		{"Priority/cap1", linConfig{prio: true, capacity: 1, clients: 6, ops: 12}},
		{"Priority/cap3", linConfig{prio: true, capacity: 3, clients: 8, ops: 10}},
		// More Ps than CPUs: the OS preempts the threads, and with them
		// goroutines in the middle of an operation (issue 12, scenario 10).
		{"Queue/cap1/oversubscribed", linConfig{capacity: 1, clients: 8, ops: 10, gomaxprocs: over}},
		{"Queue/cap3/oversubscribed", linConfig{capacity: 3, clients: 8, ops: 10, gomaxprocs: over}},
		{"Priority/cap2/oversubscribed", linConfig{prio: true, capacity: 2, clients: 8, ops: 10, gomaxprocs: over}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if v.cfg.gomaxprocs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(v.cfg.gomaxprocs))
			}
			if err := linCheck(t, v.cfg, func() linQueue { return v.cfg.newQueue() }, linModel(v.cfg.capacity, v.cfg.prio)); err != "" {
				t.Fatal(err)
			}
		})
	}
}

// linCheck records and checks histories of queues made by newQueue, and
// returns the report of the first one that is not linearizable, or "".
func linCheck(t *testing.T, cfg linConfig, newQueue func() linQueue, model porcupine.Model) string {
	t.Helper()
	histories := *linHistories
	if histories <= 0 {
		histories = 1000
		if testing.Short() {
			histories = 100
		}
	}
	start := time.Now()
	seed := uint64(time.Now().UnixNano())
	checked, unknown := 0, 0
	var slowRec, slowCheck time.Duration
	for i := range histories {
		if i > 0 && time.Since(start) > *linBudget {
			break // a slow machine (qemu) checks fewer histories
		}
		t0 := time.Now()
		h := linRecord(t, cfg, newQueue(), seed+uint64(i))
		t1 := time.Now()
		res, info := porcupine.CheckOperationsVerbose(model, h, 10*time.Second)
		slowRec, slowCheck = max(slowRec, t1.Sub(t0)), max(slowCheck, time.Since(t1))
		checked++
		switch res {
		case porcupine.Illegal:
			return fmt.Sprintf("history %d of %d ops (seed %d: it fixes what each goroutine calls, not the interleaving) is not linearizable:\n%s", i, len(h), seed+uint64(i), linReport(model, h, info))
		case porcupine.Unknown:
			unknown++
		}
	}
	t.Logf("%d histories linearizable, %d undecided by the checker in its time limit, in %v (slowest: recording %v, check %v)",
		checked-unknown, unknown, time.Since(start).Round(time.Millisecond), slowRec.Round(time.Microsecond), slowCheck.Round(time.Microsecond))
	if unknown > checked/2 {
		t.Errorf("the checker could not decide %d of %d histories: make them shorter", unknown, checked)
	}
	return ""
}

// linRecorder stamps operations from one clock and keeps them.
type linRecorder struct {
	clock atomic.Int64
	mu    sync.Mutex
	ops   []porcupine.Operation
}

func (r *linRecorder) now() int64 { return r.clock.Add(1) }

func (r *linRecorder) add(client int, in linIn, call int64, out linOut, ret int64) {
	r.mu.Lock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	r.mu.Unlock()
}

// linCancels holds the cancel funcs of the blocking calls in progress,
// each with the driver step at which the driver cancels it, so that no call
// blocks for ever: the driver's steps are the history's logical clock.
type linCancels struct {
	mu      sync.Mutex
	pending []linCancel
}

type linCancel struct {
	at     int64 // driver step at which the driver cancels it
	cancel context.CancelFunc
}

func (c *linCancels) add(at int64, f context.CancelFunc) {
	c.mu.Lock()
	c.pending = append(c.pending, linCancel{at, f})
	c.mu.Unlock()
}

// cancelOne cancels a random registered ctx (possibly one whose call has
// returned already: that is harmless).
func (c *linCancels) cancelOne(r *rand.Rand) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 {
		i := r.IntN(len(c.pending))
		c.pending[i].cancel()
		c.pending = slices.Delete(c.pending, i, i+1)
	}
}

// expire cancels every ctx whose step has come.
func (c *linCancels) expire(step int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = slices.DeleteFunc(c.pending, func(p linCancel) bool {
		if p.at <= step {
			p.cancel()
			return true
		}
		return false
	})
}

// linMaxWait is the most driver steps a blocking call of a history may wait
// before the driver cancels it.
const linMaxWait = 256

// linRecord runs one random history on q and returns it.
//
// Clients 1 and up each start cfg.ops random operations. Client 0, the
// driver, never blocks: it counts steps, calls a non-blocking operation now
// and then, and cancels each blocking call of the others once the step drawn
// for it comes, which may be while it runs, before it starts or after it
// returned. So every call returns, with no timer, and the history ends when
// every client has done its operations.
func linRecord(t *testing.T, cfg linConfig, q linQueue, seed uint64) []porcupine.Operation {
	t.Helper()
	rec := &linRecorder{}
	cancels := &linCancels{}
	var step atomic.Int64                                  // the driver's step
	var values atomic.Int32                                // the next item's value: unique in the history, < 256
	var runs atomic.Int32                                  // the next GetBatch or Drain: unique in the history, < 256
	pending := make([]atomic.Pointer[string], cfg.clients) // each client's call in progress, for a hang report

	// ctxFor returns the ctx of one blocking call: one cancelled already,
	// or one that the driver cancels at a later step, and that another
	// client may cancel before. A third of the calls share one of two ctxs
	// instead, made anew once cancelled, so that several calls park under
	// one ctx (and wait for it through one link: see wait.Links) when it
	// ends.
	var sharedMu sync.Mutex
	var shared [2]context.Context
	ctxFor := func(r *rand.Rand) context.Context {
		if r.IntN(3) == 0 {
			i := r.IntN(len(shared))
			sharedMu.Lock()
			defer sharedMu.Unlock()
			if shared[i] == nil || shared[i].Err() != nil {
				ctx, cancel := context.WithCancel(context.Background())
				cancels.add(step.Load()+1+r.Int64N(linMaxWait), cancel)
				shared[i] = ctx
			}
			return shared[i]
		}
		ctx, cancel := context.WithCancel(context.Background())
		if r.IntN(6) == 0 {
			cancel()
			return ctx
		}
		cancels.add(step.Load()+1+r.Int64N(linMaxWait), cancel)
		return ctx
	}
	unique := func(n *atomic.Int32) byte {
		v := n.Add(1)
		if v > 255 {
			panic("linRecord: history too long for byte values")
		}
		return byte(v)
	}

	// do runs one operation of client c and records it.
	do := func(c int, r *rand.Rand, op linOp) {
		in := linIn{op: op}
		var out linOut
		var ctx context.Context
		switch op {
		case opPut, opTryPut:
			in.v = unique(&values)
		case opGetBatch:
			in.max = 1 + r.IntN(cfg.capacity+1)
		}
		if op == opPut || op == opGet || op == opGetBatch {
			ctx = ctxFor(r)
		}
		desc := linOpNames[op]
		pending[c].Store(&desc)
		var run []int
		call := rec.now()
		switch op {
		case opPut:
			out.err = linErrOf(q.Put(ctx, int(in.v)))
		case opTryPut:
			out.err = linErrOf(q.TryPut(int(in.v)))
		case opGet:
			v, err := q.Get(ctx)
			out.err, out.v = linErrOf(err), byte(v)
		case opTryGet:
			v, err := q.TryGet()
			out.err, out.v = linErrOf(err), byte(v)
		case opGetBatch:
			var err error
			run, err = q.GetBatch(ctx, nil, in.max)
			out.err = linErrOf(err)
		case opDrain:
			run = q.Drain()
		case opLen:
			out.n = q.Len()
		case opClose:
			q.Close()
		}
		ret := rec.now()
		pending[c].Store(nil)
		if op == opGetBatch && out.err == errNone && (len(run) < 1 || len(run) > in.max) {
			t.Errorf("GetBatch(max=%d) returned %d items and no error", in.max, len(run))
			out.err = errOther
		}
		if op == opDrain || op == opGetBatch && out.err == errNone {
			id := unique(&runs)
			for i, v := range run {
				rec.add(c, linIn{op: opRunItem, run: id, kind: op, pos: i, max: in.max}, call, linOut{v: byte(v)}, ret)
			}
			rec.add(c, linIn{op: opRunEnd, run: id, kind: op, pos: len(run), max: in.max}, call, linOut{}, ret)
			return
		}
		rec.add(c, in, call, out, ret)
	}

	var running atomic.Int32
	running.Store(int32(cfg.clients - 1))
	for c := 1; c < cfg.clients; c++ {
		go func() {
			defer running.Add(-1)
			r := rand.New(rand.NewPCG(seed, uint64(c)))
			for range cfg.ops {
				if op, ok := linPickOp(r); ok {
					do(c, r, op)
				} else {
					cancels.cancelOne(r)
				}
			}
		}()
	}

	r := rand.New(rand.NewPCG(seed, 0))
	driverOps := 0
	started := time.Now()
	for running.Load() > 0 {
		s := step.Add(1)
		cancels.expire(s)
		if driverOps < cfg.ops && r.IntN(linMaxWait/4) == 0 {
			driverOps++
			switch k := r.IntN(10); {
			case k < 4:
				do(0, r, opTryPut)
			case k < 7:
				do(0, r, opTryGet)
			default:
				do(0, r, opLen)
			}
		}
		// Not a synchronization: a report, instead of a bare test
		// timeout, if a call ignores its cancelled ctx (a lost wake-up).
		if s%1024 == 0 && time.Since(started) > time.Minute {
			var stuck []string
			for c := range pending {
				if d := pending[c].Load(); d != nil {
					stuck = append(stuck, fmt.Sprintf("client %d: %s", c, *d))
				}
			}
			t.Fatalf("seed %d: calls still blocked a minute into a history, every ctx cancelled (queue Len %d):\n%s", seed, q.Len(), strings.Join(stuck, "\n"))
		}
		runtime.Gosched()
	}
	cancels.expire(math.MaxInt64)

	// What is left, once every call returned.
	do(0, r, opDrain)
	do(0, r, opLen)
	return rec.ops
}

// linPickOp picks a client's next operation; ok false means "cancel another
// client's call" instead.
func linPickOp(r *rand.Rand) (op linOp, ok bool) {
	switch k := r.IntN(100); {
	case k < 1:
		return opClose, true
	case k < 31:
		return opPut, true
	case k < 41:
		return opTryPut, true
	case k < 46:
		return opLen, true
	case k < 51:
		return 0, false
	case k < 74:
		return opGet, true
	case k < 84:
		return opTryGet, true
	case k < 95:
		return opGetBatch, true
	}
	return opDrain, true
}

// linReport prints a history that failed the check: every operation by call
// time, then the longest prefix of a linearization the checker found and the
// state it leads to; the operations that could not come next are the bug.
func linReport(model porcupine.Model, h []porcupine.Operation, info porcupine.LinearizationInfo) string {
	var b strings.Builder
	sorted := slices.Clone(h)
	slices.SortStableFunc(sorted, func(a, b porcupine.Operation) int { return int(a.Call - b.Call) })
	b.WriteString("history [call, return] client: operation\n")
	for _, op := range sorted {
		fmt.Fprintf(&b, "  [%3d, %3d] c%d: %s\n", op.Call, op.Return, op.ClientId, linDescribe(op.Input.(linIn), op.Output.(linOut)))
	}
	var longest []porcupine.Operation
	for _, part := range info.PartialLinearizationsOperations() {
		for _, lin := range part {
			if len(lin) > len(longest) {
				longest = lin
			}
		}
	}
	b.WriteString("longest linearizable prefix found:\n")
	state := model.Init()
	for _, op := range longest {
		_, state = model.Step(state, op.Input, op.Output)
		fmt.Fprintf(&b, "  c%d: %-36s => %s\n", op.ClientId, linDescribe(op.Input.(linIn), op.Output.(linOut)), model.DescribeState(state))
	}
	return b.String()
}
