// Package machine describes the host the benchmarks ran on, for the headers
// of the generated reports.
package machine

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
)

// Describe returns a one-line description of this host: CPU model, logical
// CPU count, OS, architecture and kernel release, e.g.
// "AMD EPYC, 2 CPUs, linux/amd64, kernel 6.1.0".
func Describe() string {
	return fmt.Sprintf("%s, %d CPUs, %s/%s, kernel %s",
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, kernel())
}

// cpuModel reads the first "model name" (x86) or "Model" (ARM boards) line
// of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model":
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func kernel() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "unknown"
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}

// LullRevision describes the lull checkout that the bench module replaces
// github.com/lullgo/lull with (the parent directory of the working
// directory, run from bench/): its commit, and the library directories that
// have uncommitted changes, e.g. "4fc4b01 (uncommitted changes in pool/)".
// It returns "unknown" outside a git checkout.
func LullRevision() string {
	rev, err := exec.Command("git", "-C", "..", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	out := strings.TrimSpace(string(rev))
	st, err := exec.Command("git", "-C", "..", "status", "--porcelain", "--", "queue", "pool", "mapreduce").Output()
	if err != nil {
		return out
	}
	dirty := map[string]bool{}
	var dirs []string
	for _, line := range strings.Split(strings.TrimSpace(string(st)), "\n") {
		if len(line) < 4 {
			continue
		}
		d, _, _ := strings.Cut(strings.TrimSpace(line[3:]), "/")
		if !dirty[d] {
			dirty[d] = true
			dirs = append(dirs, d+"/")
		}
	}
	if len(dirs) > 0 {
		out += " (uncommitted changes in " + strings.Join(dirs, ", ") + ")"
	}
	return out
}
