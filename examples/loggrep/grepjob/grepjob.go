// Package grepjob is the log-grep job of examples/loggrep, defined once for
// every engine that runs it: the loggrep command runs it in-process with
// [mapreduce.Combine], and the program in mapreduce/beam/loggrep runs the very
// same [Job.Map] and [Add] on Apache Beam.
//
// The job counts the lines of a directory of log files that match a regular
// expression, per file and per log level. Its inputs are file names relative
// to [Job.Dir], as [List] returns them; [Job.Map] emits ([Key], 1) for each
// matching line, and [Add] folds the counts. [WriteTable] prints the result.
//
// A Job is shaped for Beam as much as for mapreduce: its configuration is two
// exported fields, so that Beam can ship it to remote workers as JSON, and
// [Job.Setup] rebuilds what is derived from them (the compiled pattern) on
// each worker. In-process, [New] does both at once and job.Map is the
// [mapreduce.Mapper].
//
// # What is read, what is skipped
//
//   - Lines of any length: a line that fits in the read buffer (64 KiB) is
//     matched in place; a longer one is matched as a stream, so a line of
//     gigabytes costs no more memory than a short one (its level is read
//     from its first 64 KiB).
//   - Binary files: a file with a NUL byte in its first 8000 bytes (the test
//     git uses) is not grepped; it is counted as skipped, with the reason
//     [SkipBinary].
//   - Symbolic links and other files that are not regular (devices, pipes,
//     sockets) are skipped by [List], which counts them by reason.
//
// Errors name the file, and the line where there is one.
package grepjob

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/lullgo/lull/mapreduce"
)

// Key is what the job counts by. For a matching line, File and Level are
// set and Skip is empty; for a file that was not grepped, File and Skip are
// set and Level is empty.
type Key struct {
	File  string // relative to Job.Dir, with slashes
	Level string // the second field of the line, or "-" if it has none
	Skip  string // why File was skipped: SkipBinary; "" for a matching line
}

// SkipBinary is the [Key.Skip] of a file that is not text: it has a NUL byte
// in its first binarySniff bytes.
const SkipBinary = "binary"

// Skip reasons of the files [List] leaves out.
const (
	SkipSymlink   = "symlink"
	SkipIrregular = "not a regular file"
)

const (
	// bufSize is the read buffer of a file: a line that fits is matched in
	// place, a longer one as a stream.
	bufSize = 64 << 10
	// binarySniff is how many bytes at the head of a file are looked at
	// for a NUL byte, as git does.
	binarySniff = 8000
	// ctxEvery is how many lines go by between two looks at ctx.
	ctxEvery = 4096
)

// ErrNotSetUp is returned by [Job.Map] on a Job that neither [New] nor
// [Job.Setup] has prepared.
var ErrNotSetUp = errors.New("grepjob: Job used before Setup")

// Job is the log-grep job over the files of Dir. Its exported fields are its
// whole configuration (what Beam encodes); the compiled pattern is derived
// from them by [Job.Setup]. After Setup, Map is safe for concurrent use.
type Job struct {
	Dir     string // the directory the inputs are relative to
	Pattern string // the regular expression a line must match (Go syntax)

	re *regexp.Regexp
}

// New returns a Job over dir that counts the lines matching pattern, ready to
// use, or an error if pattern does not compile.
func New(dir, pattern string) (*Job, error) {
	j := &Job{Dir: dir, Pattern: pattern}
	if err := j.Setup(context.Background()); err != nil {
		return nil, err
	}
	return j, nil
}

// Setup compiles j.Pattern. [New] calls it; Beam calls it on each worker,
// through the adapter in mapreduce/beam, after decoding j.
func (j *Job) Setup(context.Context) error {
	re, err := regexp.Compile(j.Pattern)
	if err != nil {
		return fmt.Errorf("grepjob: bad pattern: %w", err)
	}
	j.re = re
	return nil
}

// Map is the job's [mapreduce.Mapper]: it reads the file rel (relative to
// j.Dir) and emits (Key{rel, level, ""}, 1) for each line that j.Pattern
// matches, or (Key{rel, "", SkipBinary}, 1) once if the file is not text.
// Its errors name the file, and the line where the read failed. It returns
// ctx.Err() if ctx ends while it reads.
func (j *Job) Map(ctx context.Context, rel string, emit func(Key, int)) error {
	if j.re == nil {
		return ErrNotSetUp
	}
	path := filepath.Join(j.Dir, filepath.FromSlash(rel))
	f, err := os.Open(path)
	if err != nil {
		return err // an *fs.PathError: it names the file
	}
	defer f.Close()
	return grep(ctx, bufio.NewReaderSize(f, bufSize), j.re, path, rel, emit)
}

// grep is Map on an open file: r reads it, path names it in errors, rel
// names it in the keys.
func grep(ctx context.Context, r *bufio.Reader, re *regexp.Regexp, path, rel string, emit func(Key, int)) error {
	head, err := r.Peek(min(binarySniff, r.Size()))
	if bytes.IndexByte(head, 0) >= 0 {
		emit(Key{File: rel, Skip: SkipBinary}, 1)
		return nil
	}
	if err != nil && !isEOF(err) {
		// The read failed in the head: on the line after its last '\n'.
		return fmt.Errorf("%s:%d: %w", path, bytes.Count(head, []byte{'\n'})+1, err)
	}
	done := ctx.Done()
	for n := 1; ; n++ {
		if n%ctxEvery == 0 {
			// A file takes milliseconds: look at ctx now and then, so
			// that an interrupt or another file's failure stops this
			// one too.
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		matched, level, err := nextLine(r, re)
		if matched {
			emit(Key{File: rel, Level: level}, 1)
		}
		if err != nil {
			if isEOF(err) {
				return nil
			}
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
}

// levels are the common levels, returned as constants so that a match
// allocates nothing.
var levels = []string{"INFO", "WARN", "ERROR", "DEBUG"}

// levelOf returns the second field of a line "TIME LEVEL component: ...", or
// "-" if there is none. line may be only the head of a long line.
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

// Add is the job's combine: the sum of two counts.
func Add(a, b int) int { return a + b }

// The job's shapes are mapreduce's.
var (
	_ mapreduce.Mapper[string, Key, int] = (&Job{}).Map
	_ func(int, int) int                 = Add
)
