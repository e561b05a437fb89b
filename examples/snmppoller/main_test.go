package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of run's
// main goroutine and its signal handler. onWrite, if set, sees each write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func(p []byte)
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.onWrite != nil {
		b.onWrite(p)
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadInput(t *testing.T) {
	unreadable := filepath.Join(t.TempDir(), "missing.txt")
	malformed := writeFile(t, "targets.txt", "# fleet\n127.0.0.1:1161\n127.0.0.1 1162\n")
	badPort := writeFile(t, "targets.txt", "127.0.0.1:1161\n\n127.0.0.1:70000\n")
	good := writeFile(t, "targets.txt", "127.0.0.1:1161\n")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unreadable targets", []string{"-targets", unreadable}, "reading targets: open " + unreadable},
		{"malformed line", []string{"-targets", malformed}, malformed + ":3: "},
		{"port out of range", []string{"-targets", badPort}, badPort + ":3: port 70000 out of range 1-65535"},
		{"zero workers", []string{"-workers", "0"}, "-workers must be at least 1, got 0"},
		{"max below workers", []string{"-workers", "8", "-max-workers", "4"}, "-max-workers (4) must be 0 or at least -workers (8)"},
		{"unknown mode", []string{"-mode", "snmpwalk"}, `-mode must be gosnmp or exec, got "snmpwalk"`},
		{"sim with targets", []string{"-targets", good, "-sim", "5"}, "give one or the other"},
		{"zero timeout", []string{"-timeout", "0s"}, "timeout must be positive"},
		{"stray argument", []string{"targets.txt"}, `unexpected argument "targets.txt"`},
		{"too many workers for the fd limit", []string{"-sim", "10", "-workers", "100000000"}, "open-files limit"},
	}
	for _, tt := range tests {
		var stdout, stderr syncBuffer
		code := run(tt.args, &stdout, &stderr, nil)
		if code != exitUsage || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, stderr.String(), exitUsage, tt.wantErr)
		}
		if stdout.String() != "" {
			t.Errorf("%s: wrote to stdout: %q", tt.name, stdout.String())
		}
	}
}

func TestExecModeWithoutSNMPBulkWalk(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var stdout, stderr syncBuffer
	code := run([]string{"-mode", "exec", "-targets", writeFile(t, "t.txt", "127.0.0.1:1161\n")}, &stdout, &stderr, nil)
	if code != exitFailure || !strings.Contains(stderr.String(), "snmpbulkwalk not found") {
		t.Errorf("exit %d, stderr %q; want exit %d and a not-found message", code, stderr.String(), exitFailure)
	}
}

// readResults decodes JSON lines.
func readResults(t *testing.T, text string) []poll.Result {
	t.Helper()
	var out []poll.Result
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r poll.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad JSON line (%v): %.200s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out
}

func TestSimulatedRun(t *testing.T) {
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "summary.json")
	var stdout, stderr syncBuffer
	code := run([]string{"-sim", "20", "-workers", "2", "-max-workers", "8", "-o", outFile, "-summary-json", sumFile}, &stdout, &stderr, nil)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	results := readResults(t, string(data))
	if len(results) != 20 {
		t.Fatalf("%d lines, want 20", len(results))
	}
	for _, r := range results {
		if !r.OK || len(r.Interfaces) != 48 || r.Varbinds != 720 {
			t.Errorf("%s: ok=%v interfaces=%d varbinds=%d error=%q", r.Target, r.OK, len(r.Interfaces), r.Varbinds, r.Error)
		}
	}
	var sum summaryJSON
	raw, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.OK != 20 || sum.Failed != 0 || sum.Varbinds != 20*720 || sum.Mode != "gosnmp" || sum.MaxWorkers != 8 {
		t.Errorf("summary %+v", sum)
	}
	for _, want := range []string{"devices ok 20, failed 0", "varbinds 14400", "cpu: poller user"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestIntervalStopsOnSIGINT runs repeated scans and sends SIGINT when the
// first scan's last line is written: the run must end after that scan,
// with every line whole, and exit 0.
func TestIntervalStopsOnSIGINT(t *testing.T) {
	sigs := make(chan os.Signal, 4)
	lines := 0
	stdout := &syncBuffer{onWrite: func(p []byte) {
		// Called under the buffer's lock, so lines is not shared unguarded.
		lines += bytes.Count(p, []byte("\n"))
		if lines == 5 {
			sigs <- syscall.SIGUSR1 // grow the pool: 2 -> 4
			sigs <- syscall.SIGINT
		}
	}}
	var stderr syncBuffer
	code := run([]string{"-sim", "5", "-workers", "2", "-interval", "1h"}, stdout, &stderr, sigs)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if n := len(readResults(t, stdout.String())); n != 5 {
		t.Errorf("%d lines, want 5 (one scan)", n)
	}
	for _, want := range []string{"workers 2 -> 4", "stopping", "1 scan(s)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestPollTargetsFile(t *testing.T) {
	f, err := simagent.Start(3, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var list strings.Builder
	list.WriteString("# three agents, the last with a wrong community\n")
	for i := range 3 {
		a := f.Addr(i)
		community := f.Community()
		if i == 2 {
			community = "wrong"
		}
		list.WriteString(target.Target{Host: a.Addr().String(), Port: a.Port(), Community: community}.String() + "\n")
	}
	file := writeFile(t, "targets.txt", list.String())
	modes := []string{"gosnmp"}
	if _, err := exec.LookPath(poll.SNMPBulkWalk); err == nil {
		modes = append(modes, "exec")
	} else {
		t.Log("snmpbulkwalk not installed: exec mode not tested")
	}
	for _, mode := range modes {
		var stdout, stderr syncBuffer
		code := run([]string{"-mode", mode, "-targets", file, "-workers", "3", "-timeout", "200ms", "-retries", "0"}, &stdout, &stderr, nil)
		if code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", mode, code, stderr.String())
		}
		results := readResults(t, stdout.String())
		ok := 0
		for _, r := range results {
			if r.OK {
				ok++
			} else if r.Kind != poll.KindTimeout || !strings.Contains(r.Error, "wrong community") {
				t.Errorf("%s: failed line %+v, want a timeout naming the community", mode, r)
			}
		}
		if len(results) != 3 || ok != 2 {
			t.Errorf("%s: %d lines, %d ok; want 3 and 2", mode, len(results), ok)
		}
		if !strings.Contains(stderr.String(), "failed with timeout: 1") {
			t.Errorf("%s: stderr lacks the failure count:\n%s", mode, stderr.String())
		}
	}
}

func TestServeSim(t *testing.T) {
	file := filepath.Join(t.TempDir(), "fleet.txt")
	sigs := make(chan os.Signal, 1)
	ready := make(chan struct{})
	var once sync.Once
	stderr := &syncBuffer{onWrite: func(p []byte) {
		if bytes.Contains(p, []byte("serving")) {
			once.Do(func() { close(ready) })
		}
	}}
	exitCode := make(chan int, 1)
	go func() { exitCode <- run([]string{"-serve-sim", file, "-sim", "4"}, &syncBuffer{}, stderr, sigs) }()
	<-ready // the targets file is in place before "serving" is logged
	targets, err := target.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 4 {
		t.Fatalf("%d targets, want 4", len(targets))
	}
	if r := poll.GoSNMP(poll.DefaultConfig())(t.Context(), targets[3]); !r.OK || len(r.Interfaces) != 48 {
		t.Errorf("polling the served fleet: %+v", r)
	}
	sigs <- syscall.SIGINT
	if code := <-exitCode; code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, stderr.String())
	}
}
