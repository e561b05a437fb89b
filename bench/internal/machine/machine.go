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

// measured are the paths of the checkout whose contents a benchmark run
// measures, as git pathspecs relative to its root: the library, and the
// bench module's own code without the files a run writes.
var measured = []string{
	"queue", "pool", "mapreduce", "internal", "go.mod", "go.sum",
	"bench", ":(exclude)bench/results", ":(exclude)bench/RESULTS.md", ":(exclude,glob)bench/*.svg",
}

// Revision returns the commit of the lull checkout that the bench module
// replaces github.com/lullgo/lull with (the parent directory of the working
// directory, run from bench/), and the top-level directories (or files) of
// measured paths that have uncommitted changes, e.g. "pool/" and "bench/".
// It returns "unknown" and no paths outside a git checkout.
func Revision() (commit string, dirty []string) {
	rev, err := exec.Command("git", "-C", "..", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown", nil
	}
	commit = strings.TrimSpace(string(rev))
	st, err := exec.Command("git", append([]string{"-C", "..", "status", "--porcelain", "--"}, measured...)...).Output()
	if err != nil {
		return commit, nil
	}
	return commit, dirtyPaths(string(st))
}

// dirtyPaths returns the first path component of each entry of git status
// --porcelain output, once each, with a slash after directories.
func dirtyPaths(porcelain string) []string {
	seen := map[string]bool{}
	var out []string
	// Only the end is trimmed: a line starts with two status columns, the
	// first often a space.
	for _, line := range strings.Split(strings.TrimRight(porcelain, "\n"), "\n") {
		if len(line) < 4 {
			continue
		}
		path := strings.TrimSpace(line[3:])
		if _, to, ok := strings.Cut(path, " -> "); ok {
			path = to // a rename: the new name is what is in the tree
		}
		first, _, isDir := strings.Cut(path, "/")
		if isDir {
			first += "/"
		}
		if !seen[first] {
			seen[first] = true
			out = append(out, first)
		}
	}
	return out
}

// LullRevision describes the lull checkout that a run measures: its commit,
// and the measured paths with uncommitted changes, e.g.
// "4fc4b01 (uncommitted changes in pool/, bench/)" (see Revision).
func LullRevision() string {
	commit, dirty := Revision()
	if len(dirty) > 0 {
		commit += " (uncommitted changes in " + strings.Join(dirty, ", ") + ")"
	}
	return commit
}
