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
