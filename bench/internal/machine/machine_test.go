package machine

import (
	"slices"
	"testing"
)

func TestDirtyPaths(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" M pool/pool.go\n M pool/worker.go\n?? bench/future_test.go\n", []string{"pool/", "bench/"}},
		{"M  go.mod\nR  queue/a.go -> internal/qcore/a.go\n", []string{"go.mod", "internal/"}},
	} {
		if got := dirtyPaths(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("dirtyPaths(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
