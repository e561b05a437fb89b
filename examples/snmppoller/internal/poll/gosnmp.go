package poll

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// maxVarbinds bounds one table walk. A broken agent could otherwise keep a
// worker busy for ever with OIDs that increase but never leave the table.
const maxVarbinds = 1 << 20

// GoSNMP polls t in process: it opens one gosnmp client (one UDP socket and
// its 64 KiB receive buffer), bulk-walks ifTable then ifXTable, and closes
// the client. A *gosnmp.GoSNMP is not safe for concurrent use, so each
// call has its own. The whole poll is bounded by cfg.DeviceTimeout through
// the client's Context; cancelling ctx ends it at once, with a result of
// kind [KindCanceled].
func GoSNMP(cfg Config) Func {
	return func(ctx context.Context, t target.Target) Result {
		return device(ctx, t, cfg, func(ctx context.Context, tbl *ifmib.Table, r *Result) error {
			return walkDevice(ctx, t, cfg, tbl, r)
		})
	}
}

func walkDevice(ctx context.Context, t target.Target, cfg Config, tbl *ifmib.Table, r *Result) error {
	g := &gosnmp.GoSNMP{
		Target:    t.Host,
		Port:      t.Port,
		Community: t.Community,
		Version:   gosnmp.Version2c,
		Transport: "udp",
		// gosnmp reads Context for every request: its deadline caps each
		// request's wait, and cancelling it stops the walk between them.
		Context:            ctx,
		Timeout:            cfg.Timeout,
		Retries:            cfg.Retries,
		ExponentialTimeout: false,
		MaxRepetitions:     uint32(cfg.MaxRepetitions),
	}
	if err := g.Connect(); err != nil {
		return err
	}
	defer g.Close()
	// gosnmp checks Context only between requests and for its deadline; a
	// cancellation (the poller's Stop) would wait out the request timeout.
	// Pulling the socket deadline in wakes the pending read at once. If
	// gosnmp sets a new deadline just after, the read still ends within
	// Timeout, and the next request sees ctx done and returns.
	conn := g.Conn
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if cfg.UpTime {
		if err := getUpTime(ctx, g, r); err != nil {
			return err
		}
	}
	for _, root := range []oid.OID{ifmib.IfTable, ifmib.IfXTable} {
		if err := bulkWalk(ctx, g, root, cfg.MaxRepetitions, func(name oid.OID, v any) error {
			r.Varbinds++
			return tbl.Add(name, v)
		}); err != nil {
			return fmt.Errorf("walking %s: %w", root, err)
		}
	}
	return nil
}

// getUpTime reads sysUpTime.0 into r with one Get. An agent that has no
// sysUpTime.0 leaves r.UpTime nil.
func getUpTime(ctx context.Context, g *gosnmp.GoSNMP, r *Result) error {
	resp, err := g.Get([]string{SysUpTime.String()})
	if err != nil {
		return fmt.Errorf("reading sysUpTime: %w", requestError(ctx, err))
	}
	if resp.Error != gosnmp.NoError {
		return fmt.Errorf("reading sysUpTime: agent answered error-status %v", resp.Error)
	}
	if len(resp.Variables) != 1 {
		return fmt.Errorf("reading sysUpTime: agent answered %d varbinds to a Get of one", len(resp.Variables))
	}
	switch v := resp.Variables[0]; v.Type {
	case gosnmp.NoSuchObject, gosnmp.NoSuchInstance:
		return nil // an agent without it: the poll stands, with no rates
	default:
		return setUpTime(r, v.Value)
	}
}

// bulkWalk walks the subtree at root with GetBulk and calls fn for each
// instance in it, in order. fn must not keep the OID it is given: its
// memory is reused for the next varbind's name.
//
// It does what gosnmp's BulkWalk does, with two differences that matter
// here. First, an agent that answers tooBig makes BulkWalk stop with no
// varbinds and no error, which would look like a device without
// interfaces; bulkWalk halves the repetitions and asks again instead.
// Second, errors are told apart (timeout, refused, protocol) so the report
// can say which.
func bulkWalk(ctx context.Context, g *gosnmp.GoSNMP, root oid.OID, reps int, fn func(oid.OID, any) error) error {
	// Names are parsed into two buffers in turn, the last one accepted
	// (cursor) and the one being read (next): half a million varbinds a
	// scan then cost no allocation each. cursor starts as a copy of root,
	// which must not be written over.
	cursor := append(make(oid.OID, 0, 2*len(root)), root...)
	next := make(oid.OID, 0, 2*len(root))
	under := root.String() + "."
	count := 0
	for {
		resp, err := g.GetBulk([]string{cursor.String()}, 0, uint32(reps))
		if err != nil {
			return requestError(ctx, err)
		}
		switch resp.Error {
		case gosnmp.NoError:
		case gosnmp.TooBig:
			if reps == 1 {
				return errors.New("agent answers tooBig even to one repetition")
			}
			reps /= 2
			continue
		default:
			return fmt.Errorf("agent answered error-status %v", resp.Error)
		}
		if len(resp.Variables) == 0 {
			return errors.New("agent answered GetBulk with no varbinds")
		}
		for _, v := range resp.Variables {
			switch v.Type {
			case gosnmp.EndOfMibView, gosnmp.NoSuchObject, gosnmp.NoSuchInstance:
				return nil
			}
			name, err := parseName(next[:0], root, under, v.Name)
			if err != nil {
				return fmt.Errorf("agent sent an invalid OID %q", v.Name)
			}
			if !name.HasPrefix(root) || len(name) == len(root) {
				return nil // walked past the end of the subtree
			}
			// Agents must return increasing OIDs; one that does not would
			// make this loop ask for the same page for ever.
			if oid.Compare(name, cursor) <= 0 {
				return fmt.Errorf("agent returned OIDs out of order: %s after %s", name, cursor)
			}
			if count++; count > maxVarbinds {
				return fmt.Errorf("more than %d varbinds under %s: giving up", maxVarbinds, root)
			}
			if err := fn(name, v.Value); err != nil {
				return err
			}
			cursor, next = name, cursor
		}
	}
}

// parseName appends the arcs of the OID s to dst, as [oid.AppendParse]
// does. under is root's text followed by a dot: gosnmp writes names in
// that canonical form, so a name in the subtree starts with it, and only
// the arcs after it need parsing.
func parseName(dst, root oid.OID, under, s string) (oid.OID, error) {
	// A rest starting with a dot ("..") is an empty arc, which the full
	// parse rejects; AppendParse would take it as the optional leading dot.
	if rest, ok := strings.CutPrefix(s, under); ok && !strings.HasPrefix(rest, ".") {
		return oid.AppendParse(append(dst, root...), rest)
	}
	return oid.AppendParse(dst, s)
}

// requestError makes a gosnmp request error say plainly what happened.
// gosnmp reports "no reply" as text ("request timeout") wrapping
// ErrMaxRetriesExceeded, or as context.DeadlineExceeded when the device
// deadline came first.
func requestError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The device deadline or the caller's cancellation, whichever
		// came: that is the real reason, whatever gosnmp's text says.
		return ctxErr
	}
	if errors.Is(err, gosnmp.ErrMaxRetriesExceeded) || strings.Contains(err.Error(), "timeout") {
		return fmt.Errorf("%w: %v", errNoResponse, err)
	}
	return err
}
