// Command idleprog is the program cmd/idle measures: it starts one pool,
// makes all its workers exist, lets it settle, and then does nothing for a
// window whose start and end it marks for a tracer. It prints what
// getrusage saw over the window as one JSON object on stdout.
//
// Build it with -tags solo,solo_<tag> so that it links one implementation
// only; built without tags it links them all, which is only good for -list.
//
// The window is marked by a faccessat of <mark>.begin before it and of
// <mark>.end after it. strace and qemu-user both print the path argument of
// faccessat (and neither prints what a write sends), so a parser can find the
// window in either's output. The getrusage calls sit outside the markers.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"github.com/lullgo/lull/bench/internal/idle"
	"github.com/lullgo/lull/bench/internal/impl"
)

func main() {
	var (
		name    = flag.String("impl", "", "implementation to run")
		workers = flag.Int("workers", 1000, "workers to start and warm")
		settle  = flag.Duration("settle", time.Second, "pause between warm-up and the window")
		window  = flag.Duration("window", 10*time.Second, "idle window")
		mark    = flag.String("mark", "/tmp/lull-idle-mark", "marker path prefix")
		list    = flag.Bool("list", false, "print the linked implementations as JSON and exit")
	)
	flag.Parse()
	if *list {
		var out []idle.ImplInfo
		for _, i := range impl.All() {
			out = append(out, idle.ImplInfo{Name: i.Name, Tag: i.Tag, Doc: i.Doc})
		}
		if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
			fatal(err)
		}
		return
	}
	i, ok := impl.Lookup(*name)
	if !ok {
		fatal(fmt.Errorf("implementation %q is not linked into this binary", *name))
	}
	if err := run(i, *workers, *settle, *window, *mark); err != nil {
		fatal(err)
	}
}

func run(i impl.Impl, workers int, settle, window time.Duration, mark string) error {
	var p impl.Pool
	if i.New != nil {
		p = i.New(workers)
		if err := impl.Warm(p, workers, 60*time.Second); err != nil {
			return err
		}
	}
	time.Sleep(settle)
	if i.Settle != nil {
		if err := i.Settle(p); err != nil {
			return err
		}
	}

	var r0, r1 syscall.Rusage
	g0 := runtime.NumGoroutine()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r0); err != nil {
		return err
	}
	marker(mark + ".begin")
	time.Sleep(window)
	marker(mark + ".end")
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r1); err != nil {
		return err
	}
	g1 := runtime.NumGoroutine()

	s := idle.Sample{
		CPUSeconds:    cpu(&r1) - cpu(&r0),
		VolCS:         int64(r1.Nvcsw - r0.Nvcsw),
		InvolCS:       int64(r1.Nivcsw - r0.Nivcsw),
		GoroutinesAt:  g0,
		GoroutinesEnd: g1,
	}
	if p != nil {
		p.Close()
	}
	return json.NewEncoder(os.Stdout).Encode(s)
}

func cpu(r *syscall.Rusage) float64 {
	return tv(r.Utime) + tv(r.Stime)
}

func tv(t syscall.Timeval) float64 {
	return float64(t.Sec) + float64(t.Usec)/1e6
}

// marker makes a faccessat of path, which does not exist. The result does
// not matter; only the tracer's record of the call does.
func marker(path string) {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		fatal(err)
	}
	const atFDCWD = -100
	fd := atFDCWD
	syscall.Syscall6(syscall.SYS_FACCESSAT, uintptr(fd), uintptr(unsafe.Pointer(p)), 0, 0, 0, 0)
	runtime.KeepAlive(p)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "idleprog:", err)
	os.Exit(1)
}
