package main

import (
	"strings"
	"testing"
)

// TestCheckRun checks what -preflight says and when it refuses: only when
// the run writes files git sees and the measured code has uncommitted
// changes, unless allowed.
func TestCheckRun(t *testing.T) {
	ignoredQuick := func(p string) bool { return strings.HasPrefix(p, "results/quick/") }
	kept := []string{"results/", "./RESULTS.md", "./idle.svg", "../README.md"}
	quick := []string{"results/quick/", "results/quick/RESULTS.md"}
	for _, tt := range []struct {
		name       string
		writes     []string
		dirty      []string
		allowDirty bool
		wantErr    string
		want       []string
	}{
		{name: "clean", writes: kept,
			want: []string{"rewrites results/, ./RESULTS.md, ./idle.svg, ../README.md, which git tracks", "measuring lull at abc1234."}},
		{name: "dirty", writes: kept, dirty: []string{"pool/", "bench/"},
			wantErr: `uncommitted changes in pool/, bench/ would be measured, and the results filed under abc1234`,
			want:    []string{"rewrites results/"}},
		{name: "dirty allowed", writes: kept, dirty: []string{"pool/"}, allowDirty: true,
			want: []string{"rewrites results/", `warning: uncommitted changes in pool/; the results will say "abc1234 (uncommitted changes in pool/)"`}},
		{name: "nothing written", dirty: []string{"bench/"},
			want: []string{"warning: uncommitted changes in bench/"}},
		{name: "quick", writes: quick, dirty: []string{"bench/"},
			want: []string{"writes only results/quick/, results/quick/RESULTS.md, which git ignores", "warning: uncommitted changes in bench/"}},
	} {
		var out strings.Builder
		err := checkRun(&out, tt.writes, ignoredQuick, "abc1234", tt.dirty, tt.allowDirty)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: error %v, want none", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.wantErr)
		}
		if tt.wantErr != "" && err != nil && !strings.Contains(err.Error(), "ALLOW_DIRTY=1") {
			t.Errorf("%s: the refusal does not say how to run anyway: %v", tt.name, err)
		}
		if len(tt.writes) == 0 && strings.Contains(out.String(), "writes") {
			t.Errorf("%s: output %q speaks of files written, with none", tt.name, out.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output %q lacks %q", tt.name, out.String(), w)
			}
		}
	}
}
