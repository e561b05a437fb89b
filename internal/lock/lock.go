// Package lock provides the mutex acquisition that lull's queue and pool use
// on their hot paths.
package lock

import "sync"

// spins is how many more times Lock tries a held mutex before it parks.
// Each try is a load and, when the mutex looks free, a compare-and-swap: a
// few nanoseconds, so that the tries last about as long as one of the
// queue's or pool's critical sections.
const spins = 30

// Lock locks mu, for a critical section of a few dozen nanoseconds. When mu
// is held, its holder is then most likely running and about to release it,
// so Lock tries again a few times before it parks in mu.Lock. sync.Mutex
// itself parks at once when other goroutines are runnable on the same
// processor, as they are whenever producers and consumers outnumber the
// processors, and under contention it then passes the lock on goroutine by
// goroutine, a wake-up each; trying first avoids most of those parks. Nothing
// spins while mu is free, and nothing waits here for anything but mu, so an
// idle queue or pool costs nothing.
func Lock(mu *sync.Mutex) {
	if mu.TryLock() {
		return
	}
	for range spins {
		if mu.TryLock() {
			return
		}
	}
	mu.Lock()
}
