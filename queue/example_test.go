package queue_test

import (
	"context"
	"fmt"

	"github.com/lullgo/lull/queue"
)

// A producer and consumers shut down without a sentinel: the producer closes
// the queue, and every consumer's loop ends once the queue is drained.
func Example() {
	ctx := context.Background()
	q := queue.New[int](4)

	go func() {
		for i := 1; i <= 10; i++ {
			if err := q.Put(ctx, i); err != nil {
				return // closed, or ctx done
			}
		}
		q.Close()
	}()

	sums := make(chan int)
	for range 3 {
		go func() {
			sum := 0
			for v := range q.All(ctx) {
				sum += v
			}
			sums <- sum
		}()
	}
	total := 0
	for range 3 {
		total += <-sums
	}
	fmt.Println("total:", total)
	// Output:
	// total: 55
}

// Close and Drain stop a queue at once and hand back what was not consumed.
func ExampleQueue_Drain() {
	q := queue.New[string](8)
	for _, job := range []string{"a", "b", "c"} {
		_ = q.TryPut(job)
	}
	job, _ := q.TryGet()
	fmt.Println("done:", job)

	q.Close()
	fmt.Println("handed back:", q.Drain())
	fmt.Println("put after close:", q.TryPut("d"))
	// Output:
	// done: a
	// handed back: [b c]
	// put after close: queue: closed
}

// A priority queue hands out the least item first, and equal items in the
// order they were put.
func ExamplePriority() {
	type job struct {
		name     string
		priority int
	}
	q := queue.NewPriority(8, func(a, b job) bool { return a.priority < b.priority })
	for _, j := range []job{{"backup", 3}, {"page on-call", 0}, {"reindex", 2}, {"rotate logs", 2}} {
		_ = q.TryPut(j)
	}
	q.Close()
	for j := range q.All(context.Background()) {
		fmt.Println(j.priority, j.name)
	}
	// Output:
	// 0 page on-call
	// 2 reindex
	// 2 rotate logs
	// 3 backup
}

// GetBatch waits for the first item only, then takes what else is there.
func ExampleQueue_GetBatch() {
	q := queue.New[int](100)
	for i := range 10 {
		_ = q.TryPut(i)
	}
	batch, err := q.GetBatch(context.Background(), nil, 4)
	fmt.Println(batch, err)
	batch, err = q.GetBatch(context.Background(), batch[:0], 100)
	fmt.Println(batch, err)
	// Output:
	// [0 1 2 3] <nil>
	// [4 5 6 7 8 9] <nil>
}
