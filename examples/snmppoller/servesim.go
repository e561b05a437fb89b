package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
)

// serveSim runs the simulated fleet alone until SIGINT/SIGTERM, for a
// poller in another process (the benchmark keeps the fleet's CPU time out
// of the measured poller's this way).
func serveSim(o options, sigs <-chan os.Signal, logf func(string, ...any)) int {
	fleet, err := simagent.Start(o.sim, simagent.Config{Delay: o.simDelay})
	if err != nil {
		logf("starting the simulated fleet: %v", err)
		return exitFailure
	}
	defer fleet.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# %d simulated agents, written by snmppoller -serve-sim\n", fleet.Len())
	for _, t := range fleet.Targets() {
		b.WriteString(t.String() + "\n")
	}
	// Write then rename, so a reader waiting for the file never sees half
	// of it.
	tmp := o.serveSim + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		logf("writing targets: %v", err)
		return exitFailure
	}
	if err := os.Rename(tmp, o.serveSim); err != nil {
		logf("writing targets: %v", err)
		return exitFailure
	}
	logf("serving %d simulated agents on 127.0.0.1 (reply delay %v); targets in %s; SIGINT stops", fleet.Len(), o.simDelay, o.serveSim)
	for s := range sigs {
		switch s {
		case syscall.SIGHUP:
			fleet.Advance()
			logf("SIGHUP: counters advanced to epoch %d", fleet.Epoch())
		case syscall.SIGINT, syscall.SIGTERM:
			logf("%s: stopping the fleet", sigName(s))
			return exitOK
		}
	}
	return exitOK
}
