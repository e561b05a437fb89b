//go:build !race

#include "textflag.h"

// func storeRelease(p *atomic.Uint64, v uint64)
// A plain store: amd64 keeps stores in program order after earlier loads and
// stores (TSO), which is release order. The value is the first word of an
// atomic.Uint64.
TEXT ·storeRelease(SB), NOSPLIT, $0-16
	MOVQ	p+0(FP), AX
	MOVQ	v+8(FP), BX
	MOVQ	BX, 0(AX)
	RET
