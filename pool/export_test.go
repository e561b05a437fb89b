package pool

import (
	"fmt"
	"sync"
)

// The channels that OnWorkers, OnPark and OnGetPark returned, by pool.
var workersHooks, parkHooks, getParkHooks sync.Map

func init() {
	onWorkers = func(p *Pool, n int) {
		if c, ok := workersHooks.Load(p); ok {
			select {
			case c.(chan int) <- n:
			default:
			}
		}
	}
	onPark = func(p *Pool) {
		if c, ok := parkHooks.Load(p); ok {
			c.(chan struct{}) <- struct{}{}
		}
	}
	onGetPark = func(p *Pool) {
		if c, ok := getParkHooks.Load(p); ok {
			c.(chan struct{}) <- struct{}{}
		}
	}
}

// OnWorkers makes p send its number of workers (less those told to exit
// while parked) on the returned channel each time it changes, so that a test
// can wait for a count without polling. Call it before p is shared; the
// channel buffers n changes, and a change that finds it full is dropped.
func OnWorkers(p *Pool, n int) <-chan int {
	c := make(chan int, n)
	workersHooks.Store(p, c)
	return c
}

// TimerArmed reports whether p's idle timer is armed.
func TimerArmed(p *Pool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.timerArmed
}

// OnPark makes p send on the returned channel each time a Submit parks,
// waiting for room; the channel buffers n.
func OnPark(p *Pool, n int) <-chan struct{} {
	c := make(chan struct{}, n)
	parkHooks.Store(p, c)
	return c
}

// OnGetPark makes p send on the returned channel each time a Future.Get of
// one of its Futures parks; the channel buffers n.
func OnGetPark(p *Pool, n int) <-chan struct{} {
	c := make(chan struct{}, n)
	getParkHooks.Store(p, c)
	return c
}

// CheckParked returns an error unless p's count of parked Submits, which its
// fast paths read, matches its list of them.
func CheckParked(p *Pool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, l := p.nput.Load(), p.putters.Len(); n != int64(l) {
		return fmt.Errorf("nput %d, %d Submits parked", n, l)
	}
	return nil
}

// MaxSpares is the most spare workers a pool keeps.
const MaxSpares = maxSpares

// Spares returns the number of spare workers p keeps, counted on its stack,
// and the count that p keeps of them (nspares): at rest, the two agree.
func Spares(p *Pool) (onStack, counted int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := p.spares.Load(); w != nil; w = w.nextSpare {
		onStack++
	}
	return onStack, int(p.nspares.Load())
}

// AddSpares gives p n workers as spares, as n exiting goroutines would.
func AddSpares(p *Pool, n int) {
	for range n {
		p.spareWorker(&worker{wake: make(chan struct{}, 1)})
	}
}

// TakeSpare gives p a worker for a goroutine that parks, as newWorker does,
// and reports whether it was a spare.
func TakeSpare(p *Pool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	spare := p.spares.Load() != nil // only newWorker pops, under p.mu
	p.newWorker()
	return spare
}
