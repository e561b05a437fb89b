// Package target reads the list of SNMP agents to poll.
//
// A targets file has one agent a line, as host:port or host:port,community.
// Blank lines and lines whose first non-blank character is '#' are skipped.
// IPv6 hosts are written in brackets, as in [::1]:161. The port is
// required, so that no line is ever read two ways.
package target

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// DefaultCommunity is the SNMPv2c community used for lines that name none.
const DefaultCommunity = "public"

// Target is one SNMPv2c agent to poll.
type Target struct {
	// Host is an IP address (without brackets) or a host name.
	Host string
	// Port is the agent's UDP port, 1 to 65535.
	Port uint16
	// Community is the SNMPv2c community string, 1 to 255 printable ASCII
	// characters without spaces or commas.
	Community string
}

// Addr returns host:port, with brackets around an IPv6 host.
func (t Target) Addr() string {
	return net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port)))
}

// String returns t as a targets-file line; [ParseLine] reads it back to t.
func (t Target) String() string {
	return t.Addr() + "," + t.Community
}

// ParseLine parses one targets-file line that is neither blank nor a
// comment. Surrounding spaces are ignored. The error says what is wrong
// with the line but not where it is; [Parse] adds the line number.
func ParseLine(line string) (Target, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return Target{}, errors.New("empty target")
	}
	hostport, community, hasComma := strings.Cut(line, ",")
	hostport = strings.TrimSpace(hostport)
	community = strings.TrimSpace(community)
	if !hasComma {
		community = DefaultCommunity
	}
	if err := checkCommunity(community); err != nil {
		return Target{}, err
	}

	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return Target{}, fmt.Errorf("%q is not host:port (IPv6 hosts need brackets, as in [::1]:161)", hostport)
	}
	if err := checkHost(host); err != nil {
		return Target{}, err
	}
	// Atoi rather than ParseUint so "-1" and "+5" are rejected as out of
	// range or malformed with their own words, not as a syntax error.
	if portText == "" || strings.ContainsAny(portText, "+ ") {
		return Target{}, fmt.Errorf("port %q is not a number", portText)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange) {
			return Target{}, fmt.Errorf("port %s out of range 1-65535", portText)
		}
		return Target{}, fmt.Errorf("port %q is not a number", portText)
	}
	if port < 1 || port > 65535 {
		return Target{}, fmt.Errorf("port %d out of range 1-65535", port)
	}
	return Target{Host: host, Port: uint16(port), Community: community}, nil
}

func checkCommunity(c string) error {
	if c == "" {
		return errors.New("empty community after ','")
	}
	// The community travels as one BER OCTET STRING, and gosnmp writes its
	// length as a single byte: longer strings would corrupt the packet.
	if len(c) > 255 {
		return fmt.Errorf("community is %d bytes long, at most 255 allowed", len(c))
	}
	for i := 0; i < len(c); i++ {
		// ',' is refused so that a line has exactly one reading.
		if c[i] <= ' ' || c[i] > '~' || c[i] == ',' {
			return fmt.Errorf("community contains %q: only printable ASCII without spaces or commas is allowed", c[i])
		}
	}
	return nil
}

func checkHost(h string) error {
	if h == "" {
		return errors.New("missing host before ':'")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if len(h) > 253 {
		return fmt.Errorf("host name is %d characters long, at most 253 allowed", len(h))
	}
	// Host names: letters, digits, '-', '_' and dots. Anything else (':'
	// from an unbracketed IPv6 address, '/', '%', spaces) is a typo rather
	// than a name a resolver could find.
	for i := 0; i < len(h); i++ {
		c := h[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return fmt.Errorf("host %q contains %q: not an IP address or host name", h, c)
		}
	}
	return nil
}

// Parse reads a targets file from r. name is used in errors only, which
// read like "targets.txt:7: port 70000 out of range 1-65535". A listed
// agent given twice is an error, since it would be polled twice a scan.
// An input without any target is an error too.
func Parse(r io.Reader, name string) ([]Target, error) {
	var out []Target
	seen := make(map[string]int)
	sc := bufio.NewScanner(r)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		t, err := ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		if first, dup := seen[t.Addr()]; dup {
			return nil, fmt.Errorf("%s:%d: %s is already listed on line %d", name, lineNo, t.Addr(), first)
		}
		seen[t.Addr()] = lineNo
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line too long", name, lineNo+1)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no targets (want one host:port[,community] a line)", name)
	}
	return out, nil
}

// Load reads the targets file at path with [Parse].
func Load(path string) ([]Target, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}
