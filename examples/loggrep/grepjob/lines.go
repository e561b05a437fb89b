package grepjob

import (
	"bufio"
	"errors"
	"io"
	"regexp"
	"unicode/utf8"
)

// A line is what bufio.ScanLines calls one: the bytes up to a '\n' or the end
// of the file, without the '\n' and without one '\r' just before it (or just
// before the end of the file). nextLine reads lines of any length with the
// memory of r's buffer: a line that fits in it is matched in place, and a
// longer one is fed to the regexp as a stream of runes ([regexp.Regexp.MatchReader]),
// which decodes the same runes, and so finds the same matches, as
// [regexp.Regexp.Match] on the whole line would.

// nextLine reads the next line of r and reports whether re matches it, and
// its level (see levelOf; for a line longer than r's buffer, the level is
// taken from the head that fits in r's buffer). err is io.EOF when r has no
// more lines, or the read error that cut the line short.
func nextLine(r *bufio.Reader, re *regexp.Regexp) (matched bool, level string, err error) {
	line, err := r.ReadSlice('\n')
	switch {
	case err == nil:
		line = dropCR(line[:len(line)-1])
	case isEOF(err):
		if len(line) == 0 {
			return false, "", io.EOF
		}
		// The last line, with no '\n': bufio.ScanLines drops its '\r'
		// too. The next call returns io.EOF.
		line, err = dropCR(line), nil
	case errors.Is(err, bufio.ErrBufferFull):
		// A long line. Its level comes from its head, which is only
		// valid until r is read again.
		level = levelOf(line)
		l := &longLine{r: r, head: line}
		matched = re.MatchReader(l)
		l.drain()
		if matched {
			return true, level, l.err
		}
		return false, "", l.err
	default:
		return false, "", err
	}
	if re.Match(line) {
		return true, levelOf(line), err
	}
	return false, "", err
}

func dropCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// longLine is an [io.RuneReader] over the rest of a line longer than r's
// buffer: first head (the buffer's worth that r.ReadSlice returned), then
// r itself, up to the line's end, where it returns io.EOF. It decodes runes
// as [utf8.DecodeRune] does on the whole line, also across the end of head,
// where a rune may be cut in two.
type longLine struct {
	r    *bufio.Reader
	head []byte // the unread part of the head; valid until r is read
	pend []byte // bytes of a rune cut at the end of head, read from r
	pbuf [utf8.UTFMax]byte
	end  bool  // the line's end has been read
	err  error // the read error that cut the line short, if any
}

// ReadRune returns the line's next rune, or io.EOF at its end.
func (l *longLine) ReadRune() (rune, int, error) {
	if l.end {
		return 0, 0, io.EOF
	}
	c, size, err := l.next()
	if err != nil {
		l.stop(err)
		return 0, 0, io.EOF
	}
	switch c {
	case '\n':
		l.end = true
		return 0, 0, io.EOF
	case '\r':
		// A '\r' just before the '\n' or the end of the file is not part
		// of the line.
		b, err := l.peek()
		if err != nil {
			l.stop(err)
			return 0, 0, io.EOF
		}
		if b == '\n' {
			_, _, _ = l.next()
			l.end = true
			return 0, 0, io.EOF
		}
	}
	return c, size, nil
}

// next returns the next rune after the ones already read, '\n' included.
func (l *longLine) next() (rune, int, error) {
	if utf8.FullRune(l.head) {
		c, size := utf8.DecodeRune(l.head)
		l.head = l.head[size:]
		return c, size, nil
	}
	if len(l.head) > 0 {
		// A rune cut at the end of head: keep its bytes before r is
		// read, and complete it from r.
		l.pend = append(l.pbuf[:0], l.head...)
		l.head = nil
	}
	if len(l.pend) > 0 {
		for !utf8.FullRune(l.pend) && len(l.pend) < utf8.UTFMax {
			b, err := l.r.ReadByte()
			if err != nil {
				break // decode what there is; r returns the error again
			}
			if b == '\n' {
				_ = l.r.UnreadByte()
				break
			}
			l.pend = append(l.pend, b)
		}
		c, size := utf8.DecodeRune(l.pend)
		l.pend = l.pend[size:]
		return c, size, nil
	}
	return l.r.ReadRune()
}

// peek returns the next byte without reading it, or io.EOF at the end of
// the file.
func (l *longLine) peek() (byte, error) {
	if len(l.pend) > 0 {
		return l.pend[0], nil
	}
	if len(l.head) > 0 {
		return l.head[0], nil
	}
	b, err := l.r.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// stop ends the line at a read error, or at the end of the file.
func (l *longLine) stop(err error) {
	l.end = true
	if !isEOF(err) {
		l.err = err
	}
}

// drain reads the rest of the line, which the regexp may have left unread
// once it found a match.
func (l *longLine) drain() {
	if l.end {
		return
	}
	l.head, l.pend = nil, nil // neither holds a '\n'
	for {
		_, err := l.r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			if err != nil {
				l.stop(err)
			}
			l.end = true
			return
		}
	}
}
