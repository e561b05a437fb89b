package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"github.com/lullgo/lull/mapreduce"
)

// key is what loggrep counts by: a file (relative to the directory) and a
// log level.
type key struct {
	File  string
	Level string
}

// levels are the levels of the table's columns, in this order; any other
// level found comes after them, sorted.
var levels = []string{"INFO", "WARN", "ERROR", "DEBUG"}

// listFiles returns the regular files under dir, relative to it and in
// lexical order, and their total size.
func listFiles(dir string) ([]string, int64, error) {
	var paths []string
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		paths = append(paths, rel)
		total += info.Size()
		return nil
	})
	return paths, total, err
}

// grepper returns the mapper of one file: it emits (file, level) once per
// line that re matches. It is the same for the parallel and the sequential
// run, so that they can only differ in how the files are spread.
func grepper(dir string, re *regexp.Regexp) mapreduce.Mapper[string, key, int] {
	return func(ctx context.Context, rel string, emit func(key, int)) error {
		f, err := os.Open(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		done := ctx.Done()
		for n := 0; sc.Scan(); n++ {
			if n%4096 == 0 {
				// A file takes milliseconds: look at ctx now and
				// then, so that an interrupt or another file's
				// failure stops this one too.
				select {
				case <-done:
					return ctx.Err()
				default:
				}
			}
			line := sc.Bytes()
			if re.Match(line) {
				emit(key{rel, levelOf(line)}, 1)
			}
		}
		return sc.Err()
	}
}

// levelOf returns the second field of a line "TIME LEVEL component: ...",
// or "-" if there is none. Levels are few: the common ones are returned as
// constants, so that a match allocates nothing.
func levelOf(line []byte) string {
	_, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return "-"
	}
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		rest = rest[:i]
	}
	for _, l := range levels {
		if string(rest) == l {
			return l
		}
	}
	if len(rest) == 0 {
		return "-"
	}
	return string(rest)
}

func add(a, b int) int { return a + b }

// grepParallel counts with mapreduce.Combine: the files are the inputs, and
// each worker takes the next file when it is done with one, so a few large
// files do not leave the other workers idle. bar, if not nil, shows the files
// done.
func grepParallel(ctx context.Context, dir string, paths []string, re *regexp.Regexp, workers int,
	bar *progressbar.ProgressBar) (map[key]int, error) {
	opts := []mapreduce.Option{mapreduce.WithWorkers(workers)}
	if bar != nil {
		opts = append(opts, mapreduce.WithProgress(func(p mapreduce.Progress) {
			// Called from one goroutine at a time: no lock needed here.
			_ = bar.Set(p.InputsDone)
			if p.Phase == mapreduce.PhaseDone {
				_ = bar.Finish()
			}
		}))
	}
	return mapreduce.Combine(ctx, slices.Values(paths), grepper(dir, re), add, opts...)
}

// grepSequential runs the same mapper over the files in one loop, folding
// into one map: what Combine does, without the workers.
func grepSequential(ctx context.Context, dir string, paths []string, re *regexp.Regexp) (map[key]int, error) {
	counts := map[key]int{}
	emit := func(k key, v int) { counts[k] += v }
	m := grepper(dir, re)
	for i, p := range paths {
		if err := m(ctx, p, emit); err != nil {
			return nil, &mapreduce.InputError{Index: i, Err: err}
		}
	}
	return counts, nil
}

// newBar returns a progress bar of n files on w if w is a terminal, and nil
// otherwise: a bar in a file or a pipe is noise.
func newBar(w io.Writer, n int) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("grep"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionShowIts(),
		progressbar.OptionClearOnFinish(),
	)
}

// printTable writes the counts as a table: one row per file with a match,
// sorted by name, one column per level, and a total row.
func printTable(w io.Writer, counts map[key]int, files int) error {
	byFile := map[string]map[string]int{}
	found := map[string]bool{}
	for k, n := range counts {
		if byFile[k.File] == nil {
			byFile[k.File] = map[string]int{}
		}
		byFile[k.File][k.Level] += n
		found[k.Level] = true
	}
	cols := slices.Clone(levels)
	var extra []string
	for l := range found {
		if !slices.Contains(levels, l) {
			extra = append(extra, l)
		}
	}
	slices.Sort(extra)
	cols = append(cols, extra...)

	names := slices.SortedFunc(maps.Keys(byFile), cmp.Compare)
	width := len("TOTAL")
	for _, name := range names {
		width = max(width, len(name))
	}
	// Numbers align right; names are padded to one width, so that they
	// align left in their right-aligned column.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, vals []int) {
		fmt.Fprintf(tw, "%-*s\t", width, name)
		for _, v := range vals {
			fmt.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "%-*s\t", width, "FILE")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw, "TOTAL\t")

	totals := make([]int, len(cols)+1)
	for _, name := range names {
		vals := make([]int, len(cols)+1)
		for i, c := range cols {
			vals[i] = byFile[name][c]
			vals[len(cols)] += vals[i]
			totals[i] += vals[i]
		}
		totals[len(cols)] += vals[len(cols)]
		row(name, vals)
	}
	row("TOTAL", totals)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s matching lines in %d of %d files\n",
		strconv.Itoa(totals[len(cols)]), len(names), files)
	return err
}
