// Package simagent runs simulated SNMPv2c agents on the loopback interface,
// so the poller can be tried, tested and benchmarked with no network gear.
//
// A [Fleet] is a number of agents, each on its own UDP port of 127.0.0.1.
// Each agent serves the system group, ifNumber, and an IF-MIB ifTable and
// ifXTable of [Config].Interfaces rows. Values are a pure function of the
// agent's position in the fleet, the row and the fleet's epoch: the
// counters of a running port grow by a step that varies around its own
// mean each time [Fleet.Advance] is called, and sysUpTime by five minutes,
// so a poller sees traffic rates; tests compute exactly what a scan must
// return with [Fleet.Interfaces].
//
// # Protocol
//
// Requests are decoded and replies encoded with gosnmp's packet code. The
// agents answer Get, GetNext and GetBulk (RFC 3416) on one OID table kept
// in SNMP order, with noSuchObject, noSuchInstance and endOfMibView where
// the RFC wants them. Like a real agent, one drops packets with a wrong
// community or an SNMP version other than v2c without a word: the manager
// sees a timeout. A reply that would not fit [Config].MaxMessageSize is
// shortened (GetBulk) or replaced by tooBig (Get, GetNext). A quirk some
// devices have, answering tooBig to a large GetBulk instead of shortening
// it, can be switched on with [Config].TooBigAbove.
//
// Each agent has gosnmp encode the varbinds of its table once, and those
// of the counters and sysUpTime again when the epoch changes. A reply is
// gosnmp's encoding of its header (community, request ID, error status)
// around the cached varbinds it carries: byte for byte what gosnmp would
// marshal for the whole packet, at a fraction of the cost.
//
// # Cost
//
// Each agent holds one UDP socket (one file descriptor), one goroutine
// parked in the socket read, which costs nothing while no request comes,
// and its encoded table: about 27 KB with 48 interfaces, which [Start]
// makes in about 0.3 ms of CPU time. The agents stand for remote devices, whose CPU time is
// not the manager's, so a reply costs them little more than the system
// calls that receive and send it.
package simagent
