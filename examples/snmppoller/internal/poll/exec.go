package poll

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// SNMPBulkWalk is the program [Exec] runs, looked up in PATH.
const SNMPBulkWalk = "snmpbulkwalk"

// SNMPGet is the program [Exec] runs to read sysUpTime.0 when
// [Config].UpTime is set. net-snmp installs it next to snmpbulkwalk.
const SNMPGet = "snmpget"

// ErrNoSNMPBulkWalk is returned by [Exec] when snmpbulkwalk, or snmpget
// when it is needed, is not installed; the error wrapping it names the
// program.
var ErrNoSNMPBulkWalk = errors.New("not found in PATH: install net-snmp's command-line tools (Debian/Ubuntu: apt-get install snmp) or use -mode gosnmp")

// Exec returns a [Func] that polls a device the way the original system
// did: it runs snmpbulkwalk once per table and parses its text output
// (and snmpget once before, for sysUpTime.0, when cfg.UpTime is set). It
// returns [ErrNoSNMPBulkWalk] when a program it needs is not installed.
//
// Each run costs a fork and exec, the loading of net-snmp's libraries and
// the text round trip; the poller's summary shows that cost as children
// CPU time. The community is on the command line, visible to other local
// users in ps, as it was in the original system.
func Exec(cfg Config) (Func, error) {
	walkPath, err := exec.LookPath(SNMPBulkWalk)
	if err != nil {
		return nil, fmt.Errorf("%s %w", SNMPBulkWalk, ErrNoSNMPBulkWalk)
	}
	getPath := ""
	if cfg.UpTime {
		if getPath, err = exec.LookPath(SNMPGet); err != nil {
			return nil, fmt.Errorf("%s %w", SNMPGet, ErrNoSNMPBulkWalk)
		}
	}
	return func(ctx context.Context, t target.Target) Result {
		return device(ctx, t, cfg, func(ctx context.Context, tbl *ifmib.Table, r *Result) error {
			if cfg.UpTime {
				err := execRun(ctx, getPath, execArgs(t, cfg, SysUpTime), SysUpTime, func(_ oid.OID, v any) error {
					return setUpTime(r, v)
				})
				if err != nil {
					return err
				}
			}
			for _, root := range []oid.OID{ifmib.IfTable, ifmib.IfXTable} {
				err := execRun(ctx, walkPath, execArgs(t, cfg, root, "-Cr"+strconv.Itoa(cfg.MaxRepetitions)), root, func(name oid.OID, v any) error {
					r.Varbinds++
					return tbl.Add(name, v)
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}, nil
}

// execArgs returns the arguments of a net-snmp command that reads o from t.
func execArgs(t target.Target, cfg Config, o oid.OID, extra ...string) []string {
	args := []string{
		"-v2c", "-c", t.Community,
		// net-snmp takes the timeout in seconds and accepts fractions.
		"-t", strconv.FormatFloat(cfg.Timeout.Seconds(), 'f', -1, 64),
		"-r", strconv.Itoa(cfg.Retries),
	}
	args = append(args, extra...)
	return append(args,
		// No MIB files: numeric OIDs need none, and loading them costs
		// time and prints warnings for every missing module.
		"-m", "",
		// -On numeric OIDs, -Oe enums as numbers, -Ot timeticks as a plain
		// number: output that reads back without MIB knowledge.
		"-On", "-Oe", "-Ot",
		execAddr(t), o.String(),
	)
}

// execRun runs the net-snmp command at path with args, and passes each
// value it prints under root to fn.
func execRun(ctx context.Context, path string, args []string, root oid.OID, fn func(oid.OID, any) error) error {
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err // EMFILE shows up here: pipes are file descriptors too
	}
	parseErr := parseWalk(stdout, root, fn)
	if parseErr != nil {
		// Drain so the child is not blocked writing to a full pipe while
		// Wait waits for it.
		_, _ = io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	if ctxErr := ctx.Err(); ctxErr != nil {
		// CommandContext killed the child: the deadline or a cancellation
		// is the reason, not the "signal: killed" exit.
		return ctxErr
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "Timeout: No Response") {
		return fmt.Errorf("%w: %s", errNoResponse, msg)
	}
	if waitErr != nil {
		if msg == "" {
			msg = waitErr.Error()
		}
		return fmt.Errorf("%s %s: %s", filepath.Base(path), root, msg)
	}
	return parseErr
}

// execAddr writes t as a net-snmp transport address.
func execAddr(t target.Target) string {
	if a, err := netip.ParseAddr(t.Host); err == nil && a.Is6() && !a.Is4In6() {
		return "udp6:" + t.Addr()
	}
	return "udp:" + t.Addr()
}

// parseWalk reads snmpbulkwalk output printed with -On -Oe -Ot, one
// ".1.3.6... = TYPE: value" a line, and calls fn with each value converted
// to the Go type gosnmp would have decoded. Lines that continue a long
// Hex-STRING and the "No Such Object" line of a missing table are skipped.
func parseWalk(r io.Reader, root oid.OID, fn func(oid.OID, any) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, ".") {
			continue // continuation of a multi-line value
		}
		nameText, rest, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		name, err := oid.Parse(nameText)
		if err != nil {
			return fmt.Errorf("snmpbulkwalk printed an invalid OID in %q", line)
		}
		if !name.HasPrefix(root) {
			continue
		}
		v, ok, err := parseValue(rest)
		if err != nil {
			return fmt.Errorf("snmpbulkwalk line %q: %w", line, err)
		}
		if !ok {
			continue // "No Such Object available ...", "No more variables ..."
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	return sc.Err()
}

// parseValue converts one printed value. ok is false for the exception
// texts net-snmp prints instead of a value.
func parseValue(s string) (v any, ok bool, err error) {
	if s == `""` {
		return "", true, nil // net-snmp prints an empty string with no type
	}
	typ, val, found := strings.Cut(s, ": ")
	if !found {
		if strings.HasPrefix(s, "No Such") || strings.HasPrefix(s, "No more variables") {
			return nil, false, nil
		}
		// -Ot prints TimeTicks as a bare number, with no type.
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			return uint(n), true, nil
		}
		typ = strings.TrimSuffix(s, ":") // "STRING:" for an empty string
	}
	switch typ {
	case "INTEGER":
		n, err := strconv.ParseInt(val, 10, 64)
		return int(n), true, err
	case "Counter32", "Gauge32", "Timeticks":
		n, err := strconv.ParseUint(val, 10, 32)
		return uint(n), true, err
	case "Counter64":
		n, err := strconv.ParseUint(val, 10, 64)
		return n, true, err
	case "STRING":
		if u, err := strconv.Unquote(val); err == nil {
			return u, true, nil
		}
		// net-snmp escapes only '"' and '\'; Unquote rejects some other
		// bytes it leaves alone, so fall back to stripping the quotes.
		return strings.TrimSuffix(strings.TrimPrefix(val, `"`), `"`), true, nil
	case "Hex-STRING":
		var b []byte
		for f := range strings.FieldsSeq(val) {
			x, err := strconv.ParseUint(f, 16, 8)
			if err != nil {
				return nil, false, err
			}
			b = append(b, byte(x))
		}
		return b, true, nil
	case "OID":
		return val, true, nil
	}
	// Types the interface table does not use (IpAddress, Opaque...): keep
	// the text; Table.Add ignores their columns.
	return val, true, nil
}

// limitedWriter keeps the first n bytes written to it and drops the rest,
// so a chatty child cannot grow the poller's memory.
type limitedWriter struct {
	w io.Writer
	n int
}

// Write keeps what fits and always reports success, so the copy from the
// child's stderr never fails and the child never blocks on a full pipe.
func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		_, _ = l.w.Write(p[:k])
	}
	return len(p), nil
}
