package bench_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCounts checks that README.md's table of counts gives the
// Makefile's defaults and bench-quick's overrides, so that the two cannot
// drift apart.
func TestReadmeCounts(t *testing.T) {
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(\w+)\s*\?=\s*(\S+)\s*$`).FindAllStringSubmatch(string(mk), -1) {
		defaults[m[1]] = m[2]
	}
	quickLine := regexp.MustCompile(`(?m)^bench-quick:\n\t\$\(MAKE\) bench (.*)$`).FindStringSubmatch(string(mk))
	if quickLine == nil {
		t.Fatal("Makefile: no bench-quick recipe of the form $(MAKE) bench VAR=value ...")
	}
	quick := map[string]string{}
	for _, kv := range strings.Fields(quickLine[1]) {
		k, v, _ := strings.Cut(kv, "=")
		quick[k] = v
	}
	for _, name := range []string{"COUNT", "TASKS", "RESIZES", "JOBS", "WINDOW", "RUNS"} {
		d, q := defaults[name], quick[name]
		if d == "" || q == "" {
			t.Errorf("Makefile: %s has default %q and bench-quick value %q, want both set", name, d, q)
			continue
		}
		row := "| `" + name + "` | `" + d + "` | `" + q + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
}
