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
	"syscall"
	"testing"

	"github.com/lullgo/lull/examples/loggrep/grepjob"
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
	l, err := grepjob.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, p := range l.Files {
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
	l, err := grepjob.List(a)
	if err != nil {
		t.Fatal(err)
	}
	paths, total := l.Files, l.Bytes
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
	l, err := grepjob.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range l.Files {
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

// TestUsage checks that each usage error says what is wrong, exits 2, and
// prints nothing to stdout.
func TestUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no args", nil, "loggrep: -pattern is missing"},
		{"no pattern", []string{dir}, "loggrep: -pattern is missing"},
		{"empty pattern", []string{"-pattern", "", dir}, "loggrep: -pattern is empty"},
		{"no dir", []string{"-pattern", "x"}, "loggrep: no directory given"},
		{"two dirs", []string{"-pattern", "x", dir, dir}, "loggrep: one directory, after the flags, got 2 arguments"},
		{"flag after dir", []string{"-pattern", "x", dir, "-workers", "2"}, "loggrep: flags go before the directory: -workers comes after it"},
		{"pattern after dir", []string{dir, "-pattern", "x"}, "loggrep: flags go before the directory: -pattern comes after it"},
		{"workers -2", []string{"-pattern", "x", "-workers", "-2", dir}, "loggrep: -workers must be at least 1, got -2"},
		{"workers 0", []string{"-pattern", "x", "-workers", "0", dir}, "loggrep: -workers must be at least 1, got 0"},
		{"workers and sequential", []string{"-pattern", "x", "-sequential", "-workers", "2", dir}, "-workers does not apply with -sequential"},
		{"bad regex", []string{"-pattern", "(unclosed", dir}, "loggrep: bad -pattern: error parsing regexp"},
		{"size without gen", []string{"-pattern", "x", "-size", "1MB", dir}, "loggrep: -size applies only with -gen"},
		{"files without gen", []string{"-pattern", "x", "-files", "3", dir}, "loggrep: -files applies only with -gen"},
		{"force without gen", []string{"-pattern", "x", "-force", dir}, "loggrep: -force applies only with -gen"},
		{"pattern with gen", []string{"-gen", dir, "-pattern", "x"}, "loggrep: -pattern does not apply with -gen"},
		{"workers with gen", []string{"-gen", dir, "-workers", "2"}, "loggrep: -workers does not apply with -gen"},
		{"gen and dir", []string{"-gen", dir, dir}, "loggrep: -gen takes no other argument"},
		{"gen empty", []string{"-gen", ""}, "loggrep: -gen needs a directory"},
		{"bad flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"bad size", []string{"-gen", dir, "-size", "lots"}, `bad -size "lots"`},
		{"bad files", []string{"-gen", dir, "-files", "0"}, "-files must be at least 1, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := loggrep(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, tc.stderr)
			}
			if n := strings.Count(stderr, tc.stderr); n != 1 {
				t.Errorf("stderr %q says %q %d times, want once", stderr, tc.stderr, n)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("a refused -gen wrote %d files (%v)", len(entries), err)
	}
}

// TestHelp checks that -h is not an error.
func TestHelp(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := loggrep(t, "-h")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "usage: loggrep") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and the usage on stderr", code, stdout, stderr)
	}
}

func TestRunFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "a.log")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir, stderr string
	}{
		{"missing dir", filepath.Join(dir, "missing"), "missing: no such file or directory"},
		{"not a dir", file, "a.log is not a directory"},
	} {
		code, stdout, stderr := loggrep(t, "-pattern", "x", tc.dir)
		if code != exitFailure || !strings.Contains(stderr, tc.stderr) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.name, code, stdout, stderr, tc.stderr)
		}
	}
}

// TestLongLines checks that lines longer than the 1 MiB a bufio.Scanner
// takes by default (and than the read buffer) are matched, in both modes, like
// short ones.
func TestLongLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := "2026-11-25T10:00:00Z ERROR db: " + strings.Repeat("x", 1<<20+1<<18) + " timeout\n"
	body := "2026-11-25T10:00:00Z INFO db: timeout\n" + long + long[:1<<20+1<<17] + "\n" +
		"2026-11-25T10:00:01Z WARN db: timeout at the end"
	if err := os.WriteFile(filepath.Join(dir, "long.log"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"  FILE      INFO  WARN  ERROR  DEBUG  TOTAL\n" +
		"  long.log     1     1      1      0      3\n" +
		"  TOTAL        1     1      1      0      3\n" +
		"3 matching lines in 1 of 1 files\n"
	bothModes(t, dir, "timeout", want)
}

// TestSkipped checks that binary files, symbolic links and files that are not
// regular are not grepped, and that the table says how many and why.
func TestSkipped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.log", "2026-11-25T10:00:00Z ERROR db: timeout\n")
	write("blob.bin", "timeout \x00\x01\x02 timeout INFO\n")
	write("late.bin", strings.Repeat("timeout\n", 999)+"\x00")   // NUL after 7992 bytes: binary
	write("text.log", strings.Repeat("x", 8000)+"\x00timeout\n") // NUL after 8000 bytes: text
	if err := os.Symlink("a.log", filepath.Join(dir, "link.log")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"  FILE      INFO  WARN  ERROR  DEBUG  -  TOTAL\n" +
		"  a.log        0     0      1      0  0      1\n" +
		"  text.log     0     0      0      0  1      1\n" +
		"  TOTAL        0     0      1      0  1      2\n" +
		"2 matching lines in 2 of 2 files\n" +
		"skipped 4 files: 2 binary, 1 not a regular file, 1 symlink\n"
	bothModes(t, dir, "timeout", want)
}

// bothModes checks that loggrep -pattern pattern dir prints want, in
// parallel and with -sequential.
func bothModes(t *testing.T, dir, pattern, want string) {
	t.Helper()
	for _, mode := range [][]string{nil, {"-sequential"}} {
		code, out, stderr := loggrep(t, append(append([]string{"-pattern", pattern}, mode...), dir)...)
		if code != exitOK || out != want {
			t.Errorf("%v: exit %d, stderr %q, got\n%s\nwant\n%s", mode, code, stderr, out, want)
		}
	}
}

// TestGenRefusesNonEmpty checks that -gen leaves a directory with files in
// it alone, unless -force.
func TestGenRefusesNonEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "mine.txt")
	if err := os.WriteFile(keep, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := loggrep(t, "-gen", dir, "-size", "10KB", "-files", "2")
	if code != exitFailure || !strings.Contains(stderr, "is not empty") || !strings.Contains(stderr, "-force") {
		t.Fatalf("exit %d, stderr %q; want exit 1, not empty, and a word on -force", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the refused -gen left %d entries, want only mine.txt", len(entries))
	}
	code, _, stderr = loggrep(t, "-gen", dir, "-size", "10KB", "-files", "2", "-force")
	if code != exitOK {
		t.Fatalf("-force: exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("-force: %d entries, want mine.txt and 2 logs", len(entries))
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine\n" {
		t.Errorf("-force changed mine.txt: %q, %v", b, err)
	}
	// A new directory, and an empty one, need no -force.
	for _, d := range []string{filepath.Join(dir, "new", "sub"), t.TempDir()} {
		if code, _, stderr := loggrep(t, "-gen", d, "-size", "10KB", "-files", "2"); code != exitOK {
			t.Errorf("-gen %s: exit %d: %s", d, code, stderr)
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
