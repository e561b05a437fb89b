package trace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullgo/lull/bench/internal/trace"
)

// The samples under testdata were recorded from one small Go program that
// parks four goroutines on a channel, marks, sleeps 2 s and marks again:
// natively under strace -f, and under qemu-arm-static and
// qemu-aarch64-static -strace with GOMAXPROCS=4. The wanted counts were
// taken by reading the files line by line.
func TestCountSamples(t *testing.T) {
	const begin, end = "/tmp/lull-mark-begin", "/tmp/lull-mark-end"
	tests := []struct {
		file    string
		format  trace.Format
		arch    string
		futex   int
		total   int
		noClock int
		byName  map[string]int
	}{
		{
			file: "strace-amd64.txt", format: trace.Strace, arch: "amd64",
			futex: 6, total: 22, noClock: 22,
			byName: map[string]int{"nanosleep": 5, "gettid": 2, "epoll_pwait": 1, "faccessat": 0},
		},
		{
			// 32-bit ARM: futex_time64 is printed as "Unknown syscall 422",
			// and one line holds a nanosleep and a clock_gettime.
			file: "qemu-arm.txt", format: trace.Qemu, arch: "arm",
			futex: 5, total: 23, noClock: 11,
			byName: map[string]int{"futex_time64": 5, "clock_gettime": 12, "nanosleep": 2, "syscall_422": 0},
		},
		{
			// arm64: the begin marker shares its line with two futex calls
			// made before it, which must not be counted.
			file: "qemu-arm64.txt", format: trace.Qemu, arch: "arm64",
			futex: 4, total: 22, noClock: 9,
			byName: map[string]int{"futex": 4, "clock_gettime": 13, "epoll_pwait": 1, "exit_group": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := trace.Count(string(b), tt.format, tt.arch, begin, end)
			if err != nil {
				t.Fatalf("Count: %v", err)
			}
			if got := c.Futex(); got != tt.futex {
				t.Errorf("Futex() = %d, want %d (counts %v)", got, tt.futex, c.ByName)
			}
			if c.Total != tt.total {
				t.Errorf("Total = %d, want %d (counts %v)", c.Total, tt.total, c.ByName)
			}
			if got := c.TotalNoClock(); got != tt.noClock {
				t.Errorf("TotalNoClock() = %d, want %d", got, tt.noClock)
			}
			for name, want := range tt.byName {
				if got := c.ByName[name]; got != want {
					t.Errorf("ByName[%q] = %d, want %d", name, got, want)
				}
			}
		})
	}
}

func TestCountInline(t *testing.T) {
	tests := []struct {
		name   string
		out    string
		format trace.Format
		arch   string
		want   map[string]int
	}{
		{
			name: "strace unfinished and resumed count once",
			out: `10  futex(0x1, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>
11  faccessat(AT_FDCWD, "/m/b", F_OK) = -1 ENOENT (No such file or directory)
10  <... futex resumed>) = 0
11  futex(0x1, FUTEX_WAKE_PRIVATE, 1 <unfinished ...>
12  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=10, si_uid=0} ---
11  <... futex resumed>) = 1
12  nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0
11  faccessat(AT_FDCWD, "/m/e", F_OK) = -1 ENOENT (No such file or directory)
12  futex(0x2, FUTEX_WAKE_PRIVATE, 1) = 0
12  +++ exited with 0 +++
`,
			format: trace.Strace, arch: "amd64",
			want: map[string]int{"futex": 1, "nanosleep": 1},
		},
		{
			name: "qemu records that run into each other",
			out: "7 faccessat(AT_FDCWD,\"/m/b\",F_OK,0) = -1 errno=2 (No such file or directory)\n" +
				"7 Unknown syscall 422\n" +
				"7 epoll_pwait(5,1082130296,128,1999,0,0)7 Unknown syscall 422\n" +
				" = 0\n" +
				"7 nanosleep(1,0,2,3,4,5)7 clock_gettime(CLOCK_MONOTONIC,0x1) = 0 ({tv_sec = 12,tv_nsec = 34})\n" +
				"7 Unknown syscall 999\n" +
				"7 faccessat(AT_FDCWD,\"/m/e\",F_OK,0) = -1 errno=2 (No such file or directory)\n" +
				"7 Unknown syscall 422\n",
			format: trace.Qemu, arch: "arm",
			want: map[string]int{"futex_time64": 2, "epoll_pwait": 1, "nanosleep": 1, "clock_gettime": 1, "syscall_999": 1},
		},
		{
			name: "a later begin marker does not restart the window",
			out: "1 faccessat(-100,\"/m/b\",F_OK,0) = -1\n" +
				"1 futex(0x1,FUTEX_WAKE,1,NULL,NULL,0) = 0\n" +
				"1 faccessat(-100,\"/m/b\",F_OK,0) = -1\n" +
				"1 faccessat(-100,\"/m/e\",F_OK,0) = -1\n",
			format: trace.Qemu, arch: "arm64",
			want: map[string]int{"futex": 1, "faccessat": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := trace.Count(tt.out, tt.format, tt.arch, "/m/b", "/m/e")
			if err != nil {
				t.Fatalf("Count: %v", err)
			}
			total := 0
			for name, want := range tt.want {
				total += want
				if got := c.ByName[name]; got != want {
					t.Errorf("ByName[%q] = %d, want %d (all %v)", name, got, want, c.ByName)
				}
			}
			if c.Total != total {
				t.Errorf("Total = %d, want %d (all %v)", c.Total, total, c.ByName)
			}
		})
	}
}

func TestCountMissingMarkers(t *testing.T) {
	tests := []struct {
		name, out, wantErr string
	}{
		{"no begin", "1  futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 0\n", "begin marker"},
		{"no end", "1  faccessat(AT_FDCWD, \"/m/b\", F_OK) = -1\n1  futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 0\n", "end marker"},
		{"end before begin", "1  faccessat(AT_FDCWD, \"/m/e\", F_OK) = -1\n1  faccessat(AT_FDCWD, \"/m/b\", F_OK) = -1\n", "end marker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := trace.Count(tt.out, trace.Strace, "amd64", "/m/b", "/m/e")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Count error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestTop(t *testing.T) {
	c := trace.Counts{ByName: map[string]int{"futex": 3, "nanosleep": 3, "epoll_pwait": 1, "read": 9}}
	got := strings.Join(c.Top(3), " ")
	want := "read=9 futex=3 nanosleep=3"
	if got != want {
		t.Errorf("Top(3) = %q, want %q", got, want)
	}
}
