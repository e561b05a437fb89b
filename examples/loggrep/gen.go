package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// seed makes every corpus of a given size and file count the same, byte for
// byte, on every machine.
const seed = 20261125

var (
	components = []string{"auth", "api", "db", "cache", "scheduler", "billing", "mailer", "search", "gateway", "storage"}
	hosts      = []string{"db-01", "db-02", "cache-01", "auth-01", "search-03", "s3.internal"}
)

// generate writes a synthetic corpus of about size bytes into dir (made if
// missing): files of uneven size (log-normally spread, the largest some
// twenty times the median), named service-NNN.log, of lines like
//
//	2026-11-25T10:00:00Z WARN db: slow query took 812ms (table=orders)
//
// Levels are about 70% INFO, 15% DEBUG, 10% WARN and 5% ERROR.
func generate(dir string, size int64, files int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, uint64(files)))
	weights := make([]float64, files)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(rng.NormFloat64())
		sum += weights[i]
	}
	width := len(strconv.Itoa(files - 1))
	for i, w := range weights {
		name := fmt.Sprintf("service-%0*d.log", max(width, 3), i)
		n := int64(float64(size) * w / sum)
		if err := writeLog(filepath.Join(dir, name), n, rand.New(rand.NewPCG(seed, uint64(i)))); err != nil {
			return err
		}
	}
	return nil
}

// writeLog writes lines to path until it holds at least size bytes (or one
// line, for a tiny size).
func writeLog(path string, size int64, rng *rand.Rand) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	t := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var line []byte
	for written := int64(0); written < size || written == 0; {
		t = t.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
		line = appendLine(line[:0], t, rng)
		if _, err := w.Write(line); err != nil {
			return err
		}
		written += int64(len(line))
	}
	return w.Flush()
}

// appendLine appends one log line at time t to b.
func appendLine(b []byte, t time.Time, rng *rand.Rand) []byte {
	b = t.AppendFormat(b, time.RFC3339)
	var level string
	switch p := rng.IntN(100); {
	case p < 70:
		level = "INFO"
	case p < 85:
		level = "DEBUG"
	case p < 95:
		level = "WARN"
	default:
		level = "ERROR"
	}
	b = append(b, ' ')
	b = append(b, level...)
	b = append(b, ' ')
	b = append(b, components[rng.IntN(len(components))]...)
	b = append(b, ": "...)
	b = appendMessage(b, level, rng)
	return append(b, '\n')
}

// appendMessage appends a message that fits the level: errors and warnings
// mention timeouts, refused connections and slow queries, which makes for
// patterns with few matches and with many.
func appendMessage(b []byte, level string, rng *rand.Rand) []byte {
	id := rng.IntN(1_000_000)
	ms := 1 + rng.IntN(5000)
	host := hosts[rng.IntN(len(hosts))]
	var s string
	switch level {
	case "ERROR":
		switch rng.IntN(4) {
		case 0:
			s = fmt.Sprintf("timeout after %dms talking to %s", ms, host)
		case 1:
			s = fmt.Sprintf("connection refused by %s (attempt %d)", host, 1+rng.IntN(5))
		case 2:
			s = fmt.Sprintf("request %d failed: status %d", id, 500+rng.IntN(4))
		default:
			s = fmt.Sprintf("panic recovered in job %d: index out of range", id)
		}
	case "WARN":
		switch rng.IntN(3) {
		case 0:
			s = fmt.Sprintf("slow query took %dms (table=%s)", ms, []string{"orders", "users", "events"}[rng.IntN(3)])
		case 1:
			s = fmt.Sprintf("retrying job %d (attempt %d)", id, 1+rng.IntN(5))
		default:
			s = fmt.Sprintf("disk usage at %d%% on %s", 80+rng.IntN(20), host)
		}
	case "DEBUG":
		s = fmt.Sprintf("cache miss for key %x", rng.Uint64())
	default:
		switch rng.IntN(3) {
		case 0:
			s = fmt.Sprintf("request %d served in %dms", id, ms/10)
		case 1:
			s = fmt.Sprintf("user %d logged in from %d.%d.%d.%d", id, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))
		default:
			s = fmt.Sprintf("job %d done, %d items", id, rng.IntN(10000))
		}
	}
	// Pad some lines, as real logs have long ones too.
	if rng.IntN(10) == 0 {
		s += " " + strings.Repeat("x", rng.IntN(200))
	}
	return append(b, s...)
}

// parseSize parses a size like 200MB, 1.5GB, 64KB or 1000 (bytes). Units are
// powers of 1024.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for _, un := range units {
		if strings.HasSuffix(u, un.suffix) {
			u, mult = strings.TrimSuffix(u, un.suffix), un.mult
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad -size %q: want a positive size like 200MB", s)
	}
	return int64(v * mult), nil
}

// formatSize formats n bytes in MB with one decimal, or in KB below 1 MB.
func formatSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
