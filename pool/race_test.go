//go:build race

package pool_test

// raceEnabled reports whether the race detector is on: it makes sync.Pool
// drop items at random, so allocation counts of what the pool recycles
// through one mean nothing then.
const raceEnabled = true
