package poll_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// lowestFreeFD returns the lowest file descriptor number not in use.
func lowestFreeFD(t *testing.T) uint64 {
	t.Helper()
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	names, err := dir.Readdirnames(-1)
	self := uint64(dir.Fd())
	dir.Close()
	if err != nil {
		t.Skipf("reading /proc/self/fd: %v", err)
	}
	used := make(map[uint64]bool)
	for _, name := range names {
		// The listing's own descriptor is closed now: it is free again.
		if n, err := strconv.ParseUint(name, 10, 64); err == nil && n != self {
			used[n] = true
		}
	}
	n := uint64(0)
	for used[n] {
		n++
	}
	return n
}

// TestOpenFilesLimit lowers the process's open-files limit so that no
// socket can be opened, and checks that the poll says so plainly. No test
// in this package runs in parallel, so nothing else opens files meanwhile.
func TestOpenFilesLimit(t *testing.T) {
	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	// The kernel hands out the lowest free number and refuses numbers at
	// or above the soft limit: a limit equal to the lowest free number
	// makes the next open fail with EMFILE.
	low := syscall.Rlimit{Cur: lowestFreeFD(t), Max: saved.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	got := poll.GoSNMP(quick())(t.Context(), target.Target{Host: "127.0.0.1", Port: 161, Community: "public"})
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatalf("restoring the limit: %v", err)
	}
	if got.OK || got.Kind != poll.KindOpenFiles || !strings.Contains(got.Error, "lower -workers") {
		t.Errorf("got %v %q: %s; want the open-files limit, with advice", got.OK, got.Kind, got.Error)
	}
}
