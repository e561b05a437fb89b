package main

// The summary a person reads, after each scan and at the end, and the one
// -summary-json writes for programs.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/lullgo/lull/examples/snmppoller/internal/report"
)

// printScan writes what scan n found, with the pool's size after it and
// the most workers seen so far.
func printScan(w io.Writer, n int, s report.Summary, size, peak int) {
	fmt.Fprintf(w, "scan %d: %d devices in %.2fs: %d ok, %d failed; %d workers", n, s.Devices, s.Wall.Seconds(), s.OK, s.Failed, size)
	if peak > size {
		fmt.Fprintf(w, " (peak %d)", peak)
	}
	fmt.Fprintln(w)
	if s.Failed > 0 {
		var kinds []string
		for _, k := range s.FailureKinds() {
			kinds = append(kinds, fmt.Sprintf("%d %s", s.Failures[k], k))
		}
		fmt.Fprintf(w, "  failed: %s\n", strings.Join(kinds, ", "))
	}
	if s.Skipped > 0 {
		fmt.Fprintf(w, "  skipped: %d, not polled: the poller was stopped first\n", s.Skipped)
	}
	if s.OK == 0 {
		return
	}
	fmt.Fprintf(w, "  interfaces: %d up, %d down, %d admin down\n", s.Up, s.Down, s.Disabled)
	if len(s.Busiest) == 0 {
		return
	}
	format := report.Bytes
	if s.ByRate {
		fmt.Fprintln(w, "  busiest interfaces now, by bit rate in + out:")
		format = report.Bits
	} else {
		fmt.Fprintln(w, "  busiest interfaces, by octets counted in + out (since their counters started):")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, b := range s.Busiest {
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("ifIndex %d", b.Index)
		}
		if b.Alias != "" {
			name += fmt.Sprintf(" (%s)", b.Alias)
		}
		fmt.Fprintf(tw, "    %s\t%s\tin %s\tout %s\n", b.Target, name, format(b.In), format(b.Out))
	}
	tw.Flush()
}

// printTotals writes the end of the summary: totals over the scans if
// there were several, the CPU time, and where the JSON lines went.
func printTotals(w io.Writer, o options, s report.Summary, scans int, cpu cpuTimes, simInProcess bool, jsonTo string) {
	if scans > 1 {
		fmt.Fprintf(w, "total: %d scans in %.2fs of polling, %d polls: %d ok, %d failed", scans, s.Wall.Seconds(), s.OK+s.Failed, s.OK, s.Failed)
		if s.Skipped > 0 {
			fmt.Fprintf(w, ", %d skipped", s.Skipped)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "cpu: %.2fs (user %.2fs, sys %.2fs)", (cpu.user + cpu.sys).Seconds(), cpu.user.Seconds(), cpu.sys.Seconds())
	if o.mode == "exec" {
		fmt.Fprintf(w, ", and %.2fs in snmpbulkwalk (user %.2fs, sys %.2fs)",
			(cpu.childUser + cpu.childSys).Seconds(), cpu.childUser.Seconds(), cpu.childSys.Seconds())
	}
	fmt.Fprintln(w)
	if simInProcess {
		fmt.Fprintln(w, "  (the simulated fleet runs in this process: its CPU time is counted here; -serve-sim runs it apart)")
	}
	switch jsonTo {
	case "":
		fmt.Fprintln(w, "JSON lines: not written, stdout is a terminal (pipe it, or use -o FILE)")
	case "stdout":
	default:
		fmt.Fprintf(w, "JSON lines: %s\n", jsonTo)
	}
}

// summaryJSON is the machine-readable summary -summary-json writes.
type summaryJSON struct {
	Mode                string         `json:"mode"`
	Workers             int            `json:"workers"`
	MaxWorkers          int            `json:"max_workers"`
	PeakWorkers         int            `json:"peak_workers"`
	Scans               int            `json:"scans"`
	Devices             int            `json:"devices"`
	OK                  int            `json:"ok"`
	Failed              int            `json:"failed"`
	Skipped             int            `json:"skipped"`
	Failures            map[string]int `json:"failures"`
	Varbinds            int64          `json:"varbinds"`
	InterfacesUp        int            `json:"interfaces_up"`
	InterfacesDown      int            `json:"interfaces_down"`
	InterfacesAdminDown int            `json:"interfaces_admin_down"`
	WallSeconds         float64        `json:"wall_seconds"`
	UserSeconds         float64        `json:"user_cpu_seconds"`
	SysSeconds          float64        `json:"sys_cpu_seconds"`
	ChildrenUserSeconds float64        `json:"children_user_cpu_seconds"`
	ChildrenSysSeconds  float64        `json:"children_sys_cpu_seconds"`
}

// writeSummaryJSON writes the summary of the whole run to f, which
// createOutputs made before the scan, and closes f.
func writeSummaryJSON(f *os.File, o options, s report.Summary, scans int, cpu cpuTimes, peak int) error {
	if s.Failures == nil {
		s.Failures = map[string]int{}
	}
	b, err := json.MarshalIndent(summaryJSON{
		Mode: o.mode, Workers: o.workers, MaxWorkers: o.maxWorkers, PeakWorkers: peak,
		Scans: scans, Devices: s.Devices, OK: s.OK, Failed: s.Failed, Skipped: s.Skipped, Failures: s.Failures,
		Varbinds: s.Varbinds, InterfacesUp: s.Up, InterfacesDown: s.Down, InterfacesAdminDown: s.Disabled,
		WallSeconds: s.Wall.Seconds(),
		UserSeconds: cpu.user.Seconds(), SysSeconds: cpu.sys.Seconds(),
		ChildrenUserSeconds: cpu.childUser.Seconds(), ChildrenSysSeconds: cpu.childSys.Seconds(),
	}, "", "  ")
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return errors.Join(err, f.Close())
}
