//go:build !race && (amd64 || arm64)

package qcore

import "sync/atomic"

// storeRelease stores v in *p with release order only: the loads and stores
// before it in program order are seen to happen before it, but, unlike
// p.Store, it is no full barrier (a plain MOV on amd64, STLR on arm64, as
// the runtime's own lock-free run queues use). A popTo of many slots
// releases all but the last one with it, and the last with p.Store, which
// orders them all before what follows. Under the race detector, which must
// see every synchronizing store, it is p.Store (release_race.go).
//
//go:noescape
func storeRelease(p *atomic.Uint64, v uint64)
