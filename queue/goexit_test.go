package queue_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/lullgo/lull/queue"
	"github.com/stretchr/testify/require"
)

// TestPriorityLessGoexit has less call runtime.Goexit (as a test's t.FailNow
// does) in a Put's own push, and while a Get or a Drain places the item of a
// blocked Put in the room it made. The goroutine running less ends; the
// queue must not stay locked, the blocked Put whose item less was placing
// ends its goroutine too (its item was not added), a Put placed before it
// returns nil, and the queue then holds what it should.
func TestPriorityLessGoexit(t *testing.T) {
	for _, where := range []string{"Put", "Get", "Drain"} {
		t.Run(where, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var armed atomic.Bool
				q := queue.NewPriority(2, func(a, b int) bool {
					if armed.Load() && (a == 50 || b == 50) {
						runtime.Goexit()
					}
					return a < b
				})
				require.NoError(t, q.TryPut(1))
				require.NoError(t, q.TryPut(2))
				// put starts a Put of v, which blocks (q is full), and
				// returns whether it returned nil, or its goroutine ended.
				put := func(v int) <-chan bool {
					returned := make(chan bool, 1)
					go func() {
						ok := false
						defer func() { returned <- ok }()
						ok = q.Put(context.Background(), v) == nil
					}()
					synctest.Wait()
					return returned
				}
				// goexits runs f on a goroutine of its own with less armed,
				// and fails unless less ended that goroutine.
				goexits := func(f func()) {
					armed.Store(true)
					defer armed.Store(false)
					returned := make(chan bool)
					go func() {
						ok := false
						defer func() { returned <- ok }()
						f()
						ok = true
					}()
					if <-returned {
						t.Fatal("the call that ran less returned; want its goroutine ended")
					}
				}
				var want []int
				switch where {
				case "Put":
					_, err := q.TryGet() // 1
					require.NoError(t, err)
					goexits(func() { _ = q.TryPut(50) })
					want = []int{2, 3}
				case "Get":
					p50 := put(50)
					goexits(func() { _, _ = q.Get(context.Background()) }) // takes 1, places 50 beside 2
					require.False(t, <-p50, "the Put whose item less was placing returned nil")
					want = []int{2, 3}
				case "Drain":
					p40, p50 := put(40), put(50)
					goexits(func() { q.Drain() }) // takes 1 and 2, places 40, then 50 beside it
					require.True(t, <-p40, "the Put placed before less ended did not return nil")
					require.False(t, <-p50, "the Put whose item less was placing returned nil")
					want = []int{3, 40}
				}
				require.Equal(t, len(want)-1, q.Len())
				require.NoError(t, q.TryPut(3))
				q.Close()
				require.Equal(t, want, q.Drain())
			})
		})
	}
}
