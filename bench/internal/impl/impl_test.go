package impl_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullgo/lull/bench/internal/impl"
)

// TestPools checks every adapter the same way: n tasks submitted from
// several goroutines all run exactly once, Warm really makes the workers
// exist at the same time, and Close returns.
func TestPools(t *testing.T) {
	for _, i := range impl.All() {
		if i.New == nil {
			continue
		}
		t.Run(i.Name, func(t *testing.T) {
			t.Parallel()
			const workers, submitters, perSubmitter = 8, 4, 250
			p := i.New(workers)
			if err := impl.Warm(p, workers, 10*time.Second); err != nil {
				t.Fatalf("Warm: %v", err)
			}
			var ran atomic.Int64
			var wg sync.WaitGroup
			for range submitters {
				wg.Go(func() {
					for range perSubmitter {
						p.Submit(func() { ran.Add(1) })
					}
				})
			}
			wg.Wait()
			p.Close()
			if got, want := ran.Load(), int64(submitters*perSubmitter); got != want {
				t.Errorf("tasks run = %d, want %d", got, want)
			}
		})
	}
}

// TestWarmTimeout checks that Warm reports a pool that cannot run n tasks
// at once instead of hanging, and leaves it usable for Close.
func TestWarmTimeout(t *testing.T) {
	i, ok := impl.Lookup("channel")
	if !ok {
		t.Fatal("channel adapter not registered")
	}
	p := i.New(2)
	err := impl.Warm(p, 3, 50*time.Millisecond)
	if err == nil {
		t.Fatal("Warm(3 tasks on 2 workers) = nil, want an error")
	}
	p.Close()
}

func TestRegistry(t *testing.T) {
	var names []string
	for _, i := range impl.All() {
		names = append(names, i.Name)
		if i.Tag == "" || i.Doc == "" {
			t.Errorf("%s: Tag %q and Doc %q must both be set", i.Name, i.Tag, i.Doc)
		}
		if got, ok := impl.Lookup(i.Name); !ok || got.Name != i.Name {
			t.Errorf("Lookup(%q) = %q, %v", i.Name, got.Name, ok)
		}
	}
	// The floors come first so that tables read from the bottom up.
	if len(names) < 2 || names[0] != "runtime-floor" || names[1] != "channel" {
		t.Errorf("All() starts %v, want runtime-floor, channel", names)
	}
	for _, want := range []string{"ants", "pond", "workerpool", "conc", "errgroup", "poll-1s", "poll-100ms", "lull-queue"} {
		if !slices.Contains(names, want) {
			t.Errorf("All() lacks %q: %v", want, names)
		}
	}
	if _, ok := impl.Lookup("no-such-pool"); ok {
		t.Error(`Lookup("no-such-pool") found something`)
	}
}
