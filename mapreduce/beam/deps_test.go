package lullbeam_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goIn runs the go command in dir, on that module alone (GOWORK=off), and
// returns its output.
func goIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// TestLibraryHasNoBeam checks that this module's dependency on Beam stays in
// this module: the library's packages import nothing but the standard
// library, the library and golang.org/x/sync, and the library's go.mod
// requires only what the library and its tests use.
func TestLibraryHasNoBeam(t *testing.T) {
	root := filepath.Join("..", "..")
	deps := strings.Fields(goIn(t, root, "list", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./queue/...", "./pool/...", "./mapreduce/..."))
	if !slices.Contains(deps, "github.com/lullgo/lull/mapreduce") || !slices.Contains(deps, "github.com/lullgo/lull/pool") {
		t.Fatalf("go list -deps found %q: not the library", deps)
	}
	for _, d := range deps {
		if !strings.HasPrefix(d, "github.com/lullgo/lull/") && !strings.HasPrefix(d, "golang.org/x/sync/") {
			t.Errorf("the library depends on %s", d)
		}
		if strings.HasPrefix(d, "github.com/lullgo/lull/mapreduce/beam") {
			t.Errorf("the library's module holds %s", d)
		}
	}

	var mod struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.Unmarshal([]byte(goIn(t, root, "mod", "edit", "-json")), &mod); err != nil {
		t.Fatal(err)
	}
	direct := []string{ // the charter's: x/sync for the library, the rest for its tests
		"golang.org/x/sync", "go.uber.org/goleak", "github.com/stretchr/testify",
		"github.com/anishathalye/porcupine", "pgregory.net/rapid",
	}
	for _, r := range mod.Require {
		if !r.Indirect && !slices.Contains(direct, r.Path) {
			t.Errorf("the library's go.mod requires %s", r.Path)
		}
		for _, beamish := range []string{"apache/beam", "google.golang.org/", "cloud.google.com/", "github.com/golang/protobuf"} {
			if strings.Contains(r.Path, beamish) {
				t.Errorf("the library's go.mod requires %s, one of Beam's dependencies", r.Path)
			}
		}
	}
}
