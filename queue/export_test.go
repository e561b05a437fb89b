package queue

import "sync"

// parked maps a queue's core to the channel that OnPark returned for it.
var parked sync.Map

func init() {
	parkHook = func(c any, _ bool) {
		if ch, ok := parked.Load(c); ok {
			ch.(chan struct{}) <- struct{}{}
		}
	}
}

// OnPark makes q (a *Queue or *Priority) send on the returned channel each
// time a goroutine parks in it, so that a test knows a call is blocked without
// sleeping. Call it before q is shared. The channel buffers n signals.
func OnPark(q any, n int) <-chan struct{} {
	c := make(chan struct{}, n)
	parked.Store(q.(interface{ coreKey() any }).coreKey(), c)
	return c
}

func (q *core[T]) coreKey() any { return q }
