package simagent

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/lullgo/lull/examples/snmppoller/internal/target"

	"github.com/lullgo/lull/examples/snmppoller/internal/ifmib"
	"github.com/lullgo/lull/examples/snmppoller/internal/oid"
)

// Config describes the agents of a [Fleet]. The zero value is usable: it
// gives agents with community "public", 48 interfaces and no added delay.
type Config struct {
	// Community is the only SNMPv2c community the agents answer.
	// Default "public".
	Community string
	// Interfaces is the number of ifTable/ifXTable rows. Default 48.
	Interfaces int
	// Delay is added before each reply, as a slow device or a distant
	// network would. Requests to one agent are served one after the other,
	// like the single SNMP thread of most devices.
	Delay time.Duration
	// MaxMessageSize bounds the encoded size of a reply. Default 65507, the
	// largest UDP payload over IPv4.
	MaxMessageSize int
	// TooBigAbove, when positive, makes the agents answer tooBig with no
	// varbinds to a GetBulk asking for more repetitions than this, as some
	// devices do instead of shortening the reply as RFC 3416 asks.
	TooBigAbove int
}

// ErrTooManyOpenFiles is wrapped in the error of [Start] when the process
// ran out of file descriptors while opening the agents' sockets.
var ErrTooManyOpenFiles = errors.New("simagent: open-files limit (RLIMIT_NOFILE) reached: start fewer agents or raise ulimit -n")

// Fleet is a set of running simulated agents, each with its own UDP port on
// 127.0.0.1. Its methods are safe for concurrent use.
type Fleet struct {
	cfg    Config
	layout *layout
	conns  []*net.UDPConn
	addrs  []netip.AddrPort
	epoch  atomic.Uint64
	// done is closed by Close to cut short replies waiting out Delay.
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Start binds n agents to ports of 127.0.0.1 chosen by the kernel, has
// gosnmp encode each agent's table, and starts serving. Each agent runs
// one goroutine, which exits when [Fleet.Close] is called; call Close even
// when the fleet is not used any more. If binding fails part way, the
// sockets already open are closed and the error says how many agents were
// started; when the cause is the open-files limit it wraps
// [ErrTooManyOpenFiles].
func Start(n int, cfg Config) (*Fleet, error) {
	if n < 1 {
		return nil, fmt.Errorf("simagent: want at least one agent, got %d", n)
	}
	f := newFleet(cfg)
	// The address is a literal loopback address, never a flag: the
	// simulated fleet must not be reachable from, or send to, anything but
	// this machine.
	loopback := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	for i := range n {
		c, err := net.ListenUDP("udp4", loopback)
		if err != nil {
			for _, c := range f.conns {
				c.Close()
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				err = fmt.Errorf("%w (%v)", ErrTooManyOpenFiles, err)
			}
			return nil, fmt.Errorf("simagent: starting agent %d of %d: %w", i+1, n, err)
		}
		f.conns = append(f.conns, c)
		f.addrs = append(f.addrs, c.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	// Encode every agent's table before any serves, so the first requests
	// cost no more than later ones. It takes about 0.3 ms of CPU an agent,
	// so it is spread over the CPUs; every goroutine is joined here.
	agents := make([]*agent, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	workers := min(n, runtime.GOMAXPROCS(0))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				agents[i], errs[i] = newAgent(f, i, f.Epoch())
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, c := range f.conns {
				c.Close()
			}
			return nil, fmt.Errorf("simagent: encoding the table of agent %d: %w", i+1, err)
		}
	}
	f.wg.Add(n)
	for i, c := range f.conns {
		go f.serve(agents[i], c)
	}
	return f, nil
}

// newFleet returns a fleet with no agents yet, cfg's defaults filled in.
func newFleet(cfg Config) *Fleet {
	if cfg.Community == "" {
		cfg.Community = "public"
	}
	if cfg.Interfaces <= 0 {
		cfg.Interfaces = 48
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 65507
	}
	return &Fleet{cfg: cfg, layout: newLayout(cfg.Interfaces), done: make(chan struct{})}
}

// Len returns the number of agents.
func (f *Fleet) Len() int { return len(f.addrs) }

// Addr returns the address of agent i, 0 <= i < Len.
func (f *Fleet) Addr(i int) netip.AddrPort { return f.addrs[i] }

// Community returns the community the agents answer.
func (f *Fleet) Community() string { return f.cfg.Community }

// Targets returns the poller's targets for the fleet's agents, in order.
func (f *Fleet) Targets() []target.Target {
	ts := make([]target.Target, len(f.addrs))
	for i, a := range f.addrs {
		ts[i] = target.Target{Host: a.Addr().String(), Port: a.Port(), Community: f.cfg.Community}
	}
	return ts
}

// Epoch returns the current epoch; it starts at 0.
func (f *Fleet) Epoch() uint64 { return f.epoch.Load() }

// Advance moves every agent to the next epoch: the octet counters of the
// interfaces that are up grow and sysUpTime moves on. Call it between
// scans to make counters change the way a live network does.
func (f *Fleet) Advance() { f.epoch.Add(1) }

// Interfaces returns the interface table agent i serves at the current
// epoch, in the form the poller reports it. Tests check scans against it.
func (f *Fleet) Interfaces(i int) []ifmib.Interface {
	return interfacesAt(i, f.cfg.Interfaces, f.Epoch())
}

// Close stops every agent and closes its socket. It returns after each
// agent's goroutine has exited. Close is idempotent.
func (f *Fleet) Close() error {
	var errs []error
	f.closeOnce.Do(func() {
		close(f.done)
		for _, c := range f.conns {
			// Closing the socket is what wakes a goroutine parked in ReadFrom.
			if err := c.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		f.wg.Wait()
	})
	return errors.Join(errs...)
}

// serve answers requests on c as agent a until c is closed.
func (f *Fleet) serve(a *agent, c *net.UDPConn) {
	defer f.wg.Done()
	// Requests from a manager are small; 8 KiB holds a Get of 60 OIDs.
	// A larger buffer per agent would cost 700 times over.
	buf := make([]byte, 8192)
	var timer *time.Timer
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A read error on a UDP socket (an ICMP error from an earlier
			// reply, for one) concerns one datagram; keep serving.
			continue
		}
		reply := a.handle(buf[:n])
		if reply == nil {
			continue
		}
		if f.cfg.Delay > 0 {
			if timer == nil {
				timer = time.NewTimer(f.cfg.Delay)
			} else {
				timer.Reset(f.cfg.Delay)
			}
			select {
			case <-timer.C:
			case <-f.done:
				timer.Stop()
				return
			}
		}
		// A failed send is a lost datagram, which UDP allows; the manager
		// retries.
		_, _ = c.WriteToUDPAddrPort(reply, from)
	}
}

// handle returns the encoded reply to one request datagram, or nil when
// the agent must stay silent: undecodable data, another SNMP version, a
// wrong community or a PDU that is not a request. The reply is in a.out,
// valid until the next call.
func (a *agent) handle(msg []byte) []byte {
	f := a.f
	// Look at the version before decoding: gosnmp's SNMPv3 path wants
	// security parameters this agent does not have, and v1 is not served.
	if !isV2c(msg) {
		return nil
	}
	req, err := a.dec.SnmpDecodePacket(msg)
	if err != nil || req.Version != gosnmp.Version2c || req.Community != f.cfg.Community {
		return nil
	}
	l := f.layout
	switch req.PDUType {
	case gosnmp.GetRequest:
		a.items = l.get(a.items[:0], req.Variables)
	case gosnmp.GetNextRequest:
		a.items = l.getNext(a.items[:0], req.Variables)
	case gosnmp.GetBulkRequest:
		if f.cfg.TooBigAbove > 0 && int(req.MaxRepetitions) > f.cfg.TooBigAbove {
			return a.tooBig(req)
		}
		a.items = l.getBulk(a.items[:0], req.Variables, int(req.NonRepeaters), int(req.MaxRepetitions))
	case gosnmp.SetRequest:
		// The simulated MIB is read-only, and so is a read-only community.
		// A Set is rare enough to be encoded the plain way, its varbinds
		// sent back as they came.
		resp := &gosnmp.SnmpPacket{
			Version:    gosnmp.Version2c,
			Community:  req.Community,
			PDUType:    gosnmp.GetResponse,
			RequestID:  req.RequestID,
			Error:      gosnmp.NoAccess,
			ErrorIndex: 1,
			Variables:  req.Variables,
		}
		if out, err := resp.MarshalMsg(); err == nil && len(out) <= f.cfg.MaxMessageSize {
			return out
		}
		return a.tooBig(req)
	default:
		return nil
	}
	// Every value the agent serves has an encodable type, but a request
	// may name an OID gosnmp cannot encode, which an exception must echo:
	// like a reply too big to send, that is answered tooBig.
	if a.setEpoch(f.Epoch()) != nil || a.encodeItems(a.items) != nil {
		return a.tooBig(req)
	}
	head, pdu, ok := envelope(req, gosnmp.NoError, 0)
	if !ok {
		return nil
	}
	k := len(a.items)
	if a.size(head, pdu, k) > f.cfg.MaxMessageSize {
		if req.PDUType != gosnmp.GetBulkRequest {
			// RFC 3416 4.2.1: a reply that does not fit is replaced by
			// tooBig with an empty varbind list.
			return a.tooBig(req)
		}
		// RFC 3416 4.2.3: a GetBulk reply drops trailing varbinds until
		// it fits, but keeps at least one per requested OID; if even that
		// does not fit, it is tooBig.
		if k = a.fit(head, pdu, f.cfg.MaxMessageSize); k < max(len(req.Variables), 1) {
			return a.tooBig(req)
		}
	}
	return a.assemble(head, pdu, k)
}

// tooBig returns the reply tooBig, with no varbinds, to req, or nil if
// gosnmp cannot encode it: a bug in this package, which staying silent
// hides least badly from a manager, as it sees a timeout.
func (a *agent) tooBig(req *gosnmp.SnmpPacket) []byte {
	head, pdu, ok := envelope(req, gosnmp.TooBig, 0)
	if !ok {
		return nil
	}
	return a.assemble(head, pdu, 0)
}

// isV2c reports whether msg starts like an SNMPv2c message: a BER SEQUENCE
// whose first element is the INTEGER 1 (version-2c, RFC 1901).
func isV2c(msg []byte) bool {
	if len(msg) < 2 || msg[0] != 0x30 {
		return false
	}
	i := 2
	if msg[1]&0x80 != 0 {
		i += int(msg[1] & 0x7f) // long form: that many length bytes follow
	}
	return len(msg) >= i+3 && msg[i] == 0x02 && msg[i+1] == 0x01 && msg[i+2] == 0x01
}

// get answers a Get: the entry at each OID, or the exception saying why
// there is none. It appends the reply's items to dst.
func (l *layout) get(dst []item, vars []gosnmp.SnmpPDU) []item {
	for _, v := range vars {
		o, err := oid.Parse(v.Name)
		if err != nil {
			dst = append(dst, item{pos: -1, name: v.Name, typ: gosnmp.NoSuchObject})
			continue
		}
		if i := l.exact(o); i >= 0 {
			dst = append(dst, item{pos: i})
		} else {
			dst = append(dst, item{pos: -1, name: v.Name, typ: l.missing(o)})
		}
	}
	return dst
}

// getNext answers a GetNext: for each OID, the first instance after it, or
// endOfMibView named as the request was when there is none.
func (l *layout) getNext(dst []item, vars []gosnmp.SnmpPDU) []item {
	for _, v := range vars {
		dst = append(dst, l.at(l.after(v.Name), v.Name))
	}
	return dst
}

// after returns the position of the first entry after the OID name, or
// len(entries). An unparsable OID sorts first: the walk starts at the top.
func (l *layout) after(name string) int {
	o, err := oid.Parse(name)
	if err != nil {
		return 0
	}
	return l.next(o)
}

// at returns the item of entry i, or endOfMibView named asked when i is
// past the end.
func (l *layout) at(i int, asked string) item {
	if i >= len(l.entries) {
		return item{pos: -1, name: asked, typ: gosnmp.EndOfMibView}
	}
	return item{pos: i}
}

// getBulk answers a GetBulk as RFC 3416 4.2.3 describes: one GetNext for
// each of the first nonRepeaters OIDs, then up to maxRepetitions rounds of
// GetNext over the others, each round continuing from the previous one.
func (l *layout) getBulk(dst []item, vars []gosnmp.SnmpPDU, nonRepeaters, maxRepetitions int) []item {
	nonRepeaters = min(max(nonRepeaters, 0), len(vars))
	dst = l.getNext(dst, vars[:nonRepeaters])
	repeaters := vars[nonRepeaters:]
	if len(repeaters) == 0 || maxRepetitions <= 0 {
		return dst
	}
	// Each round moves every cursor forward by at least one entry, so after
	// len(entries)+1 rounds all are at endOfMibView: asking for more cannot
	// make the reply longer, only the loop.
	maxRepetitions = min(maxRepetitions, len(l.entries)+1)
	// The cursors are positions in the sorted table: the next round's
	// GetNext is the next position, with no OID to parse or search.
	pos := make([]int, len(repeaters))
	names := make([]string, len(repeaters)) // what endOfMibView is named
	for i, v := range repeaters {
		pos[i] = l.after(v.Name)
		names[i] = v.Name
	}
	end := len(l.entries)
	for range maxRepetitions {
		ended := 0
		for i := range pos {
			dst = append(dst, l.at(pos[i], names[i]))
			if pos[i] >= end {
				ended++
			} else {
				names[i] = l.entries[pos[i]].name
				pos[i]++
			}
		}
		// The RFC lets an agent stop once a whole round is endOfMibView:
		// more rounds would only repeat it.
		if ended == len(pos) {
			break
		}
	}
	return dst
}
