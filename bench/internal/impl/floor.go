//go:build !solo || solo_floor

package impl

// The runtime floor is a program with no pool at all that only blocks: what
// the Go runtime itself costs while nothing happens.
func init() {
	register(Impl{
		Name: "runtime-floor",
		Tag:  "floor",
		Doc:  "no pool; the program only blocks (the runtime's own floor)",
	})
}
