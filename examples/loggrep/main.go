// Command loggrep counts the lines of a directory of log files that match a
// regular expression, per file and per log level, with [mapreduce.Combine]:
// each file is one input, each matching line one pair, and each worker folds
// its own counts, so memory stays at one counter per file and level however
// many lines match. The job itself (the mapper, the combine and the table)
// is package [grepjob], which the Beam version of this command in
// mapreduce/beam/loggrep runs unchanged.
//
// Make a synthetic corpus (by default 200 MB in 300 files of uneven size; the
// same bytes every time), then grep it:
//
//	go run ./examples/loggrep -gen /tmp/logs
//	go run ./examples/loggrep -pattern 'timeout|refused' /tmp/logs
//	go run ./examples/loggrep -pattern 'timeout|refused' -sequential /tmp/logs
//
// -gen refuses a directory that is not empty, unless -force is given (then
// files of the same names are overwritten and the others are left alone);
// -size and -files set the corpus size (B, KB, MB or GB) and file count.
//
// The table goes to stdout, sorted by file, and is the same with -sequential,
// which runs the same mapper in one goroutine for comparison. A one-line
// summary with the elapsed time goes to stderr, and, when stderr is a
// terminal, a progress bar while the files are read. Lines of any length are
// matched; binary files, symbolic links and other files that are not regular
// are skipped, and the last line of the table says how many and why.
//
// Exit status: 0 on success, 1 if the run failed (a missing directory, an
// unreadable file, a non-empty -gen directory), 2 for bad flags or
// arguments, with a message that says what is wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/lullgo/lull/examples/loggrep/grepjob"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage: loggrep -pattern REGEX [-sequential | -workers N] DIR
       loggrep -gen DIR [-size SIZE] [-files N] [-force]
`

// The flags of each mode, to tell a flag given in the wrong mode.
var (
	genFlags  = []string{"size", "files", "force"}
	grepFlags = []string{"pattern", "sequential", "workers"}
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed flags.
type options struct {
	gen, size  string
	files      int
	force      bool
	pattern    string
	sequential bool
	workers    int
	dir        string
	set        map[string]bool // the flags given
}

// run is the whole program but for the process: tests call it with their
// own args and writers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parse(args, stderr)
	if !ok {
		return code
	}
	if o.gen != "" {
		return runGen(o, stderr)
	}
	return runGrep(ctx, o, stdout, stderr)
}

// parse parses args. If it returns ok false, the program exits with code,
// and parse has written why to stderr.
func parse(args []string, stderr io.Writer) (o options, code int, ok bool) {
	fs := flag.NewFlagSet("loggrep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage+"\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.gen, "gen", "", "write a synthetic corpus into `DIR` and exit")
	fs.StringVar(&o.size, "size", "200MB", "total `SIZE` of the corpus -gen writes (B, KB, MB or GB)")
	fs.IntVar(&o.files, "files", 300, "number of files -gen writes")
	fs.BoolVar(&o.force, "force", false, "let -gen write into a directory that is not empty")
	fs.StringVar(&o.pattern, "pattern", "", "count the lines that match `REGEX` (Go syntax)")
	fs.BoolVar(&o.sequential, "sequential", false, "run in one goroutine, for comparison")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "number of workers")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, exitOK, false
		}
		return o, exitUsage, false // the flag package said what was wrong
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })

	if msg := o.check(fs.Args()); msg != "" {
		fmt.Fprintf(stderr, "loggrep: %s\n%s", msg, usage)
		return o, exitUsage, false
	}
	return o, exitOK, true
}

// check checks the flags and arguments of o, and sets o.dir. It returns what
// is wrong, or "".
func (o *options) check(args []string) string {
	if o.set["gen"] && o.gen == "" {
		return "-gen needs a directory"
	}
	wrong, mode := grepFlags, "-gen"
	if o.gen == "" {
		wrong, mode = genFlags, "-pattern"
	}
	for _, name := range wrong {
		if o.set[name] {
			if mode == "-gen" {
				return fmt.Sprintf("-%s does not apply with -gen", name)
			}
			return fmt.Sprintf("-%s applies only with -gen", name)
		}
	}
	if o.gen != "" {
		if len(args) != 0 {
			return fmt.Sprintf("-gen takes no other argument, got %q", args)
		}
		if o.files < 1 {
			return fmt.Sprintf("-files must be at least 1, got %d", o.files)
		}
		if _, err := parseSize(o.size); err != nil {
			return err.Error()
		}
		return ""
	}
	for _, a := range args[min(1, len(args)):] {
		if strings.HasPrefix(a, "-") {
			return fmt.Sprintf("flags go before the directory: %s comes after it", a)
		}
	}
	switch {
	case o.pattern == "" && !o.set["pattern"]:
		return "-pattern is missing"
	case o.pattern == "":
		return "-pattern is empty: it would match every line"
	case o.workers < 1:
		return fmt.Sprintf("-workers must be at least 1, got %d", o.workers)
	case o.sequential && o.set["workers"]:
		return "-workers does not apply with -sequential"
	case len(args) == 0:
		return "no directory given: name one after the flags"
	case len(args) > 1:
		return fmt.Sprintf("one directory, after the flags, got %d arguments: %s",
			len(args), strings.Join(args, " "))
	}
	o.dir = args[0]
	return ""
}

// runGen writes the corpus of -gen.
func runGen(o options, stderr io.Writer) int {
	size, _ := parseSize(o.size) // checked by parse
	if !o.force {
		if entries, err := os.ReadDir(o.gen); err == nil && len(entries) > 0 {
			fmt.Fprintf(stderr, "loggrep: %s is not empty: -gen writes only into a new or empty directory "+
				"(add -force to write into it anyway, overwriting its files of the same names)\n", o.gen)
			return exitFailure
		}
	}
	start := time.Now()
	if err := generate(o.gen, size, o.files); err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "loggrep: wrote %s in %d files to %s in %v\n",
		formatSize(size), o.files, o.gen, time.Since(start).Round(time.Millisecond))
	return exitOK
}

// runGrep greps o.dir.
func runGrep(ctx context.Context, o options, stdout, stderr io.Writer) int {
	job, err := grepjob.New(o.dir, o.pattern)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: bad -pattern: %v\n", errors.Unwrap(err))
		return exitUsage
	}
	l, err := grepjob.List(o.dir)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}

	start := time.Now()
	var counts map[grepjob.Key]int
	mode := "sequential"
	if o.sequential {
		counts, err = grepSequential(ctx, job, l.Files)
	} else {
		mode = fmt.Sprintf("parallel, %d workers", o.workers)
		counts, err = grepParallel(ctx, job, l.Files, o.workers, newBar(stderr, len(l.Files)))
	}
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	elapsed := time.Since(start)
	if err := grepjob.WriteTable(stdout, counts, l); err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "loggrep: %d files, %s in %v (%s)\n",
		len(l.Files), formatSize(l.Bytes), elapsed.Round(time.Millisecond), mode)
	return exitOK
}
