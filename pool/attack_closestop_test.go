package pool_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lullgo/lull/internal/watchdog"
	"github.com/lullgo/lull/pool"
)

// TestAttackCloseReturnsNilAfterStopHandedBack: a Close that waits for the
// pool to drain, overtaken by a Stop that hands back the backlog, returned
// nil, though the tasks Stop handed back never ran. Close returning nil
// means every accepted task ran: it returns ErrStopped now.
func TestAttackCloseReturnsNilAfterStopHandedBack(t *testing.T) {
	p := pool.New(1, pool.WithQueueSize(4))
	started := make(chan struct{})
	if err := p.Submit(context.Background(), func(ctx context.Context) { close(started); <-ctx.Done() }); err != nil {
		t.Fatal(err)
	}
	<-started
	for range 3 {
		if err := p.Submit(context.Background(), func(context.Context) {}); err != nil {
			t.Fatal(err)
		}
	}
	closeErr := make(chan error, 1)
	go func() { closeErr <- p.Close(watchdog.Ctx(t)) }()
	waitParkedIn(t, "pool.(*Pool).Close")
	back, err := p.Stop(watchdog.Ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 3 {
		t.Fatalf("Stop handed back %d tasks, want 3", len(back))
	}
	if err := watchdog.Recv(t, "Close to return", closeErr); !errors.Is(err, pool.ErrStopped) {
		t.Errorf("Close returned %v, want ErrStopped: Stop handed back %d accepted tasks that never ran", err, len(back))
	}
}
