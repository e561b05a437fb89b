package mapreduce

import (
	"sync"
	"sync/atomic"
)

// Phase is the stage a call is in, as reported by [WithProgress].
type Phase int

const (
	// PhaseMap: inputs are read and mapped; in [Combine], each worker also
	// folds its own pairs. [Map] has only this phase.
	PhaseMap Phase = iota
	// PhaseReduce: the groups of each partition are reduced ([Run]), or the
	// workers' tables of each partition are merged ([Combine]).
	PhaseReduce
	// PhaseDone: the call is about to return. It is the last report.
	PhaseDone
)

// String returns "map", "reduce" or "done".
func (p Phase) String() string {
	switch p {
	case PhaseMap:
		return "map"
	case PhaseReduce:
		return "reduce"
	case PhaseDone:
		return "done"
	}
	return "Phase(?)"
}

// Progress is a snapshot of a call's counters, handed to the function set by
// [WithProgress]. The counters only grow from one report to the next.
type Progress struct {
	Phase        Phase
	InputsDone   int // inputs fully mapped (in Map: whose result was received)
	PairsEmitted int // calls of emit by the mappers (0 in Map)
	KeysReduced  int // keys reduced (Run) or merged (Combine) so far
}

// reporter counts a call's progress and reports it. A nil *reporter (no
// WithProgress) counts nothing and reports nothing, so the hot paths pay one
// nil check per chunk.
type reporter struct {
	f func(Progress)

	inputs, pairs, keys atomic.Int64

	// next is the count (of inputs, or of keys in the reduce phase) at which
	// the next periodic report is due. Workers compare against it without
	// the lock, so that most chunk ends cost two atomic loads.
	next atomic.Int64

	// mu serializes the calls of f: that is the one-goroutine-at-a-time
	// promise of WithProgress. phase is written under it by the calling
	// goroutine between phases and read under it by whoever reports.
	mu    sync.Mutex
	phase Phase
}

func newReporter(f func(Progress)) *reporter {
	if f == nil {
		return nil
	}
	return &reporter{f: f}
}

// snapshotLocked reads the counters. r.mu is held; since every report reads
// them under it, in turn, each report sees counts at least as large as the
// previous one did.
func (r *reporter) snapshotLocked() Progress {
	return Progress{
		Phase:        r.phase,
		InputsDone:   int(r.inputs.Load()),
		PairsEmitted: int(r.pairs.Load()),
		KeysReduced:  int(r.keys.Load()),
	}
}

// setPhase reports the start of phase ph, waiting for a report in progress
// to end. It is called by the goroutine that called Run, Combine or the
// range over Map, at points where no worker of the previous phase is left.
func (r *reporter) setPhase(ph Phase) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phase = ph
	var count int64
	if ph == PhaseReduce {
		count = r.keys.Load()
	} else {
		count = r.inputs.Load()
	}
	r.next.Store(nextReport(count))
	r.f(r.snapshotLocked())
}

// addInputs records a chunk of n inputs mapped with the given pairs emitted,
// and reports if a report is due.
func (r *reporter) addInputs(n, pairs int) {
	if r == nil {
		return
	}
	r.pairs.Add(int64(pairs))
	r.maybeReport(r.inputs.Add(int64(n)))
}

// addKeys records n more keys reduced, and reports if a report is due.
func (r *reporter) addKeys(n int) {
	if r == nil {
		return
	}
	r.maybeReport(r.keys.Add(int64(n)))
}

// maybeReport reports if count has reached the next due count. A worker
// that finds another one reporting skips its report instead of waiting: the
// other report is at most a chunk behind, and the next chunk will try again.
func (r *reporter) maybeReport(count int64) {
	if count < r.next.Load() || !r.mu.TryLock() {
		return
	}
	defer r.mu.Unlock()
	// Recheck under the lock: another worker may have reported this count
	// between our load of next and our TryLock.
	if count < r.next.Load() {
		return
	}
	r.next.Store(nextReport(count))
	r.f(r.snapshotLocked())
}

// nextReport returns the count at which the report after one at count is
// due: 1% further on, and at least one more. Progress is reported by count,
// never by time, so an idle call wakes nobody; growing the step with the count
// keeps the number of reports near 100·ln(total), however large the total.
func nextReport(count int64) int64 {
	return count + max(1, count/100)
}
