package grepjob_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullgo/lull/examples/loggrep/grepjob"
)

func TestMapErrorNamesFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	job, err := grepjob.New(dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	err = job.Map(context.Background(), "gone.log", func(grepjob.Key, int) {})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, "gone.log")) {
		t.Errorf("got %v, want an error naming %s", err, filepath.Join(dir, "gone.log"))
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if _, err := grepjob.New(".", "(x"); err == nil || !strings.Contains(err.Error(), "grepjob: bad pattern") {
		t.Errorf("New with a bad pattern: got %v", err)
	}
	var j grepjob.Job
	if err := j.Map(context.Background(), "x", func(grepjob.Key, int) {}); !errors.Is(err, grepjob.ErrNotSetUp) {
		t.Errorf("Map before Setup: got %v, want ErrNotSetUp", err)
	}
}

// TestJobCountsCancel checks the keys Map emits and that it stops on a
// cancelled ctx.
func TestMap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := strings.Repeat("2026-11-25T10:00:00Z WARN db: slow\nplain line\n", 5000)
	if err := os.WriteFile(filepath.Join(dir, "a.log"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := grepjob.New(dir, "slow|plain")
	if err != nil {
		t.Fatal(err)
	}
	got := map[grepjob.Key]int{}
	if err := job.Map(context.Background(), "a.log", func(k grepjob.Key, n int) { got[k] += n }); err != nil {
		t.Fatal(err)
	}
	want := map[grepjob.Key]int{{File: "a.log", Level: "WARN"}: 5000, {File: "a.log", Level: "line"}: 5000}
	if len(got) != len(want) || got[grepjob.Key{File: "a.log", Level: "WARN"}] != 5000 ||
		got[grepjob.Key{File: "a.log", Level: "line"}] != 5000 {
		t.Errorf("got %v, want %v", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := job.Map(ctx, "a.log", func(grepjob.Key, int) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"b.log", "a/z.log", "a/b/c.log"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a", filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{dir, link} {
		l, err := grepjob.List(root)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(l.Files, " "); got != "a/b/c.log a/z.log b.log" || l.Bytes != 15 ||
			len(l.Skipped) != 1 || l.Skipped[grepjob.SkipSymlink] != 1 {
			t.Errorf("List(%s) = %q, %d bytes, skipped %v; want 3 files, 15 bytes, 1 symlink", root, got, l.Bytes, l.Skipped)
		}
	}
}
