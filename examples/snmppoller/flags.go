package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
)

// options are the parsed command-line flags.
type options struct {
	targetsFile string
	outFile     string
	mode        string
	workers     int
	maxWorkers  int
	idleTimeout time.Duration
	interval    time.Duration
	poll        poll.Config
	sim         int
	simDelay    time.Duration
	serveSim    string
	summaryJSON string
	progress    string
}

// about is the help's description of the program, one paragraph.
const about = `snmppoller polls the interface table (IF-MIB ifTable and ifXTable) of
SNMPv2c agents through a resizable worker pool (github.com/lullgo/lull/pool),
one device per task. With no -targets it polls a simulated fleet of -sim
agents that it starts on 127.0.0.1. In a terminal it shows a progress bar,
then a summary: devices polled and failed by reason, interfaces up and down,
the busiest interfaces, time and CPU. It writes one JSON line per device to
-o FILE, or to stdout when stdout is not a terminal (then the summary goes
to stderr). With -interval it polls again and again, and from the second
scan on reports each interface's in and out bit rate (in_bps, out_bps).`

// afterFlags is the help's part after the flags: signals and exit codes.
const afterFlags = `
Signals:
  SIGUSR1           double the pool (Resize); SIGUSR2 halves it
  SIGINT, SIGTERM   stop: nothing new starts, the polls in flight finish or
                    time out, the summary is printed; a second one cancels them
  SIGHUP            like SIGINT; with -serve-sim, advance the simulated counters

Exit status:
  0  every device polled answered
  1  the poller could not run (simulated fleet, snmpbulkwalk) or write its output
  2  bad flags, targets file or output path: nothing was polled
  3  some devices failed (the summary and the JSON lines say which and why)
  4  every device polled failed
`

// errUsage marks a command line the flag package rejected and already
// reported.
var errUsage = errors.New("bad usage")

// newFlagSet returns the poller's flags, bound to o.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("snmppoller", flag.ContinueOnError)
	fs.StringVar(&o.targetsFile, "targets", "", "`file` of agents, one host:port[,community] a line (default: a simulated fleet, see -sim)")
	fs.StringVar(&o.outFile, "o", "", "write JSON lines to `file` (default: stdout, unless it is a terminal)")
	fs.StringVar(&o.mode, "mode", "gosnmp", "how to poll: gosnmp (in process) or exec (one snmpbulkwalk per device and table)")
	fs.IntVar(&o.workers, "workers", 32, "devices polled at once, to start with")
	fs.IntVar(&o.maxWorkers, "max-workers", 0, "let the pool grow up to `n` workers while devices wait (0: fixed size)")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Second, "with -max-workers, extra workers idle this long exit")
	fs.DurationVar(&o.interval, "interval", 0, "poll again every `d`, start to start, until SIGINT, and report bit rates (0: one scan)")
	fs.DurationVar(&o.poll.Timeout, "timeout", o.poll.Timeout, "timeout of one SNMP request")
	fs.IntVar(&o.poll.Retries, "retries", o.poll.Retries, "retries of a request that timed out")
	fs.DurationVar(&o.poll.DeviceTimeout, "device-timeout", o.poll.DeviceTimeout, "bound on the whole poll of one device")
	fs.IntVar(&o.poll.MaxRepetitions, "max-repetitions", o.poll.MaxRepetitions, "rows per GetBulk (halved on tooBig)")
	fs.IntVar(&o.sim, "sim", 700, "size of the simulated fleet used when no -targets is given")
	fs.DurationVar(&o.simDelay, "sim-delay", 0, "latency the simulated agents add to each reply")
	fs.StringVar(&o.serveSim, "serve-sim", "", "only run the simulated fleet (-sim agents) and write its targets to `file`; stop with SIGINT (SIGHUP advances the counters)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the final summary as JSON to `file`")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	return fs
}

// printHelp writes the whole help: description, flags, signals, exit codes.
func printHelp(w io.Writer) {
	fs := newFlagSet(&options{poll: poll.DefaultConfig()})
	fs.SetOutput(w)
	fmt.Fprintf(w, "Usage: snmppoller [flags]\n\n%s\n\nFlags:\n", about)
	fs.PrintDefaults()
	fmt.Fprint(w, afterFlags)
}

// parseFlags parses and checks the command line. It returns
// [flag.ErrHelp] for -h, errUsage for what the flag package rejects (it
// has said why on stderr, once), or a usage error of its own.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{poll: poll.DefaultConfig()}
	fs := newFlagSet(&o)
	// The flag package prints the error, then calls Usage; the usage would
	// bury the error under 40 lines, so only a pointer to -h follows it.
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		fmt.Fprintln(stderr, "Run snmppoller -h for the flags.")
		return o, errUsage
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (flags go before, targets go in -targets FILE)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// Rates need the agent's clock: read it when polling again and again.
	o.poll.UpTime = o.interval > 0
	return o, o.check(set)
}

// check reports what is wrong with o, if anything; set holds the names
// of the flags given.
func (o options) check(set map[string]bool) error {
	switch {
	case o.workers < 1:
		return fmt.Errorf("-workers must be at least 1, got %d", o.workers)
	case o.maxWorkers < 0:
		return fmt.Errorf("-max-workers must be 0 or more, got %d", o.maxWorkers)
	case o.maxWorkers != 0 && o.maxWorkers < o.workers:
		return fmt.Errorf("-max-workers (%d) must be 0 or at least -workers (%d)", o.maxWorkers, o.workers)
	case o.idleTimeout <= 0:
		return fmt.Errorf("-idle-timeout must be positive, got %v", o.idleTimeout)
	case o.interval < 0:
		return fmt.Errorf("-interval must be 0 or more, got %v", o.interval)
	case o.mode != "gosnmp" && o.mode != "exec":
		return fmt.Errorf("-mode must be gosnmp or exec, got %q", o.mode)
	case o.sim < 1:
		return fmt.Errorf("-sim must be at least 1, got %d", o.sim)
	case o.simDelay < 0:
		return fmt.Errorf("-sim-delay must be 0 or more, got %v", o.simDelay)
	case o.targetsFile != "" && (set["sim"] || set["sim-delay"]):
		return errors.New("-sim and -sim-delay simulate a fleet, which -targets replaces: give one or the other")
	case o.targetsFile != "" && o.serveSim != "":
		return errors.New("-serve-sim runs a fleet for another poller; it does not poll -targets")
	case o.progress != "auto" && o.progress != "always" && o.progress != "never":
		return fmt.Errorf("-progress must be auto, always or never, got %q", o.progress)
	}
	if err := o.poll.Check(); err != nil {
		return fmt.Errorf("bad poll settings: %w", err)
	}
	return nil
}
