package queue

import "fmt"

// CheckParked returns an error unless q's counts of parked calls, which its
// fast paths read, match its lists of parked calls.
func CheckParked[T any](q *Queue[T]) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if g, p := q.nget.Load(), q.nput.Load(); g != int64(q.getq.Len()) || p != int64(q.putq.Len()) {
		return fmt.Errorf("nget %d, nput %d; %d Gets and %d Puts parked", g, p, q.getq.Len(), q.putq.Len())
	}
	return nil
}
