package poll_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
	"github.com/lullgo/lull/examples/snmppoller/internal/target"
)

// snmpdCommunity is the read-only community of the test's snmpd.
const snmpdCommunity = "lulltest"

// findSNMPD returns the path of net-snmp's agent, which Debian installs in
// /usr/sbin, a directory not every PATH has.
func findSNMPD() (string, bool) {
	if p, err := exec.LookPath("snmpd"); err == nil {
		return p, true
	}
	if _, err := os.Stat("/usr/sbin/snmpd"); err == nil {
		return "/usr/sbin/snmpd", true
	}
	return "", false
}

// startSNMPD runs a real net-snmp agent on a free port of 127.0.0.1 with a
// minimal configuration, waits until it answers, and stops it (by PID)
// when the test ends.
func startSNMPD(t *testing.T) target.Target {
	t.Helper()
	path, ok := findSNMPD()
	if !ok {
		t.Skip("needs net-snmp's agent, snmpd: apt-get install snmpd")
	}
	dir := t.TempDir()
	// The kernel picks a free port; snmpd binds it a moment later. Another
	// process taking it in between would make snmpd exit, which the
	// readiness loop reports.
	probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	probe.Close()

	conf := filepath.Join(dir, "snmpd.conf")
	text := fmt.Sprintf("agentaddress udp:127.0.0.1:%d\nrocommunity %s 127.0.0.1\n", port, snmpdCommunity)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	// -f: stay in the foreground, so the PID is snmpd's; -Lo: log to
	// stdout; -C: read no configuration but ours.
	cmd := exec.Command(path, "-f", "-Lo", "-C", "-c", conf)
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "persist"), "MIBS=")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting snmpd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// Stop by PID: SIGTERM, and SIGKILL if it has not gone in 5 s.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	tg := target.Target{Host: "127.0.0.1", Port: uint16(port), Community: snmpdCommunity}
	// Readiness: an external process is ready when it answers. Retry a
	// Get with a short timeout, for at most 10 s in all.
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err // let the cleanup see it too
			t.Fatalf("snmpd exited early (%v); its log:\n%s", err, logs.String())
		default:
		}
		if snmpGetOK(tg) {
			return tg
		}
		if time.Now().After(deadline) {
			t.Fatalf("snmpd did not answer within 10 s; its log:\n%s", logs.String())
		}
	}
}

func snmpGetOK(tg target.Target) bool {
	g := &gosnmp.GoSNMP{Target: tg.Host, Port: tg.Port, Community: tg.Community, Version: gosnmp.Version2c,
		Timeout: 100 * time.Millisecond, Retries: 0, Context: context.Background()}
	if err := g.Connect(); err != nil {
		return false
	}
	defer g.Close()
	_, err := g.Get([]string{".1.3.6.1.2.1.1.5.0"})
	return err == nil
}

// bulkwalkText runs snmpbulkwalk against tg and returns OID → printed value.
func bulkwalkText(t *testing.T, tg target.Target, root string) map[string]string {
	t.Helper()
	out, err := exec.Command(poll.SNMPBulkWalk, "-v2c", "-c", tg.Community, "-t", "2", "-r", "1", "-Cr50",
		"-m", "", "-On", "-Oe", "-Ot", "udp:"+tg.Addr(), root).Output()
	if err != nil {
		t.Fatalf("snmpbulkwalk %s: %v", root, err)
	}
	vals := make(map[string]string)
	for line := range strings.Lines(string(out)) {
		name, val, ok := strings.Cut(strings.TrimRight(line, "\n"), " = ")
		if ok && strings.HasPrefix(name, ".") {
			vals[name] = val
		}
	}
	return vals
}

func TestAgainstSNMPD(t *testing.T) {
	needSNMPBulkWalk(t)
	tg := startSNMPD(t)

	// snmpbulkwalk first, the poller second: the counters of lo grow with
	// our own queries, so the poller's may only be larger or equal.
	ifTable := bulkwalkText(t, tg, ".1.3.6.1.2.1.2.2")
	ifXTable := bulkwalkText(t, tg, ".1.3.6.1.2.1.31.1.1")

	cfg := poll.DefaultConfig()
	cfg.UpTime = true
	before := time.Now()
	upTime := getUpTime(t, tg)
	for name, p := range map[string]poll.Func{"gosnmp": poll.GoSNMP(cfg), "exec": mustExec(t, cfg)} {
		got := p(t.Context(), tg)
		if !got.OK {
			t.Fatalf("%s: polling snmpd: %s: %s", name, got.Kind, got.Error)
		}
		// sysUpTime moves on with the clock: at least what snmpget saw,
		// and no more than that plus the time since (and a tick).
		maxTicks := upTime + uint32(time.Since(before)/(10*time.Millisecond)) + 1
		if got.UpTime == nil || *got.UpTime < upTime || *got.UpTime > maxTicks {
			t.Errorf("%s: sys_uptime %v, want %d to %d (snmpget's reading, and the time since)", name, got.UpTime, upTime, maxTicks)
		}
		if len(got.Interfaces) == 0 {
			t.Fatalf("%s: snmpd reported no interfaces", name)
		}
		indexes := 0
		for oidText := range ifTable {
			if strings.HasPrefix(oidText, ".1.3.6.1.2.1.2.2.1.1.") {
				indexes++
			}
		}
		if len(got.Interfaces) != indexes {
			t.Errorf("%s: %d interfaces, snmpbulkwalk shows %d ifIndex values", name, len(got.Interfaces), indexes)
		}
		for _, ifc := range got.Interfaces {
			idx := strconv.Itoa(ifc.Index)
			if want := ifTable[".1.3.6.1.2.1.2.2.1.2."+idx]; want != strconv.Quote(ifc.Descr) && want != "STRING: "+strconv.Quote(ifc.Descr) {
				t.Errorf("%s: ifDescr.%s = %q, snmpbulkwalk says %s", name, idx, ifc.Descr, want)
			}
			if want := ifXTable[".1.3.6.1.2.1.31.1.1.1.1."+idx]; want != "STRING: "+strconv.Quote(ifc.Name) {
				t.Errorf("%s: ifName.%s = %q, snmpbulkwalk says %s", name, idx, ifc.Name, want)
			}
			// Status can change between the two walks only if an interface
			// flaps during the test, which a container's do not.
			operText := ifTable[".1.3.6.1.2.1.2.2.1.8."+idx]
			if operText != "INTEGER: "+strconv.Itoa(statusNumber(ifc.OperStatus)) {
				t.Errorf("%s: ifOperStatus.%s = %s, snmpbulkwalk says %s", name, idx, ifc.OperStatus, operText)
			}
			checkCounter(t, name, "ifHCInOctets."+idx, ifc.HCInOctets, ifXTable[".1.3.6.1.2.1.31.1.1.1.6."+idx])
			checkCounter(t, name, "ifHCOutOctets."+idx, ifc.HCOutOctets, ifXTable[".1.3.6.1.2.1.31.1.1.1.10."+idx])
		}
	}
}

// getUpTime reads sysUpTime.0 from tg with net-snmp's snmpget.
func getUpTime(t *testing.T, tg target.Target) uint32 {
	t.Helper()
	out, err := exec.Command(poll.SNMPGet, "-v2c", "-c", tg.Community, "-t", "2", "-r", "1",
		"-m", "", "-On", "-Ot", "udp:"+tg.Addr(), poll.SysUpTime.String()).Output()
	if err != nil {
		t.Fatalf("snmpget sysUpTime.0: %v", err)
	}
	_, val, _ := strings.Cut(strings.TrimSpace(string(out)), " = ")
	n, err := strconv.ParseUint(strings.TrimPrefix(val, "Timeticks: "), 10, 32)
	if err != nil {
		t.Fatalf("snmpget printed %q, not Timeticks", out)
	}
	return uint32(n)
}

func mustExec(t *testing.T, cfg poll.Config) poll.Func {
	t.Helper()
	p, err := poll.Exec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func statusNumber(s string) int {
	for i, name := range []string{"", "up", "down", "testing", "unknown", "dormant", "notPresent", "lowerLayerDown"} {
		if s == name {
			return i
		}
	}
	return -1
}

func checkCounter(t *testing.T, mode, what string, got *uint64, earlier string) {
	t.Helper()
	before, err := strconv.ParseUint(strings.TrimPrefix(earlier, "Counter64: "), 10, 64)
	if err != nil {
		t.Errorf("%s: snmpbulkwalk printed %s = %q, not a Counter64", mode, what, earlier)
		return
	}
	if got == nil || *got < before {
		t.Errorf("%s: %s = %v, want at least %d (snmpbulkwalk's earlier reading)", mode, what, got, before)
	}
}
