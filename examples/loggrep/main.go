// Command loggrep counts the lines of a directory of log files that match a
// regular expression, per file and per log level, with [mapreduce.Combine]:
// each file is one input, each matching line one pair, and each worker folds
// its own counts, so memory stays at one counter per file and level however
// many lines match.
//
// Make a synthetic corpus (about 200 MB in 300 files of uneven size; the
// same bytes every time), then grep it:
//
//	go run ./examples/loggrep -gen /tmp/logs
//	go run ./examples/loggrep -pattern 'timeout|refused' /tmp/logs
//	go run ./examples/loggrep -pattern 'timeout|refused' -sequential /tmp/logs
//
// The table goes to stdout, sorted by file, and is the same with -sequential,
// which runs the same mapper in one goroutine for comparison. A one-line
// summary with the elapsed time goes to stderr, and, when stderr is a
// terminal, a progress bar while the files are read.
//
// Exit status: 0 on success, 1 if the run failed (a missing directory, an
// unreadable file), 2 for bad flags or a bad pattern.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"time"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program but for the process: tests call it with their
// own args and writers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loggrep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: loggrep -pattern REGEX [-sequential] [-workers N] DIR\n")
		fmt.Fprintf(stderr, "       loggrep -gen DIR [-size SIZE] [-files N]\n\n")
		fs.PrintDefaults()
	}
	var (
		gen        = fs.String("gen", "", "write a synthetic corpus into `DIR` and exit")
		sizeFlag   = fs.String("size", "200MB", "total `SIZE` of the corpus -gen writes (B, KB, MB or GB)")
		files      = fs.Int("files", 300, "number of files -gen writes")
		pattern    = fs.String("pattern", "", "count the lines that match `REGEX` (Go syntax)")
		sequential = fs.Bool("sequential", false, "run in one goroutine, for comparison")
		workers    = fs.Int("workers", 0, "number of workers (default GOMAXPROCS)")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}

	if *gen != "" {
		size, err := parseSize(*sizeFlag)
		if err != nil || *files < 1 || fs.NArg() != 0 {
			if err == nil {
				err = errors.New("-files must be at least 1, and -gen takes no other argument")
			}
			fmt.Fprintf(stderr, "loggrep: %v\n", err)
			return exitUsage
		}
		start := time.Now()
		if err := generate(*gen, size, *files); err != nil {
			fmt.Fprintf(stderr, "loggrep: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "loggrep: wrote %s in %d files to %s in %v\n",
			formatSize(size), *files, *gen, time.Since(start).Round(time.Millisecond))
		return exitOK
	}

	if *pattern == "" || fs.NArg() != 1 || *workers < 0 {
		fs.Usage()
		return exitUsage
	}
	re, err := regexp.Compile(*pattern)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: bad -pattern: %v\n", err)
		return exitUsage
	}
	dir := fs.Arg(0)
	paths, total, err := listFiles(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}

	start := time.Now()
	var counts map[key]int
	mode := "sequential"
	if *sequential {
		counts, err = grepSequential(ctx, dir, paths, re)
	} else {
		n := *workers
		if n == 0 {
			n = runtime.GOMAXPROCS(0)
		}
		mode = fmt.Sprintf("parallel, %d workers", n)
		counts, err = grepParallel(ctx, dir, paths, re, n, newBar(stderr, len(paths)))
	}
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	elapsed := time.Since(start)
	if err := printTable(stdout, counts, len(paths)); err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "loggrep: %d files, %s in %v (%s)\n",
		len(paths), formatSize(total), elapsed.Round(time.Millisecond), mode)
	return exitOK
}
