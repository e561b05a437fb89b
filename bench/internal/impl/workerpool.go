//go:build !solo || solo_workerpool

package impl

import "github.com/gammazero/workerpool"

// gammazero/workerpool routes every task through one dispatcher goroutine,
// which also runs a timer that stops one idle worker per idle period (2 s by
// default), so an idle pool shrinks slowly and the timer keeps firing.
func init() {
	register(Impl{
		Name:       "workerpool",
		Tag:        "workerpool",
		Doc:        "workerpool.New(n), default options (one idle worker stopped per 2 s)",
		New:        func(n int) Pool { return &workerPool{p: workerpool.New(n)} },
		Throughput: true,
	})
}

type workerPool struct{ p *workerpool.WorkerPool }

func (w *workerPool) Submit(t func()) { w.p.Submit(t) }

func (w *workerPool) Close() { w.p.StopWait() }
