package main

// Where each kind of output goes. A person at a terminal gets a progress
// bar and a summary; a program reading stdout gets JSON lines, and the
// summary moves to stderr; -o FILE sends the JSON lines to FILE and leaves
// stdout to the summary, as a cron job wants. The progress bar never goes
// where the JSON lines go.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// outputs says where each kind of output goes.
type outputs struct {
	// json receives the JSON lines, or is nil when none are written.
	json io.Writer
	// jsonTo names json for the summary: "stdout" or the -o file's name.
	jsonTo string
	// report receives the summary a person reads.
	report io.Writer
	// bar receives the progress bar, or is nil for none.
	bar io.Writer
}

// chooseOutputs decides where the JSON lines, the summary and the progress
// bar go. jsonFile is the open -o file, or nil. isTerminal is
// [isTerminal] in the program and a stand-in in tests.
func chooseOutputs(progress string, jsonFile *os.File, stdout, stderr io.Writer, isTerminal func(io.Writer) bool) outputs {
	out := outputs{report: stdout}
	switch {
	case jsonFile != nil:
		out.json, out.jsonTo = jsonFile, jsonFile.Name()
	case !isTerminal(stdout):
		// A pipe or a file: a program, not a person, reads stdout.
		out.json, out.jsonTo = stdout, "stdout"
		out.report = stderr
	}
	if progress == "always" || progress == "auto" && isTerminal(stderr) {
		out.bar = stderr
	}
	// With 2>&1, or -o /dev/stderr, the bar's escape codes would land in
	// the JSON lines.
	if out.bar != nil && out.json != nil && sameFile(out.bar, out.json) {
		out.bar = nil
	}
	return out
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// sameFile reports whether a and b write to the same file: the same
// writer, or two *os.File open on the same file, pipe or device.
func sameFile(a, b io.Writer) bool {
	fa, okA := a.(*os.File)
	fb, okB := b.(*os.File)
	if !okA || !okB {
		return a == b
	}
	sa, errA := fa.Stat()
	sb, errB := fb.Stat()
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// createOutputs creates the -o and -summary-json files, before anything is
// polled, so that a path that cannot be written fails the run at once
// rather than after the scan. Neither may be the targets file, nor the
// other one. A nil *os.File stands for a flag not given.
func createOutputs(o options) (jsonFile, summaryFile *os.File, err error) {
	paths := []struct{ flag, path string }{{"-targets", o.targetsFile}, {"-o", o.outFile}, {"-summary-json", o.summaryJSON}}
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if a.path != "" && b.path != "" && samePath(a.path, b.path) {
				return nil, nil, fmt.Errorf("%s and %s name the same file, %s", a.flag, b.flag, b.path)
			}
		}
	}
	if o.outFile != "" {
		if jsonFile, err = os.Create(o.outFile); err != nil {
			return nil, nil, fmt.Errorf("-o: %w", err)
		}
	}
	if o.summaryJSON != "" {
		if summaryFile, err = os.Create(o.summaryJSON); err != nil {
			if jsonFile != nil {
				jsonFile.Close()
			}
			return nil, nil, fmt.Errorf("-summary-json: %w", err)
		}
	}
	return jsonFile, summaryFile, nil
}

// samePath reports whether the paths a and b name the same regular file,
// or would once created. Two names of /dev/null are not the same file.
func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb) && sa.Mode().IsRegular()
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// newBar returns the progress bar of scan n over devices, or nil when
// out has none. It erases itself when the scan ends.
func (out outputs) newBar(n, devices int) *progressbar.ProgressBar {
	if out.bar == nil {
		return nil
	}
	return progressbar.NewOptions(devices,
		progressbar.OptionSetWriter(out.bar),
		progressbar.OptionSetDescription(fmt.Sprintf("scan %d", n)),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
}

// logger writes the poller's log lines to stderr. While a progress bar
// is shown, each line first erases the bar's line, so that it does not
// land at the end of the bar (which redraws itself on its next update).
type logger struct {
	w io.Writer
	// clear is set before any goroutine that logs starts, and not after.
	clear string
}

func (l *logger) printf(format string, a ...any) {
	fmt.Fprintf(l.w, l.clear+"snmppoller: "+format+"\n", a...)
}
