package grepjob

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

// patterns are the regexps FuzzLines tries: anchors, which see where a line
// starts and ends, '\r', which only the end of a line drops, and runes of
// several bytes, which a small buffer cuts in two.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(`x`),
	regexp.MustCompile(`^a`),
	regexp.MustCompile(`b$`),
	regexp.MustCompile(`\r`),
	regexp.MustCompile(`\r$`),
	regexp.MustCompile(`é|日本`),
	regexp.MustCompile(`\x{FFFD}`),
	regexp.MustCompile(`^$`),
	regexp.MustCompile(`(?s)a.b`),
	regexp.MustCompile(`^[^x]*$`),
}

// scanLines is the reference: the lines bufio.Scanner makes with a buffer
// large enough for any of them, and whether each matches re.
func scanLines(data []byte, re *regexp.Regexp) (matches []bool, levels []string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		m := re.Match(sc.Bytes())
		matches = append(matches, m)
		if m {
			levels = append(levels, levelOf(sc.Bytes()))
		}
	}
	return matches, levels
}

// readLines runs nextLine over data with a read buffer of size bytes.
func readLines(t *testing.T, data []byte, re *regexp.Regexp, size int) (matches []bool, levels []string) {
	t.Helper()
	r := bufio.NewReaderSize(bytes.NewReader(data), size)
	for {
		m, level, err := nextLine(r, re)
		if errors.Is(err, io.EOF) {
			return matches, levels
		}
		if err != nil {
			t.Fatalf("nextLine: %v", err)
		}
		matches = append(matches, m)
		if m {
			levels = append(levels, level)
		}
	}
}

// FuzzLines checks that nextLine, with a read buffer of 16 bytes (the least
// bufio takes), so that most lines are long ones, splits and matches lines
// as bufio.Scanner and regexp.Match do on whole lines.
func FuzzLines(f *testing.F) {
	for _, s := range []string{
		"", "\n", "a\nb\n", "ab", "a\r\nb\r\n", "a\rb\r", "a\r\r\n", "\r",
		"2026-11-25T10:00:00Z INFO db: " + strings.Repeat("x", 40) + "b\r\n",
		strings.Repeat("é", 20) + "\n" + strings.Repeat("日本", 9) + "a\xffb\n",
		"aaaaaaaaaaaaaaa\xe6\x97\xa5\xe6\x9c\xacb\n", // a rune cut at the end of the 16-byte head
		"aaaaaaaaaaaaaa\xe6\x97\n\xa5b",              // a rune cut by a newline
		strings.Repeat("a", 15) + "\r\n" + strings.Repeat("a", 16) + "\r",
	} {
		for i := range patterns {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, p uint8) {
		re := patterns[int(p)%len(patterns)]
		wantM, wantL := scanLines(data, re)
		for _, size := range []int{16, 4096} {
			gotM, gotL := readLines(t, data, re, size)
			wantL := wantL
			if size < len(data) {
				// A line longer than the buffer may have a level
				// cut short: compare only the matches.
				gotL, wantL = nil, nil
			}
			if !equal(gotM, wantM) || !equal(gotL, wantL) {
				t.Fatalf("%q, %v, buffer %d: got matches %v levels %q, want %v %q",
					data, re, size, gotM, gotL, wantM, wantL)
			}
		}
	})
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReadErrorNamesLine checks that an error in the middle of a file names
// the file and the line it cut, in the short and the long path.
func TestReadErrorNamesLine(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{"short lines", "a\nb\nc", "f.log:3: boom"},
		{"long line", "a\n" + strings.Repeat("x", 100), "f.log:2: boom"},
	} {
		r := io.MultiReader(strings.NewReader(tc.data), iotest.ErrReader(boom))
		var n int
		err := grep(context.Background(), bufio.NewReaderSize(r, 16), regexp.MustCompile("z"), "f.log", "f",
			func(Key, int) { n++ })
		if !errors.Is(err, boom) || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %q wrapping boom", tc.name, err, tc.want)
		}
	}
}
