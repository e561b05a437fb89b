package mapreduce_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lullgo/lull/mapreduce"
)

// The tests of this file end a call once its feeder has handed every chunk
// over and returned, while chunks are still queued for the workers: the
// workers must stop at the next input, as they do while the feeder runs,
// and as the workers of RunSlice and CombineSlice do. They set the
// OnCrewWait hook, so they do not run in parallel.

// runEndedOnceFed runs call (Combine or Run, over a sequence or a slice of
// 350 inputs, 2 workers, chunks of 100: four chunks, which the feeder hands
// over before it returns). The mapper of input 0 waits until the calling
// goroutine waits for its crew (the feeder has returned) and until input 100
// is in flight on the other worker, then ends the run: the caller's cancel,
// or a failure if fail. Input 100 waits for that, and for the bubble to be
// idle (the AfterFuncs of the cancel have run), then returns nil, as a
// mapper that takes no notice of ctx may. It returns how many mapper calls
// began after the run was ended, and the call's error.
func runEndedOnceFed(t *testing.T, call string, slice, fail bool) (late int64, err error) {
	t.Helper()
	fed := fedSignal(t)
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		inFlight, ended := make(chan struct{}), make(chan struct{})
		var after atomic.Int64
		m := func(mctx context.Context, x int, emit func(int, int)) error {
			switch x {
			case 0:
				<-fed
				<-inFlight
				if fail {
					close(ended)
					return errBoom
				}
				cancel()
				close(ended)
				return mctx.Err()
			case 100:
				close(inFlight)
				<-ended
				synctest.Wait()
			default:
				select {
				case <-ended:
					after.Add(1)
				default:
				}
			}
			emit(x%7, x)
			return nil
		}
		opts := []mapreduce.Option{mapreduce.WithWorkers(2), mapreduce.WithChunkSize(100)}
		in := slices.Collect(ints(350))
		switch {
		case call == "Combine" && !slice:
			_, err = mapreduce.Combine(ctx, ints(350), m, add, opts...)
		case call == "Combine":
			_, err = mapreduce.CombineSlice(ctx, in, m, add, opts...)
		case !slice:
			_, err = mapreduce.Run(ctx, ints(350), m, scnSum, opts...)
		default:
			_, err = mapreduce.RunSlice(ctx, in, m, scnSum, opts...)
		}
		late = after.Load()
	})
	return late, err
}

// fedSignal returns a channel that is closed once a call's crew first
// waits, after its feeder has returned: it sets the OnCrewWait hook until t
// ends.
func fedSignal(t *testing.T) <-chan struct{} {
	fed := make(chan struct{})
	var once sync.Once
	t.Cleanup(mapreduce.OnCrewWait(func() { once.Do(func() { close(fed) }) }))
	return fed
}

func TestNoMappingOnceEndedAfterFeed(t *testing.T) {
	for _, call := range []string{"Combine", "Run"} {
		for _, slice := range []bool{false, true} {
			for _, fail := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/slice=%v/fail=%v", call, slice, fail), func(t *testing.T) {
					late, err := runEndedOnceFed(t, call, slice, fail)
					if fail {
						var ie *mapreduce.InputError
						if !errors.As(err, &ie) || ie.Index != 0 || !errors.Is(err, errBoom) {
							t.Fatalf("err = %v, want the *InputError of input 0", err)
						}
					} else if err != context.Canceled {
						t.Fatalf("err = %v, want context.Canceled", err)
					}
					if late != 0 {
						t.Errorf("%d mapper calls began after the run ended; want none", late)
					}
				})
			}
		}
	}
}

// TestCancelLatencyOnceFed cancels Combine once its feeder has returned,
// with a mapper that takes 1 ms (of a bubble's fake time) per input and
// takes no notice of ctx: the call returns once the inputs in flight are
// mapped, 1 ms later, not after the chunks still queued (200 ms).
func TestCancelLatencyOnceFed(t *testing.T) {
	for _, slice := range []bool{false, true} {
		t.Run(fmt.Sprintf("slice=%v", slice), func(t *testing.T) {
			fed := fedSignal(t)
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				m := func(_ context.Context, x int, emit func(int, int)) error {
					time.Sleep(time.Millisecond) // work that takes no notice of ctx
					emit(x%7, x)
					return nil
				}
				var cancelled time.Time
				go func() {
					if !slice {
						<-fed
					}
					time.Sleep(5 * time.Millisecond)
					cancelled = time.Now()
					cancel()
				}()
				in := make([]int, 350)
				opts := []mapreduce.Option{mapreduce.WithWorkers(2), mapreduce.WithChunkSize(100)}
				var err error
				if slice {
					_, err = mapreduce.CombineSlice(ctx, in, m, add, opts...)
				} else {
					_, err = mapreduce.Combine(ctx, slices.Values(in), m, add, opts...)
				}
				if err != context.Canceled {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				if d := time.Since(cancelled); d > 2*time.Millisecond {
					t.Errorf("returned %v (of fake time) after the cancel; the inputs in flight took 1 ms", d)
				}
			})
		})
	}
}
