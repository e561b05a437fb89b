package mapreduce

// WithPartitions sets the number of partitions the keys are hashed into, so
// that tests can check that the result does not depend on it. It is not part
// of the API: the default (a few per worker) is all a user needs.
func WithPartitions(n int) Option {
	if n < 1 {
		panic("mapreduce: WithPartitions with n < 1")
	}
	return optionFunc(func(c *config) { c.partitions = n })
}

// ChunkCap returns the most inputs of type In an adaptive chunk holds.
func ChunkCap[In any]() int { return chunkCap[In]() }

// OnCrewWait makes f be called each time a call's crew is about to block in
// its wait, until the returned func restores the default. Tests that use it
// must not run in parallel with others.
func OnCrewWait(f func()) (restore func()) {
	onCrewWait = f
	return func() { onCrewWait = nil }
}
