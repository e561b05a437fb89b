package pool

// OnWorkers makes p send the number of workers on the returned channel each
// time it changes, so that a test can wait for a count without polling. Call
// it before p is shared; the channel buffers n changes, and a change that
// finds it full is dropped.
func OnWorkers(p *Pool, n int) <-chan int {
	c := make(chan int, n)
	p.mu.Lock()
	p.onWorkers = func(w int) {
		select {
		case c <- w:
		default:
		}
	}
	p.mu.Unlock()
	return c
}

// TimerArmed reports whether p's idle timer is armed.
func TimerArmed(p *Pool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.timerArmed
}

// OnPark makes p send on the returned channel each time a Submit parks,
// waiting for room; the channel buffers n. The hook is set under the
// backlog's mutex, which parks read it under: New has started the workers,
// and they may be parking in the backlog already.
func OnPark(p *Pool, n int) <-chan struct{} {
	c := make(chan struct{}, n)
	p.backlog.Do(func() {
		p.backlog.OnPark = func(putter bool) {
			if putter {
				c <- struct{}{}
			}
		}
	})
	return c
}
