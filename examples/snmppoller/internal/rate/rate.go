// Package rate turns two readings of an interface's 64-bit octet counters
// into its bit rates, as a monitor does between two scans.
//
// The clock is the agent's own sysUpTime, read in the same poll as the
// counters: the time between two polls as the poller sees it also holds
// the network's delays and the queue of the pool, and a simulated agent
// has a clock of its own. sysUpTime counts hundredths of a second since
// the agent (re)started. When it goes back, the agent restarted and its
// counters may have restarted from zero: there is no rate then, rather
// than a wrong one.
package rate

import (
	"math"
	"sync"

	"github.com/lullgo/lull/examples/snmppoller/internal/poll"
)

// Reading is one poll's value of a 64-bit octet counter and the agent's
// sysUpTime.0 (hundredths of a second) in the same poll.
type Reading struct {
	Octets uint64
	UpTime uint32
}

// BitRate returns the bit rate between the readings prev and cur of one
// counter, in bit/s rounded to the nearest integer, and whether there is
// one. speedMbps is the interface's speed (ifHighSpeed), 0 if unknown.
//
// There is no rate when sysUpTime did not move forward (the agent
// restarted, or sysUpTime itself wrapped after 497 days). A counter lower
// than before, with sysUpTime moving forward, either wrapped past 2^64 or
// was reset (the interface was re-created, a line card reloaded): the
// wrapped difference is taken only if the interface could have carried it
// at its speed in that time; with an unknown speed there is no rate.
func BitRate(prev, cur Reading, speedMbps uint64) (bps uint64, ok bool) {
	if cur.UpTime <= prev.UpTime {
		return 0, false
	}
	seconds := float64(cur.UpTime-prev.UpTime) / 100
	// Unsigned subtraction is the difference modulo 2^64: right across one
	// wrap, and the plain difference otherwise.
	delta := cur.Octets - prev.Octets
	rate := float64(delta) * 8 / seconds
	if cur.Octets < prev.Octets && (speedMbps == 0 || rate > float64(speedMbps)*1e6) {
		return 0, false
	}
	if rate >= math.MaxUint64 {
		return 0, false // not a real interface's rate: no rate
	}
	return uint64(math.Round(rate)), true
}

// Tracker keeps the last readings of every device it has seen and sets
// the rates of each new result from them. The zero value is ready to
// use; it is safe for concurrent use, as results come from the pool's
// workers.
type Tracker struct {
	mu   sync.Mutex
	last map[string]device // by Result.Target
}

// device is the last reading of one device's counters, by ifIndex.
type device struct {
	upTime   uint32
	counters map[int][2]uint64 // in, out
}

// Update sets InBps and OutBps on the interfaces of r that have a rate
// since the device's previous result, and keeps r's counters for the
// next. A failed result changes nothing, so the next rate spans the gap.
// A result without sysUpTime gets no rates and makes the device's next
// one a first reading again.
func (t *Tracker) Update(r *poll.Result) {
	if !r.OK {
		return
	}
	now := device{counters: make(map[int][2]uint64, len(r.Interfaces))}
	if r.UpTime != nil {
		now.upTime = *r.UpTime
		for _, ifc := range r.Interfaces {
			if ifc.HCInOctets != nil && ifc.HCOutOctets != nil {
				now.counters[ifc.Index] = [2]uint64{*ifc.HCInOctets, *ifc.HCOutOctets}
			}
		}
	}
	t.mu.Lock()
	prev, seen := t.last[r.Target]
	if t.last == nil {
		t.last = make(map[string]device)
	}
	if r.UpTime == nil {
		delete(t.last, r.Target)
	} else {
		t.last[r.Target] = now
	}
	t.mu.Unlock()
	if !seen || r.UpTime == nil {
		return
	}
	for i := range r.Interfaces {
		ifc := &r.Interfaces[i]
		before, ok1 := prev.counters[ifc.Index]
		after, ok2 := now.counters[ifc.Index]
		if !ok1 || !ok2 {
			continue
		}
		if bps, ok := BitRate(Reading{before[0], prev.upTime}, Reading{after[0], now.upTime}, ifc.SpeedMbps); ok {
			ifc.InBps = &bps
		}
		if bps, ok := BitRate(Reading{before[1], prev.upTime}, Reading{after[1], now.upTime}, ifc.SpeedMbps); ok {
			ifc.OutBps = &bps
		}
	}
}
