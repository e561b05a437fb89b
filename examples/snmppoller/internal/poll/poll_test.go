package poll_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/simagent"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

func startFleet(t *testing.T, n int, cfg simagent.Config) *simagent.Fleet {
	t.Helper()
	f, err := simagent.Start(n, cfg)
	if err != nil {
		t.Fatalf("simagent.Start: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func targetOf(f *simagent.Fleet, i int) target.Target {
	a := f.Addr(i)
	return target.Target{Host: a.Addr().String(), Port: a.Port(), Community: f.Community()}
}

// quick is a config for agents that answer at once or never: the short
// timeout only bounds how long a test waits for a silence it expects.
func quick() poll.Config {
	c := poll.DefaultConfig()
	c.Timeout = 200 * time.Millisecond
	c.Retries = 0
	c.DeviceTimeout = 10 * time.Second
	return c
}

func checkMatches(t *testing.T, got poll.Result, f *simagent.Fleet, i int) {
	t.Helper()
	if !got.OK {
		t.Fatalf("device %d: %s: %s", i, got.Kind, got.Error)
	}
	want := 15 * 48
	if got.UpTime != nil {
		want++ // sysUpTime.0
	}
	if got.Varbinds != want {
		t.Errorf("device %d: %d varbinds, want %d", i, got.Varbinds, want)
	}
	g, _ := json.Marshal(got.Interfaces)
	w, _ := json.Marshal(f.Interfaces(i))
	if string(g) != string(w) {
		t.Errorf("device %d: interfaces differ from the agent's\ngot  %.300s\nwant %.300s", i, g, w)
	}
}

func TestGoSNMP(t *testing.T) {
	f := startFleet(t, 2, simagent.Config{})
	f.Advance()
	p := poll.GoSNMP(quick())
	for i := range f.Len() {
		checkMatches(t, p(t.Context(), targetOf(f, i)), f, i)
	}
}

func TestGoSNMPRetriesTooBig(t *testing.T) {
	// The agent answers tooBig above 12 rows; the poll must step down from
	// 50 to 25 to 12 rather than report an empty table.
	f := startFleet(t, 1, simagent.Config{TooBigAbove: 12})
	checkMatches(t, poll.GoSNMP(quick())(t.Context(), targetOf(f, 0)), f, 0)
}

func TestGoSNMPShortReplies(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{MaxMessageSize: 500})
	checkMatches(t, poll.GoSNMP(quick())(t.Context(), targetOf(f, 0)), f, 0)
}

func TestWrongCommunityIsTimeout(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{})
	tg := targetOf(f, 0)
	tg.Community = "wrong"
	got := poll.GoSNMP(quick())(t.Context(), tg)
	if got.OK || got.Kind != poll.KindTimeout || !strings.Contains(got.Error, "wrong community") {
		t.Errorf("got %v %q: %s; want a timeout that mentions the community", got.OK, got.Kind, got.Error)
	}
}

// closedPort returns a loopback UDP port with nothing listening on it.
func closedPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	return uint16(port)
}

func TestUnreachable(t *testing.T) {
	tg := target.Target{Host: "127.0.0.1", Port: closedPort(t), Community: "public"}
	got := poll.GoSNMP(quick())(t.Context(), tg)
	if got.OK || got.Kind != poll.KindUnreachable {
		t.Errorf("got %v %q: %s; want unreachable", got.OK, got.Kind, got.Error)
	}
}

func TestDeviceTimeout(t *testing.T) {
	// Every reply is an hour late and each request may wait an hour: only
	// the device deadline can end the poll.
	f := startFleet(t, 1, simagent.Config{Delay: time.Hour})
	cfg := quick()
	cfg.Timeout = time.Hour
	cfg.DeviceTimeout = 100 * time.Millisecond
	got := poll.GoSNMP(cfg)(t.Context(), targetOf(f, 0))
	if got.OK || got.Kind != poll.KindTimeout || !strings.Contains(got.Error, "device timeout") {
		t.Errorf("got %v %q: %s; want the device timeout", got.OK, got.Kind, got.Error)
	}
}

func TestCancelInFlight(t *testing.T) {
	// A bare socket stands in for an agent that never answers, so the test
	// knows exactly when the request is in flight: when it reads it.
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.LocalAddr().(*net.UDPAddr)
	cfg := quick()
	cfg.Timeout, cfg.DeviceTimeout = time.Hour, time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan poll.Result)
	go func() {
		done <- poll.GoSNMP(cfg)(ctx, target.Target{Host: "127.0.0.1", Port: uint16(addr.Port), Community: "public"})
	}()
	buf := make([]byte, 2048)
	if _, _, err := c.ReadFromUDP(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	got := <-done
	if got.OK || got.Kind != poll.KindCanceled {
		t.Errorf("got %v %q: %s; want canceled", got.OK, got.Kind, got.Error)
	}
}

func needSNMPBulkWalk(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(poll.SNMPBulkWalk); err != nil {
		t.Skip("needs net-snmp's snmpbulkwalk: apt-get install snmp")
	}
}

func TestExecMatchesGoSNMP(t *testing.T) {
	needSNMPBulkWalk(t)
	f := startFleet(t, 2, simagent.Config{})
	f.Advance()
	p, err := poll.Exec(quick())
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Len() {
		checkMatches(t, p(t.Context(), targetOf(f, i)), f, i)
	}
}

// TestUpTime reads sysUpTime.0 both ways when Config.UpTime asks for it:
// the simulated agents show five minutes of uptime per epoch.
func TestUpTime(t *testing.T) {
	f := startFleet(t, 1, simagent.Config{})
	f.Advance()
	f.Advance()
	cfg := quick()
	cfg.UpTime = true
	funcs := map[string]poll.Func{"gosnmp": poll.GoSNMP(cfg)}
	if _, err := exec.LookPath(poll.SNMPGet); err == nil {
		p, err := poll.Exec(cfg)
		if err != nil {
			t.Fatal(err)
		}
		funcs["exec"] = p
	} else {
		t.Log("snmpget not installed: exec mode not tested")
	}
	for mode, p := range funcs {
		got := p(t.Context(), targetOf(f, 0))
		if !got.OK || got.UpTime == nil || *got.UpTime != 2*30000 || got.Varbinds != 15*48+1 {
			t.Errorf("%s: ok %v (%s), sys_uptime %v, %d varbinds; want 60000 and %d", mode, got.OK, got.Error, got.UpTime, got.Varbinds, 15*48+1)
		}
		checkMatches(t, got, f, 0)
	}
	if got := poll.GoSNMP(quick())(t.Context(), targetOf(f, 0)); got.UpTime != nil {
		t.Errorf("sys_uptime %d read without Config.UpTime", *got.UpTime)
	}
}

func TestExecWrongCommunity(t *testing.T) {
	needSNMPBulkWalk(t)
	f := startFleet(t, 1, simagent.Config{})
	p, err := poll.Exec(quick())
	if err != nil {
		t.Fatal(err)
	}
	tg := targetOf(f, 0)
	tg.Community = "wrong"
	got := p(t.Context(), tg)
	if got.OK || got.Kind != poll.KindTimeout {
		t.Errorf("got %v %q: %s; want a timeout", got.OK, got.Kind, got.Error)
	}
}

func TestExecNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := poll.Exec(quick())
	if !errors.Is(err, poll.ErrNoSNMPBulkWalk) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Exec with no snmpbulkwalk in PATH: error = %v, want ErrNoSNMPBulkWalk", err)
	}
}

func TestConfigCheck(t *testing.T) {
	bad := []func(*poll.Config){
		func(c *poll.Config) { c.Timeout = 0 },
		func(c *poll.Config) { c.Retries = -1 },
		func(c *poll.Config) { c.DeviceTimeout = 0 },
		func(c *poll.Config) { c.MaxRepetitions = 0 },
		func(c *poll.Config) { c.MaxRepetitions = 256 },
	}
	if err := poll.DefaultConfig().Check(); err != nil {
		t.Errorf("DefaultConfig().Check() = %v", err)
	}
	for i, change := range bad {
		c := poll.DefaultConfig()
		change(&c)
		if c.Check() == nil {
			t.Errorf("case %d: Check(%+v) = nil, want an error", i, c)
		}
	}
}
