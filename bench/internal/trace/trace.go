// Package trace counts the system calls a traced program made between two
// marker calls, from the text that strace or qemu-user's -strace print.
//
// The measured program marks the start and the end of its window with a
// faccessat of a path nobody else uses. Both tracers print that path, while
// neither prints the bytes of a write, which is why the markers are not
// writes. Everything between the two markers is counted; the markers
// themselves are not.
package trace

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Format names the tracer whose output is parsed.
type Format int

const (
	// Strace is `strace -f -o FILE` output: one record per line, each led by
	// a thread id, with calls that block split into "<unfinished ...>" and
	// "<... name resumed>" lines.
	Strace Format = iota
	// Qemu is `qemu-arm-static -strace` or `qemu-aarch64-static -strace`
	// output. qemu prints a call and its result separately, so the lines of
	// several threads run into each other: a record may start in the middle
	// of a line. Calls qemu cannot name read "Unknown syscall N".
	Qemu
)

// Counts is what one traced window contained.
type Counts struct {
	// ByName maps a syscall name to how often it was entered. Numbers qemu
	// could not name are translated for the architecture where known (422 on
	// 32-bit ARM is futex_time64) and otherwise kept as "syscall_N".
	ByName map[string]int
	// Total is the number of syscall entries in the window.
	Total int
}

// Futex reports the futex calls in c, whatever the ABI called them.
func (c Counts) Futex() int {
	return c.ByName["futex"] + c.ByName["futex_time64"]
}

// TotalNoClock reports Total less clock reads. Under qemu the guest has no
// vDSO, so every time.Now shows up as a clock_gettime syscall that a native
// run would never make; leaving them out keeps the emulated totals
// comparable with native ones.
func (c Counts) TotalNoClock() int {
	return c.Total - c.ByName["clock_gettime"] - c.ByName["clock_gettime64"]
}

// Top returns the n most frequent names in c as "name=count", most frequent
// first, ties by name.
func (c Counts) Top(n int) []string {
	names := make([]string, 0, len(c.ByName))
	for k := range c.ByName {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := c.ByName[names[i]], c.ByName[names[j]]
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	if len(names) > n {
		names = names[:n]
	}
	out := make([]string, len(names))
	for i, k := range names {
		out[i] = fmt.Sprintf("%s=%d", k, c.ByName[k])
	}
	return out
}

// unknownNames translates the syscall numbers that qemu prints as
// "Unknown syscall N" on 32-bit ARM (EABI numbering).
var unknownNames = map[string]map[int]string{
	"arm": {
		403: "clock_gettime64",
		422: "futex_time64",
	},
}

var (
	// straceEntry matches the start of a call in strace -f output: a thread
	// id, spaces, and a name followed by "(". Resumed halves ("<... futex
	// resumed>"), signals ("--- SIG") and exits ("+++") do not match.
	straceEntry = regexp.MustCompile(`(?m)^\d+\s+([a-z_][a-z0-9_]*)\(`)
	// qemuEntry matches the start of a call anywhere in qemu output: a pid
	// that does not follow a digit, one space, then either a name and "(" or
	// qemu's "Unknown syscall N". Arguments never contain a number, a space
	// and a name with "(", and results read " = N", so nothing else matches.
	qemuEntry = regexp.MustCompile(`(?:^|[^0-9])\d+ (?:([a-z_][a-z0-9_]*)\(|Unknown syscall (\d+))`)
)

// Count parses out, the text a tracer printed for the whole run, and counts
// the calls strictly between the faccessat of begin and the later faccessat
// of end. arch is the guest's GOARCH, used only to name qemu's unknown
// numbers. It returns an error if either marker is missing.
func Count(out string, f Format, arch, begin, end string) (Counts, error) {
	var re *regexp.Regexp
	switch f {
	case Strace:
		re = straceEntry
	case Qemu:
		re = qemuEntry
	default:
		return Counts{}, fmt.Errorf("trace: unknown format %d", f)
	}
	locs := re.FindAllStringSubmatchIndex(out, -1)
	c := Counts{ByName: map[string]int{}}
	inside, sawBegin := false, false
	for i, loc := range locs {
		var name string
		switch {
		case loc[2] >= 0:
			name = out[loc[2]:loc[3]]
		case len(loc) > 4 && loc[4] >= 0:
			num := out[loc[4]:loc[5]]
			n, _ := strconv.Atoi(num)
			if known, ok := unknownNames[arch][n]; ok {
				name = known
			} else {
				name = "syscall_" + num
			}
		}
		if name == "faccessat" || name == "faccessat2" {
			// The record runs until the next entry starts; the marker path
			// is among its arguments.
			stop := len(out)
			if i+1 < len(locs) {
				stop = locs[i+1][0]
			}
			args := out[loc[1]:stop]
			switch {
			case !sawBegin && strings.Contains(args, `"`+begin+`"`):
				inside, sawBegin = true, true
				continue
			case inside && strings.Contains(args, `"`+end+`"`):
				return c, nil
			}
		}
		if inside {
			c.ByName[name]++
			c.Total++
		}
	}
	if !sawBegin {
		return Counts{}, fmt.Errorf("trace: begin marker %q not found", begin)
	}
	return Counts{}, fmt.Errorf("trace: end marker %q not found", end)
}
