package queue

// OnPark makes q (a *Queue or *Priority) send on the returned channel each
// time a goroutine parks in it, so that a test knows a call is blocked without
// sleeping. Call it before q is shared. The channel buffers n signals.
func OnPark(q any, n int) <-chan struct{} {
	c := make(chan struct{}, n)
	*q.(interface{ parkHook() *func(bool) }).parkHook() = func(bool) { c <- struct{}{} }
	return c
}

func (q *core[T]) parkHook() *func(bool) { return &q.c.OnPark }
