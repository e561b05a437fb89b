package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
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

// terminals returns an isTerminal that reports true for the writers
// given: the fake terminal check run is tested with.
func terminals(ws ...io.Writer) func(io.Writer) bool {
	return func(w io.Writer) bool {
		for _, t := range ws {
			if w == t {
				return true
			}
		}
		return false
	}
}

// runCLI runs the poller with args, stdout and stderr in buffers that are
// not terminals, and no signals.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errs syncBuffer
	code = run(args, env{stdout: &out, stderr: &errs, isTerminal: terminals()})
	return code, out.String(), errs.String()
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
	dir := t.TempDir()
	unreadable := filepath.Join(dir, "missing.txt")
	malformed := writeFile(t, "targets.txt", "# fleet\n127.0.0.1:1161\n127.0.0.1 1162\n")
	badPort := writeFile(t, "targets.txt", "127.0.0.1:1161\n\n127.0.0.1:70000\n")
	good := writeFile(t, "targets.txt", "127.0.0.1:1161\n")
	noDir := filepath.Join(dir, "no", "such", "dir", "out.jsonl")
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
		{"bad flag value", []string{"-workers", "many"}, `invalid value "many" for flag -workers`},
		// Output paths are checked before anything is polled.
		{"-o in no directory", []string{"-sim", "3", "-o", noDir}, "-o: open " + noDir},
		{"-summary-json in no directory", []string{"-sim", "3", "-summary-json", noDir}, "-summary-json: open " + noDir},
		{"-o over the targets", []string{"-targets", good, "-o", good}, "-targets and -o name the same file"},
		{"-o and -summary-json", []string{"-sim", "3", "-o", filepath.Join(dir, "x"), "-summary-json", filepath.Join(dir, "x")}, "-o and -summary-json name the same file"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, stderr, exitUsage, tt.wantErr)
		}
		if stdout != "" {
			t.Errorf("%s: wrote to stdout: %q", tt.name, stdout)
		}
		if strings.Contains(stderr, "simulated fleet") {
			t.Errorf("%s: started the fleet before failing: %q", tt.name, stderr)
		}
	}
	if data, err := os.ReadFile(good); err != nil || string(data) != "127.0.0.1:1161\n" {
		t.Errorf("the targets file after -o named it: %q, %v", data, err)
	}
}

func TestUnknownFlagSaysSoOnce(t *testing.T) {
	code, stdout, stderr := runCLI("-bogus")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if n := strings.Count(stderr, "flag provided but not defined: -bogus"); n != 1 {
		t.Errorf("the error appears %d times in stderr, want once:\n%s", n, stderr)
	}
	if strings.Contains(stderr, "-max-repetitions") || !strings.Contains(stderr, "snmppoller -h") {
		t.Errorf("stderr should point to -h, not list the flags:\n%s", stderr)
	}
	if stdout != "" {
		t.Errorf("wrote to stdout: %q", stdout)
	}
}

func TestHelp(t *testing.T) {
	code, stdout, stderr := runCLI("-h")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	want := []string{"Usage: snmppoller", about, "SIGUSR1", "SIGUSR2", "SIGINT, SIGTERM", "SIGHUP", "Exit status:"}
	for code := exitOK; code <= exitAllFailed; code++ {
		want = append(want, "\n  "+string(rune('0'+code))+"  ")
	}
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) { want = append(want, "  -"+f.Name) })
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("-h lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Count(about, "\n\n") != 0 {
		t.Errorf("the description is more than one paragraph")
	}
}

func TestExecModeWithoutSNMPBulkWalk(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := runCLI("-mode", "exec", "-targets", writeFile(t, "t.txt", "127.0.0.1:1161\n"))
	if code != exitFailure || !strings.Contains(stderr, "snmpbulkwalk not found") {
		t.Errorf("exit %d, stderr %q; want exit %d and a not-found message", code, stderr, exitFailure)
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
	code, stdout, stderr := runCLI("-sim", "20", "-workers", "2", "-max-workers", "8", "-o", outFile, "-summary-json", sumFile)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
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
		if !r.OK || len(r.Interfaces) != 48 || r.Varbinds != 720 || r.UpTime != nil {
			t.Errorf("%s: ok=%v interfaces=%d varbinds=%d uptime=%v error=%q", r.Target, r.OK, len(r.Interfaces), r.Varbinds, r.UpTime, r.Error)
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
	if sum.OK != 20 || sum.Failed != 0 || sum.Varbinds != 20*720 || sum.Mode != "gosnmp" || sum.MaxWorkers != 8 ||
		sum.InterfacesUp+sum.InterfacesDown+sum.InterfacesAdminDown != 20*48 || sum.InterfacesUp == 0 {
		t.Errorf("summary %+v", sum)
	}
	// -o given: stdout is free for the summary, as a cron job wants it.
	for _, want := range []string{"scan 1: 20 devices in ", ": 20 ok, 0 failed; 2 workers", "interfaces: ", "busiest interfaces, by octets",
		"cpu: ", "JSON lines: " + outFile} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "{") {
		t.Errorf("JSON on stdout with -o:\n%s", stdout)
	}
}

// TestIntervalReportsRates runs repeated scans and sends SIGINT when the
// second scan's last line is written: the run must end after that scan,
// with every line whole, exit 0, and the second scan's lines must carry
// the bit rates the counters and sysUpTime of both scans give.
func TestIntervalReportsRates(t *testing.T) {
	const devices = 5
	sigs := make(chan os.Signal, 4)
	stopped := make(chan struct{})
	var once sync.Once
	stderr := &syncBuffer{onWrite: func(p []byte) {
		if bytes.Contains(p, []byte("SIGINT: stopping")) {
			once.Do(func() { close(stopped) })
		}
	}}
	lines := 0
	stdout := &syncBuffer{onWrite: func(p []byte) {
		// Called under the buffer's lock, so lines is not shared unguarded.
		lines += bytes.Count(p, []byte("\n"))
		switch lines {
		case devices:
			sigs <- syscall.SIGUSR1 // grow the pool: 2 -> 4
		case 2 * devices:
			// The last poll of scan 2 waits until the handler has stopped
			// the poller, so no scan 3 starts after the 1 ms interval.
			sigs <- syscall.SIGINT
			<-stopped
		}
	}}
	code := run([]string{"-sim", "5", "-workers", "2", "-interval", "1ms"}, env{stdout: stdout, stderr: stderr, sigs: sigs, isTerminal: terminals()})
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	results := readResults(t, stdout.String())
	if len(results) != 2*devices {
		t.Fatalf("%d lines, want %d (two scans)", len(results), 2*devices)
	}
	first := map[string]poll.Result{}
	rates := 0
	for _, r := range results {
		if r.UpTime == nil {
			t.Fatalf("%s scan %d: no sys_uptime", r.Target, r.Scan)
		}
		if r.Scan == 1 {
			first[r.Target] = r
			for _, ifc := range r.Interfaces {
				if ifc.InBps != nil || ifc.OutBps != nil {
					t.Errorf("%s: a rate in the first scan", r.Target)
				}
			}
			continue
		}
		prev, ok := first[r.Target]
		if !ok {
			t.Fatalf("%s: scan 2 came before scan 1", r.Target)
		}
		seconds := float64(*r.UpTime-*prev.UpTime) / 100
		for i, ifc := range r.Interfaces {
			if ifc.InBps == nil || ifc.OutBps == nil {
				t.Errorf("%s if %d: no rate in scan 2", r.Target, ifc.Index)
				continue
			}
			rates++
			wantIn := float64(*ifc.HCInOctets-*prev.Interfaces[i].HCInOctets) * 8 / seconds
			wantOut := float64(*ifc.HCOutOctets-*prev.Interfaces[i].HCOutOctets) * 8 / seconds
			if d := float64(*ifc.InBps) - wantIn; d > 0.5 || d < -0.5 {
				t.Errorf("%s if %d: in_bps %d, want %.1f", r.Target, ifc.Index, *ifc.InBps, wantIn)
			}
			if d := float64(*ifc.OutBps) - wantOut; d > 0.5 || d < -0.5 {
				t.Errorf("%s if %d: out_bps %d, want %.1f", r.Target, ifc.Index, *ifc.OutBps, wantOut)
			}
		}
	}
	if rates != devices*48 {
		t.Errorf("%d interfaces with rates, want %d", rates, devices*48)
	}
	for _, want := range []string{"workers 2 -> 4", "stopping", "busiest interfaces now, by bit rate", "total: 2 scans"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// targetsFile writes a targets file for the first n agents of f, the ones
// in bad with a wrong community (silent agents: timeouts).
func targetsFile(t *testing.T, f *simagent.Fleet, n int, bad ...int) string {
	t.Helper()
	var list strings.Builder
	list.WriteString("# agents of a simulated fleet\n")
	for i := range n {
		a := f.Addr(i)
		tg := target.Target{Host: a.Addr().String(), Port: a.Port(), Community: f.Community()}
		for _, b := range bad {
			if b == i {
				tg.Community = "wrong"
			}
		}
		list.WriteString(tg.String() + "\n")
	}
	return writeFile(t, "targets.txt", list.String())
}

func TestExitCodes(t *testing.T) {
	f, err := simagent.Start(3, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	quick := []string{"-timeout", "100ms", "-retries", "0"}
	tests := []struct {
		name string
		args []string
		want int
		says string
	}{
		{"every device answers", []string{"-targets", targetsFile(t, f, 3)}, exitOK, "3 ok, 0 failed"},
		{"one device fails", []string{"-targets", targetsFile(t, f, 3, 1)}, exitSomeFailed, "failed: 1 timeout"},
		{"every device fails", []string{"-targets", targetsFile(t, f, 2, 0, 1)}, exitAllFailed, "0 ok, 2 failed"},
		{"the output cannot be written", []string{"-targets", targetsFile(t, f, 1), "-o", "/dev/full"}, exitFailure, "writing the JSON lines"},
		{"bad usage", []string{"-workers", "-1"}, exitUsage, "-workers must be at least 1"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(append(tt.args, quick...)...)
		if code != tt.want || !strings.Contains(stdout+stderr, tt.says) {
			t.Errorf("%s: exit %d, want %d saying %q; stdout:\n%s\nstderr:\n%s", tt.name, code, tt.want, tt.says, stdout, stderr)
		}
	}
}

func TestPollTargetsFile(t *testing.T) {
	f, err := simagent.Start(3, simagent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file := targetsFile(t, f, 3, 2)
	modes := []string{"gosnmp"}
	if _, err := exec.LookPath(poll.SNMPBulkWalk); err == nil {
		modes = append(modes, "exec")
	} else {
		t.Log("snmpbulkwalk not installed: exec mode not tested")
	}
	for _, mode := range modes {
		code, stdout, stderr := runCLI("-mode", mode, "-targets", file, "-workers", "3", "-timeout", "200ms", "-retries", "0")
		if code != exitSomeFailed {
			t.Fatalf("%s: exit %d, want %d; stderr:\n%s", mode, code, exitSomeFailed, stderr)
		}
		results := readResults(t, stdout)
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
		if !strings.Contains(stderr, "failed: 1 timeout") {
			t.Errorf("%s: stderr lacks the failure count:\n%s", mode, stderr)
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
	go func() {
		exitCode <- run([]string{"-serve-sim", file, "-sim", "4"}, env{stdout: &syncBuffer{}, stderr: stderr, sigs: sigs, isTerminal: terminals()})
	}()
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
