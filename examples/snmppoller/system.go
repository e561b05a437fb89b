package main

// What the poller asks of the operating system and the runtime: a
// garbage collector tuned for a batch program, file descriptors, and the
// CPU time it reports.

import (
	"os"
	"runtime/debug"
	"syscall"
	"time"
)

// gcPercent is the GOGC the poller runs with unless the environment sets
// one; see tuneGC.
const gcPercent = 400

// tuneGC makes the garbage collector run less often than Go's default,
// unless GOGC is set. The poller is a batch program whose garbage far
// outweighs what it keeps: polling one device allocates about 430 KB,
// nearly all of it gosnmp decoding 720 varbinds and its 64 KiB receive
// buffer, while the live heap is only the buffers and tables of the
// devices being polled: 1-3 MB at 27 workers, about 15 MB at 256. With the
// default GOGC=100 a scan of 700 devices runs the collector about 110
// times at 27 workers (the heap goal never leaves its 4 MB floor) and 16
// times at 256; at 400, 20 and 4 times, for a heap of at most five times
// the live one (about 110 MB at 256 workers). That saves about a quarter
// of the poller's CPU time at 27 workers; past 400 it saves no more, as
// the time goes to faulting in fresh memory instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// raiseNoFile lifts the soft open-files limit to the hard one: each device
// polled at once holds a socket, and the simulated fleet one per agent.
// It returns the soft limit in force afterwards.
func raiseNoFile(logf func(string, ...any)) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		logf("reading RLIMIT_NOFILE: %v", err)
		return 1024
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			logf("raising RLIMIT_NOFILE from %d to %d: %v", lim.Cur, lim.Max, err)
		} else {
			lim = want
		}
	}
	return int(min(lim.Cur, 1<<30))
}

// fdBudget estimates how many devices can be polled at once without
// running out of descriptors, keeping 64 for stdio, the output file, the
// runtime's poller and the like.
func fdBudget(nofile, simAgents, perDevice int) int {
	return max((nofile-simAgents-64)/perDevice, 0)
}

// cpuTimes is the CPU time used by the process and by its waited-for
// children.
type cpuTimes struct {
	user, sys, childUser, childSys time.Duration
}

// cpuUsage returns the CPU time used so far by the process and by its
// children that were waited for.
func cpuUsage() cpuTimes {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return cpuTimes{
		user:      time.Duration(self.Utime.Nano()),
		sys:       time.Duration(self.Stime.Nano()),
		childUser: time.Duration(kids.Utime.Nano()),
		childSys:  time.Duration(kids.Stime.Nano()),
	}
}

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{a.user - b.user, a.sys - b.sys, a.childUser - b.childUser, a.childSys - b.childSys}
}
