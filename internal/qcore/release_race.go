//go:build race || !(amd64 || arm64)

package qcore

import "sync/atomic"

// storeRelease is p.Store where release.go's plain store is not available
// or would hide the synchronization from the race detector.
func storeRelease(p *atomic.Uint64, v uint64) { p.Store(v) }
