package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// loggrep runs the program with args and returns its exit code and output.
func loggrep(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// smallCorpus generates a 1 MB corpus of 40 files in a temporary directory.
func smallCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, _, stderr := loggrep(t, "-gen", dir, "-size", "1MB", "-files", "40"); code != exitOK {
		t.Fatalf("-gen: exit %d: %s", code, stderr)
	}
	return dir
}

// digest returns a hash of every file under dir, with its name.
func digest(t *testing.T, dir string) string {
	t.Helper()
	paths, _, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := smallCorpus(t), smallCorpus(t)
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("two corpora differ: %s and %s", da, db)
	}
	paths, total, err := listFiles(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 40 {
		t.Errorf("%d files, want 40", len(paths))
	}
	if total < 1<<20 || total > 1<<20+40*1024 {
		t.Errorf("%d bytes, want about %d", total, 1<<20)
	}
	// Uneven sizes: the largest file is several times the smallest.
	small, large := int64(1<<62), int64(0)
	for _, p := range paths {
		fi, err := os.Stat(filepath.Join(a, p))
		if err != nil {
			t.Fatal(err)
		}
		small, large = min(small, fi.Size()), max(large, fi.Size())
	}
	if large < 5*small {
		t.Errorf("file sizes from %d to %d: want them uneven", small, large)
	}
	// Every line has the documented shape.
	line := regexp.MustCompile(`^2026-11-2\dT\d\d:\d\d:\d\dZ (INFO|WARN|ERROR|DEBUG) [a-z]+: \S`)
	f, err := os.Open(filepath.Join(a, paths[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !line.MatchString(sc.Text()) {
			t.Fatalf("bad line %q", sc.Text())
		}
	}
}

// TestSequentialMatchesParallel checks that -sequential prints the same
// table, whatever the number of workers, and that the table counts what a
// plain loop counts.
func TestSequentialMatchesParallel(t *testing.T) {
	t.Parallel()
	dir := smallCorpus(t)
	for _, pattern := range []string{"timeout|refused", "^2026-11-25T10:0", "slow query took [0-9]{4}ms", "no such thing"} {
		code, seq, stderr := loggrep(t, "-pattern", pattern, "-sequential", dir)
		if code != exitOK {
			t.Fatalf("%q -sequential: exit %d: %s", pattern, code, stderr)
		}
		for _, workers := range []string{"1", "2", "7"} {
			code, par, stderr := loggrep(t, "-pattern", pattern, "-workers", workers, dir)
			if code != exitOK {
				t.Fatalf("%q -workers %s: exit %d: %s", pattern, workers, code, stderr)
			}
			if par != seq {
				t.Fatalf("%q -workers %s: got\n%s\nwant (-sequential)\n%s", pattern, workers, par, seq)
			}
		}
		want := countLines(t, dir, regexp.MustCompile(pattern))
		if !strings.Contains(seq, fmt.Sprintf("\n%d matching lines in ", want)) {
			t.Errorf("%q: got\n%s\nwant %d matching lines", pattern, seq, want)
		}
	}
}

// countLines counts the lines under dir that re matches, the plain way.
func countLines(t *testing.T, dir string, re *regexp.Regexp) int {
	t.Helper()
	paths, _, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if re.MatchString(line) {
				n++
			}
		}
	}
	return n
}

func TestTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"a.log":     "2026-11-25T10:00:00Z ERROR db: timeout\n2026-11-25T10:00:01Z INFO db: ok\n2026-11-25T10:00:02Z WARN db: timeout soon\n",
		"sub/b.log": "2026-11-25T10:00:00Z TRACE x: timeout\nno level timeout\n2026-11-25T10:00:00Z INFO x: fine\n",
		"c.log":     "nothing here\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := loggrep(t, "-pattern", "timeout", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "" +
		"  FILE       INFO  WARN  ERROR  DEBUG  TRACE  level  TOTAL\n" +
		"  a.log         0     1      1      0      0      0      2\n" +
		"  sub/b.log     0     0      0      0      1      1      2\n" +
		"  TOTAL         0     1      1      0      1      1      4\n" +
		"4 matching lines in 2 of 3 files\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no args", nil, exitUsage, "usage: loggrep"},
		{"no pattern", []string{dir}, exitUsage, "usage: loggrep"},
		{"no dir", []string{"-pattern", "x"}, exitUsage, "usage: loggrep"},
		{"bad regex", []string{"-pattern", "(unclosed", dir}, exitUsage, "loggrep: bad -pattern: error parsing regexp"},
		{"missing dir", []string{"-pattern", "x", filepath.Join(dir, "missing")}, exitFailure, "no such file or directory"},
		{"bad flag", []string{"-nope"}, exitUsage, "flag provided but not defined"},
		{"bad size", []string{"-gen", dir, "-size", "lots"}, exitUsage, `bad -size "lots"`},
		{"bad files", []string{"-gen", dir, "-files", "0"}, exitUsage, "-files must be at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := loggrep(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

// A file that cannot be read to its end (here, a line longer than the
// scanner takes) fails the run, naming the input, in both modes.
func TestUnreadableFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := strings.Repeat("x", 2<<20) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "long.log"), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range [][]string{nil, {"-sequential"}} {
		code, _, stderr := loggrep(t, append(append([]string{"-pattern", "x"}, mode...), dir)...)
		if code != exitFailure || !strings.Contains(stderr, "token too long") || !strings.Contains(stderr, "input 0") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and the scanner's error for input 0", mode, code, stderr)
		}
	}
}

// A cancelled run (an interrupt) stops and fails.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	dir := smallCorpus(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"-pattern", "x", dir}, &out, &errOut); code != exitFailure ||
		!strings.Contains(errOut.String(), "context canceled") {
		t.Errorf("exit %d, stderr %q; want exit 1 and context canceled", code, errOut.String())
	}
}

// BenchmarkGrep compares the parallel and sequential runs on a 20 MB corpus
// (the default 200 MB one is for the command line: -gen, then time both).
func BenchmarkGrep(b *testing.B) {
	dir := b.TempDir()
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"-gen", dir, "-size", "20MB", "-files", "60"}, &bytes.Buffer{}, &errOut); code != exitOK {
		b.Fatal(errOut.String())
	}
	for _, mode := range []string{"parallel", "sequential"} {
		b.Run("mode="+mode, func(b *testing.B) {
			b.SetBytes(20 << 20)
			args := []string{"-pattern", "timeout|refused", dir}
			if mode == "sequential" {
				args = append([]string{"-sequential"}, args...)
			}
			for b.Loop() {
				var out, errOut bytes.Buffer
				if code := run(context.Background(), args, &out, &errOut); code != exitOK {
					b.Fatal(errOut.String())
				}
			}
		})
	}
}
