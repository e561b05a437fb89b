package pool_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/lullgo/lull/pool"
)

// Fire-and-forget tasks, then a graceful shutdown: Close runs every task the
// pool accepted and waits for the workers to exit.
func Example() {
	ctx := context.Background()
	p := pool.New(4)

	var sum atomic.Int64
	for i := 1; i <= 100; i++ {
		if err := p.Submit(ctx, func(context.Context) { sum.Add(int64(i)) }); err != nil {
			fmt.Println("not accepted:", err)
		}
	}
	if err := p.Close(ctx); err != nil {
		fmt.Println("close:", err)
	}
	fmt.Println("sum:", sum.Load())
	// Output:
	// sum: 5050
}

// Stop cancels the running tasks and hands back those that never started.
func ExamplePool_Stop() {
	ctx := context.Background()
	p := pool.New(1)
	started := make(chan struct{})
	_ = p.Submit(ctx, func(ctx context.Context) {
		close(started)
		<-ctx.Done() // a long task that honours cancellation
	})
	<-started
	for range 3 {
		_ = p.Submit(ctx, func(context.Context) { fmt.Println("never runs on the pool") })
	}

	back, err := p.Stop(ctx)
	fmt.Println("handed back:", len(back), "error:", err)
	// Output:
	// handed back: 3 error: <nil>
}

// Resize changes the number of workers while the pool runs, without waiting.
func ExamplePool_Resize() {
	ctx := context.Background()
	p := pool.New(2)
	defer p.Close(ctx)

	// A burst: up to 16 tasks run at once, each on a worker started for
	// it, until they all meet at the barrier.
	p.Resize(16)
	var barrier sync.WaitGroup
	barrier.Add(16)
	for range 16 {
		_ = p.Submit(ctx, func(context.Context) { barrier.Done(); barrier.Wait() })
	}
	_ = p.Wait(ctx)
	fmt.Println("size:", p.Size(), "workers:", p.Stats().Workers)

	p.Resize(1) // idle workers above the new size exit at once
	fmt.Println("size:", p.Size(), "workers:", p.Stats().Workers)
	// Output:
	// size: 16 workers: 16
	// size: 1 workers: 1
}

// Go runs a function on the pool and returns a Future of its result.
func ExampleGo() {
	ctx := context.Background()
	p := pool.New(2)
	defer p.Close(ctx)

	fu, err := pool.Go(ctx, p, func(context.Context) (string, error) {
		return "hello from a worker", nil
	})
	if err != nil {
		fmt.Println("not accepted:", err)
		return
	}
	v, err := fu.Get(ctx)
	fmt.Println(v, err)
	// Output:
	// hello from a worker <nil>
}

// A Group is an errgroup on the pool's workers: the first error cancels the
// others' ctx and is what Wait returns.
func ExamplePool_Group() {
	ctx := context.Background()
	p := pool.New(4)
	defer p.Close(ctx)

	g, gctx := p.Group(ctx)
	for _, host := range []string{"sw-01", "sw-02", "sw-03"} {
		_ = g.Go(func(ctx context.Context) error {
			if host == "sw-02" {
				return fmt.Errorf("%s: no answer", host)
			}
			return nil
		})
	}
	fmt.Println("wait:", g.Wait())
	fmt.Println("group ctx:", gctx.Err())
	// Output:
	// wait: sw-02: no answer
	// group ctx: context canceled
}

// Stats has a String method, for logs.
func ExampleStats() {
	ctx := context.Background()
	p := pool.New(2)
	for range 3 {
		_ = p.Submit(ctx, func(context.Context) {})
	}
	_ = p.Wait(ctx)
	p.Resize(1)
	fmt.Println(p.Stats())
	_ = p.Close(ctx)
	fmt.Println(p.Stats())
	// Output:
	// workers=1 busy=0 idle=1 queued=0 submitted=3 completed=3 panicked=0 rejected=0
	// workers=0 busy=0 idle=0 queued=0 submitted=3 completed=3 panicked=0 rejected=0
}
