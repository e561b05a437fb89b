// Package poll reads one SNMP agent's interface table, either in process
// with gosnmp ([GoSNMP]) or by running net-snmp's snmpbulkwalk ([Exec]),
// and reports it as a [Result] of the same shape either way.
//
// A poll never returns an error value: whatever happens to a device is
// part of its Result, so one dead device is one error line in the report
// and the scan goes on.
package poll

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// Config holds the per-device limits of a poll. Use [DefaultConfig] and
// change what you need; a zero Timeout is an error, since gosnmp fails at
// once without one.
type Config struct {
	// Timeout bounds one request; a request that gets no reply in time is
	// sent again, Retries times. gosnmp's timeout is per request, not per
	// walk, and it does not grow between retries: ExponentialTimeout is
	// off, as it would triple the time lost on a dead device.
	Timeout time.Duration
	// Retries is the number of times a request is sent again after a
	// timeout.
	Retries int
	// DeviceTimeout bounds the whole poll of one device, every request of
	// both walks included, so one slow device cannot hold a worker for
	// long.
	DeviceTimeout time.Duration
	// MaxRepetitions is the number of rows asked for per GetBulk. 50 walks
	// a table in half the time 10 does. On a tooBig answer the poll halves
	// it and asks again.
	MaxRepetitions int
	// UpTime asks for the agent's sysUpTime.0 too, before the tables: one
	// more Get with gosnmp, one more process (snmpget) in exec mode. The
	// poller asks for it when it computes rates (-interval).
	UpTime bool
}

// DefaultConfig returns the limits the poller uses unless told otherwise.
func DefaultConfig() Config {
	return Config{Timeout: 2 * time.Second, Retries: 1, DeviceTimeout: 30 * time.Second, MaxRepetitions: 50}
}

// Check reports whether c can be used, and what is wrong if not.
func (c Config) Check() error {
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("timeout must be positive, got %v", c.Timeout)
	case c.Retries < 0:
		return fmt.Errorf("retries must be 0 or more, got %d", c.Retries)
	case c.DeviceTimeout <= 0:
		return fmt.Errorf("device timeout must be positive, got %v", c.DeviceTimeout)
	case c.MaxRepetitions < 1 || c.MaxRepetitions > 255:
		return fmt.Errorf("max repetitions must be 1 to 255, got %d", c.MaxRepetitions)
	}
	return nil
}

// Func polls one device. [GoSNMP] and the function [Exec] returns have this
// type; it must be safe to call from many goroutines at once.
type Func func(ctx context.Context, t target.Target) Result

// Result is what one poll of one device found: the JSON line the poller
// writes for it.
type Result struct {
	Target string `json:"target"`
	// Scan is the scan number, from 1; the scan loop sets it.
	Scan int `json:"scan"`
	// Time is when the poll ended.
	Time time.Time `json:"time"`
	OK   bool      `json:"ok"`
	// Kind classifies a failure: one of the Kind* constants.
	Kind string `json:"error_kind,omitempty"`
	// Error says what went wrong, for a person.
	Error string `json:"error,omitempty"`
	// Millis is how long the poll took.
	Millis float64 `json:"duration_ms"`
	// Varbinds counts the variable bindings received.
	Varbinds int `json:"varbinds"`
	// UpTime is the agent's sysUpTime.0 in hundredths of a second (SNMP
	// TimeTicks), read when [Config].UpTime asks for it: the clock that
	// rates are computed with, and that shows an agent restart.
	UpTime     *uint32           `json:"sys_uptime,omitempty"`
	Interfaces []ifmib.Interface `json:"interfaces,omitempty"`
}

// Failure kinds reported in [Result].Kind.
const (
	// KindTimeout: no reply. With SNMPv2c this is also what a wrong
	// community looks like, since agents drop such requests silently.
	KindTimeout = "timeout"
	// KindUnreachable: the host or port refused (ICMP unreachable).
	KindUnreachable = "unreachable"
	// KindOpenFiles: the poller ran out of file descriptors.
	KindOpenFiles = "open_files_limit"
	// KindResolve: the host name did not resolve.
	KindResolve = "resolve"
	// KindCanceled: the poller was told to stop while polling.
	KindCanceled = "canceled"
	// KindProtocol: the agent answered, but with an error or nonsense.
	KindProtocol = "protocol"
	// KindExec: snmpbulkwalk failed in a way not covered above.
	KindExec = "exec"
)

// classify turns an error of a device poll into a failure kind and a
// message that says what to do about it.
func classify(err error, cfg Config) (kind, msg string) {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE):
		return KindOpenFiles, fmt.Sprintf("open-files limit (RLIMIT_NOFILE) hit while opening a socket: lower -workers/-max-workers or raise ulimit -n (%v)", err)
	case errors.Is(err, context.Canceled):
		return KindCanceled, "canceled: the poller was stopped during this poll"
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout, fmt.Sprintf("timeout: the device did not finish within the %v device timeout (with SNMPv2c a wrong community also shows as a timeout: the agent drops the request)", cfg.DeviceTimeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindUnreachable, fmt.Sprintf("unreachable: port unreachable, nothing listens on that UDP port (%v)", err)
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable, fmt.Sprintf("unreachable: no route to host (%v)", err)
	case errors.As(err, &dnsErr):
		return KindResolve, fmt.Sprintf("resolve: %v", err)
	case errors.Is(err, errNoResponse):
		return KindTimeout, fmt.Sprintf("timeout: no response after %d tries of %v (with SNMPv2c a wrong community also shows as a timeout: the agent drops the request)", cfg.Retries+1, cfg.Timeout)
	}
	return KindProtocol, err.Error()
}

// errNoResponse marks a request that got no reply after all its retries.
var errNoResponse = errors.New("no response")

// device polls one device with walk, bounded by cfg.DeviceTimeout, and
// turns what it gathered into a Result. Both ways of polling share it:
// walk fills tbl, and r's Varbinds and UpTime.
func device(ctx context.Context, t target.Target, cfg Config,
	walk func(ctx context.Context, tbl *ifmib.Table, r *Result) error) Result {
	start := time.Now()
	r := Result{Target: t.Addr()}
	ctx, cancel := context.WithTimeout(ctx, cfg.DeviceTimeout)
	defer cancel()
	var tbl ifmib.Table
	err := walk(ctx, &tbl, &r)
	return finish(&r, start, &tbl, err, cfg)
}

// SysUpTime is SNMPv2-MIB::sysUpTime.0, read when [Config].UpTime is set.
var SysUpTime = oid.MustParse(".1.3.6.1.2.1.1.3.0")

// setUpTime records the value of sysUpTime.0 in r, which must be
// TimeTicks (gosnmp decodes them as uint32, the text parser as uint).
func setUpTime(r *Result, v any) error {
	var ticks uint32
	switch v := v.(type) {
	case uint32:
		ticks = v
	case uint:
		if v > 1<<32-1 {
			return fmt.Errorf("sysUpTime.0 = %d, more than TimeTicks hold", v)
		}
		ticks = uint32(v)
	default:
		return fmt.Errorf("sysUpTime.0: got %T, want TimeTicks", v)
	}
	r.Varbinds++
	r.UpTime = &ticks
	return nil
}

// finish fills the common fields of a result.
func finish(r *Result, start time.Time, tbl *ifmib.Table, err error, cfg Config) Result {
	r.Time = time.Now()
	r.Millis = float64(r.Time.Sub(start).Microseconds()) / 1000
	if err != nil {
		r.OK = false
		r.Kind, r.Error = classify(err, cfg)
		return *r
	}
	r.OK = true
	r.Interfaces = tbl.Interfaces()
	return *r
}
