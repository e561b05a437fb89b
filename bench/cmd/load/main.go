// Command load runs a command while busy loops keep the host's CPUs busy,
// as the neighbours of a shared host do in its slow spells: the command's
// threads are then preempted and wait for a CPU, among them a goroutine
// that holds a slot of lull's ring, or a lock, half-way through an
// operation. `make bench-spell` runs the host check and the Submit and
// Queue families under it.
//
//	go run ./cmd/load [-cpus N] -- command [args...]
//
// The loops run in this process, one per CPU (by default), each on a thread
// of its own, at the same priority as the command; they stop when the
// command exits, and load exits with the command's status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	cpus := flag.Int("cpus", runtime.NumCPU(), "busy loops to run, each on a thread of its own")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: load [-cpus N] -- command [args...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *cpus < 1 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(*cpus, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
	}
	os.Exit(code)
}

// run runs argv while cpus busy loops run, and returns its exit status,
// or 1 and the error if it could not be run.
func run(cpus int, argv []string) (int, error) {
	runtime.GOMAXPROCS(cpus + 1) // the loops, and this goroutine waiting on the command
	var stop atomic.Bool
	var spinning sync.WaitGroup
	for range cpus {
		spinning.Go(func() { spin(&stop) })
	}
	defer spinning.Wait()
	defer stop.Store(true)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), nil
	case err != nil:
		return 1, err
	}
	return 0, nil
}

// spin keeps one thread busy until stop is set.
func spin(stop *atomic.Bool) {
	runtime.LockOSThread()
	for n := uint64(0); !stop.Load(); n++ {
	}
}
