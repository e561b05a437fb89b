package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChooseOutputs(t *testing.T) {
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	file, err := os.Create(filepath.Join(t.TempDir(), "out.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	type want struct {
		json, report, bar string // "stdout", "stderr", "file" or ""
	}
	name := func(w io.Writer) string {
		switch w {
		case nil:
			return ""
		case io.Writer(stdout):
			return "stdout"
		case io.Writer(stderr):
			return "stderr"
		case io.Writer(file):
			return "file"
		}
		return "?"
	}
	tests := []struct {
		name      string
		progress  string
		jsonFile  bool
		terminals []any
		want      want
	}{
		{"both terminals: a person", "auto", false, []any{stdout, stderr}, want{"", "stdout", "stderr"}},
		{"stdout piped, stderr a terminal", "auto", false, []any{stderr}, want{"stdout", "stderr", "stderr"}},
		{"nothing a terminal: a program", "auto", false, nil, want{"stdout", "stderr", ""}},
		{"-o in a terminal", "auto", true, []any{stdout, stderr}, want{"file", "stdout", "stderr"}},
		{"-o from cron", "auto", true, nil, want{"file", "stdout", ""}},
		{"-progress always", "always", false, nil, want{"stdout", "stderr", "stderr"}},
		{"-progress never", "never", false, []any{stdout, stderr}, want{"", "stdout", ""}},
	}
	for _, tt := range tests {
		var jsonFile *os.File
		if tt.jsonFile {
			jsonFile = file
		}
		isTerm := func(w any) bool {
			for _, x := range tt.terminals {
				if x == w {
					return true
				}
			}
			return false
		}
		out := chooseOutputs(tt.progress, jsonFile, stdout, stderr, func(w io.Writer) bool { return isTerm(w) })
		got := want{name(out.json), name(out.report), name(out.bar)}
		if got != tt.want {
			t.Errorf("%s: JSON to %q, summary to %q, bar to %q; want %q, %q, %q",
				tt.name, got.json, got.report, got.bar, tt.want.json, tt.want.report, tt.want.bar)
		}
	}
}

// TestBarNeverInJSON: when stderr is where the JSON lines go (2>&1), the
// progress bar is off even when asked for.
func TestBarNeverInJSON(t *testing.T) {
	both := &syncBuffer{}
	out := chooseOutputs("always", nil, both, both, terminals())
	if out.json != both || out.bar != nil {
		t.Errorf("JSON to %v, bar to %v; want JSON to the shared writer and no bar", out.json, out.bar)
	}
	path := filepath.Join(t.TempDir(), "out")
	f1, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f1.Close()
	f2, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if out := chooseOutputs("always", nil, f1, f2, terminals()); out.bar != nil {
		t.Error("a bar on a second descriptor of the JSON file")
	}
}

// TestTerminalOutput runs the poller with a fake terminal check: with
// stdout a terminal it must write no JSON there, only the summary, and
// draw the bar on stderr; with stdout a pipe, only JSON lines there.
func TestTerminalOutput(t *testing.T) {
	var stdout, stderr syncBuffer
	code := run([]string{"-sim", "4", "-workers", "2"}, env{stdout: &stdout, stderr: &stderr, isTerminal: terminals(&stdout, &stderr)})
	if code != exitOK {
		t.Fatalf("terminal: exit %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"scan 1: 4 devices in ", "interfaces: ", "busiest interfaces", "cpu: ", "JSON lines: not written, stdout is a terminal"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("terminal: stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "{") {
		t.Errorf("terminal: JSON on stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "scan 1") || !strings.Contains(stderr.String(), "\r") {
		t.Errorf("terminal: no progress bar on stderr:\n%q", stderr.String())
	}

	stdout.buf.Reset()
	stderr.buf.Reset()
	code = run([]string{"-sim", "4", "-workers", "2", "-progress", "always"}, env{stdout: &stdout, stderr: &stderr, isTerminal: terminals(&stderr)})
	if code != exitOK {
		t.Fatalf("pipe: exit %d; stderr:\n%s", code, stderr.String())
	}
	if n := len(readResults(t, stdout.String())); n != 4 {
		t.Errorf("pipe: %d JSON lines on stdout, want 4", n)
	}
	if strings.Contains(stdout.String(), "\r") || strings.Contains(stdout.String(), "scan 1") {
		t.Errorf("pipe: the bar or the summary on stdout:\n%q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "scan 1: 4 devices") {
		t.Errorf("pipe: no summary on stderr:\n%s", stderr.String())
	}
}
