//go:build !solo || solo_syncshrink

package impl

import "sync"

// sync-shrink is not a library but a reference design, written here because
// the one library built this way, github.com/Jeffail/tunny, cannot be fetched
// from the module proxy reachable here (403). As in tunny, each worker is a
// goroutine of its own taking tasks from one unbuffered channel, and Resize
// is synchronous: to shrink, it tells each retired worker to stop and then
// joins it (waits until it has returned from its loop), so that when Resize
// returns the retired workers are gone. A busy worker stops after its task,
// and Resize waits for that too. BenchmarkResize sets lull's shrink beside
// it: lull's goals are a Resize that returns at once and retired goroutines
// gone no later than this synchronous shrink has them gone.
func init() {
	register(Impl{
		Name: "sync-shrink",
		Tag:  "syncshrink",
		Doc:  "reference design (tunny's, which cannot be fetched): workers on an unbuffered channel; Resize stops and joins each retired worker before it returns",
		New:  newSyncShrink,
	})
}

type syncShrinkPool struct {
	tasks chan func()

	mu      sync.Mutex // serializes Resize and Close
	workers []*syncWorker
}

type syncWorker struct {
	stop chan struct{} // closed by Resize or Close: return once idle
	done chan struct{} // closed by the worker as it returns
}

func newSyncShrink(workers int) Pool {
	p := &syncShrinkPool{tasks: make(chan func())}
	p.Resize(workers)
	return p
}

func (p *syncShrinkPool) Submit(t func()) { p.tasks <- t }

// Resize starts or stops workers until n are left. It returns once every
// worker it stopped has returned from its loop.
func (p *syncShrinkPool) Resize(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resizeLocked(n)
}

func (p *syncShrinkPool) resizeLocked(n int) {
	for len(p.workers) < n {
		w := &syncWorker{stop: make(chan struct{}), done: make(chan struct{})}
		p.workers = append(p.workers, w)
		go p.work(w)
	}
	retired := p.workers[n:]
	p.workers = p.workers[:n:n]
	// Stop them all first, then join: they return in parallel.
	for _, w := range retired {
		close(w.stop)
	}
	for _, w := range retired {
		<-w.done
	}
}

func (p *syncShrinkPool) work(w *syncWorker) {
	defer close(w.done)
	for {
		select {
		case t := <-p.tasks:
			t()
		case <-w.stop:
			return
		}
	}
}

// Live reports the workers not yet stopped.
func (p *syncShrinkPool) Live() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.workers)
}

// Close stops and joins every worker. Tasks are handed over directly, never
// buffered, so once the submitters have returned none is left to run.
func (p *syncShrinkPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resizeLocked(0)
}
