// Command loggrep is examples/loggrep on Apache Beam: it runs the same job,
// package grepjob's Job.Map and Add (one definition, imported by both), with
// [lullbeam.Combine], on any Beam runner, and prints the same table, byte for
// byte, as examples/loggrep does in-process.
//
//	go run ./examples/loggrep -gen /tmp/logs
//	go run ./mapreduce/beam/loggrep -pattern 'timeout|refused' /tmp/logs
//
// The default runner is prism, Beam's in-process runner. Beam's own flags
// choose another (see the module's README for Flink and Dataflow):
//
//	-runner flink -endpoint HOST:PORT -environment_type DOCKER
//	-runner dataflow -project P -region R -staging_location gs://B/staging
//
// This program lists DIR, which must be reachable at the same path by every
// worker; the counts come back through a text file, -output, which every
// worker and this program must reach too (a gs:// path on Dataflow). By
// default it is a temporary local file, which does for prism.
//
// Exit status: 0 on success, 1 if the run failed (the error names the file,
// and the line where there is one), 2 for bad flags or arguments.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx" // every runner and file system

	"github.com/lullgo/lull/examples/loggrep/grepjob"
	lullbeam "github.com/lullgo/lull/mapreduce/beam"
)

// Exit codes, as examples/loggrep's.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func init() {
	// Before beam.Init, in every process: the job, its combine, and the
	// DoFn that writes the counts out.
	lullbeam.RegisterMapperType[*grepjob.Job]()
	lullbeam.RegisterCombine(grepjob.Add)
	register.Function2x2(encodeCount)
}

// options are what the command line says.
type options struct {
	runner  string // a Beam runner: prism, flink, dataflow, ...
	pattern string
	output  string // where the counts go; "" for a temporary local file
	dir     string
}

func main() {
	var o options
	flag.StringVar(&o.pattern, "pattern", "", "count the lines that match `REGEX` (Go syntax)")
	flag.StringVar(&o.output, "output", "", "the `PATH` the counts are written to and read back from "+
		"(default a temporary local file; on a cluster, a path every worker reaches)")
	verbose := flag.Bool("v", false, "show the runner's logs at level info (default: warnings and errors)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: loggrep -pattern REGEX [-output PATH] [-v] [Beam flags: -runner R ...] DIR\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if !*verbose {
		beamlog.LogLevel = "warn" // prism logs each step of a job at info
	}
	// On a worker, beam.Init runs the SDK harness and never returns.
	beam.Init()

	o.runner = *runners.Runner
	if o.runner == "" {
		o.runner = "prism"
	}
	switch {
	case o.pattern == "":
		usageError("-pattern is missing")
	case flag.NArg() == 0:
		usageError("no directory given: name one after the flags")
	case flag.NArg() > 1:
		usageError(fmt.Sprintf("one directory, after the flags, got %d arguments: %s",
			flag.NArg(), strings.Join(flag.Args(), " ")))
	}
	o.dir = flag.Arg(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func usageError(msg string) {
	fmt.Fprintf(os.Stderr, "loggrep: %s\nusage: loggrep -pattern REGEX [-output PATH] [-runner R ...] DIR\n", msg)
	os.Exit(exitUsage)
}

// run greps o.dir on Beam and prints the table to stdout.
func run(ctx context.Context, o options, stdout, stderr io.Writer) int {
	dir, err := filepath.Abs(o.dir) // the workers' working directory may differ
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	job, err := grepjob.New(dir, o.pattern)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: bad -pattern: %v\n", errors.Unwrap(err))
		return exitUsage
	}
	l, err := grepjob.List(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	output := o.output
	if output == "" {
		tmp, err := os.MkdirTemp("", "loggrep-beam")
		if err != nil {
			fmt.Fprintf(stderr, "loggrep: %v\n", err)
			return exitFailure
		}
		defer os.RemoveAll(tmp)
		output = filepath.Join(tmp, "counts.jsonl")
	}

	start := time.Now()
	counts, err := grep(ctx, o.runner, job, l.Files, output)
	if err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	elapsed := time.Since(start)
	if err := grepjob.WriteTable(stdout, counts, l); err != nil {
		fmt.Fprintf(stderr, "loggrep: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "loggrep: %d files, %.1f MB in %v (Beam, %s runner)\n",
		len(l.Files), float64(l.Bytes)/(1<<20), elapsed.Round(time.Millisecond), o.runner)
	return exitOK
}

// pipeline builds the job's pipeline: the files, the job through
// lullbeam.Combine, and the counts written to output as JSON lines.
func pipeline(job *grepjob.Job, files []string, output string) (*beam.Pipeline, error) {
	p, s := beam.NewPipelineWithRoot()
	col := beam.CreateList(s, files)
	counts, err := lullbeam.TryCombine(s, col, job, grepjob.Add)
	if err != nil {
		return nil, err
	}
	textio.Write(s, output, beam.ParDo(s, encodeCount, counts))
	return p, nil
}

// grep runs the pipeline on runner and reads the counts back.
func grep(ctx context.Context, runner string, job *grepjob.Job, files []string, output string) (map[grepjob.Key]int, error) {
	p, err := pipeline(job, files, output)
	if err != nil {
		return nil, err
	}
	if _, err := beam.Run(ctx, runner, p); err != nil {
		return nil, pipelineError(err)
	}
	return readCounts(ctx, output)
}

// count is one line of the output.
type count struct {
	File, Level, Skip string
	N                 int
}

func encodeCount(k grepjob.Key, n int) (string, error) {
	b, err := json.Marshal(count{k.File, k.Level, k.Skip, n})
	return string(b), err
}

// readCounts reads the output of the pipeline back.
func readCounts(ctx context.Context, path string) (map[grepjob.Key]int, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	counts := map[grepjob.Key]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		var c count
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		counts[grepjob.Key{File: c.File, Level: c.Level, Skip: c.Skip}] += c.N
	}
	return counts, sc.Err()
}

// pipelineError shortens the runner's error, which describes the whole
// failed bundle, to the line that says what failed, which lullbeam writes
// (the input, and grepjob's error with the file and line), if there is one.
func pipelineError(err error) error {
	msg := err.Error()
	i := strings.Index(msg, "lullbeam: ")
	if i < 0 {
		return fmt.Errorf("the pipeline failed: %w", err)
	}
	line, _, _ := strings.Cut(msg[i:], "\n")
	return fmt.Errorf("the pipeline failed: %s", line)
}
