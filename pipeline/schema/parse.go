package schema

import (
	"math"
	"strconv"
	"time"
)

// intResult says what parseInt found.
type intResult uint8

const (
	intOK       intResult = iota
	intNotNum             // not a number at all ("seven", "1e3", "")
	intFraction           // a number, but not whole ("7.5")
	intAmbig              // "1,000": thousands separator or decimal comma?
	intOverflow           // a whole number beyond ±1e15 (reported as out of range)
)

const overflowCap = 1e15

// parseInt parses a trimmed integer: optional sign, digits, and optionally an exact decimal
// fraction of zeros after '.' (any number) or ',' (one or two zeros: a decimal comma).
func parseInt(s string) (int64, intResult) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < overflowCap {
			v = v*10 + int64(s[i]-'0')
		} else {
			over = true
		}
	}
	if i == start {
		return 0, intNotNum
	}
	if i < len(s) {
		if r := fraction(s[i:]); r != intOK {
			return 0, r
		}
	}
	if over {
		return 0, intOverflow
	}
	if neg {
		v = -v
	}
	return v, intOK
}

// fraction checks the part after the integer digits: ".0…" or ",0"/",00".
func fraction(f string) intResult {
	sep := f[0]
	if sep != '.' && sep != ',' || len(f) == 1 {
		return intNotNum
	}
	digits, zero := f[1:], true
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return intNotNum
		}
		zero = zero && c == '0'
	}
	if sep == ',' && len(digits) > 2 {
		return intAmbig
	}
	if !zero {
		return intFraction
	}
	return intOK
}

// numResult says what parseNumber found.
type numResult uint8

const (
	numOK numResult = iota
	numNotNum
	numAmbig
)

// parseNumber parses a trimmed decimal number. A decimal comma is accepted when unambiguous:
// one comma, no point, one or two digits after it. Inf, NaN, hex and underscores are rejected.
func parseNumber(s string) (float64, numResult) {
	comma, point := -1, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '+', c == '-', c == 'e', c == 'E':
		case c == '.':
			point = true
		case c == ',':
			if comma >= 0 {
				return 0, numAmbig
			}
			comma = i
		default:
			return 0, numNotNum
		}
	}
	if comma >= 0 {
		return parseDecimalComma(s, comma, point)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, numNotNum
	}
	return f, numOK
}

func parseDecimalComma(s string, comma int, point bool) (float64, numResult) {
	after := len(s) - comma - 1
	if point || after > 2 {
		return 0, numAmbig
	}
	if after == 0 || comma == 0 || !isDigit(s[comma-1]) {
		return 0, numNotNum
	}
	var buf [32]byte
	if len(s) > len(buf) {
		return 0, numNotNum
	}
	n := copy(buf[:], s)
	buf[comma] = '.'
	for i := comma + 1; i < n; i++ {
		if !isDigit(buf[i]) {
			return 0, numNotNum
		}
	}
	f, err := strconv.ParseFloat(string(buf[:n]), 64)
	if err != nil {
		return 0, numNotNum
	}
	return f, numOK
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// dateResult says what parseDate found.
type dateResult uint8

const (
	dateOK dateResult = iota
	dateBad
	dateHasTime // a valid date with a time of day other than midnight
)

// parseDate parses a trimmed ISO date (YYYY-MM-DD), optionally followed by a midnight time.
func parseDate(s string) (int32, dateResult) {
	if len(s) < 10 {
		return 0, dateBad
	}
	d, ok := parseISODate(s[:10])
	if !ok {
		return 0, dateBad
	}
	if len(s) == 10 {
		return d, dateOK
	}
	if s[10] != 'T' && s[10] != 't' && s[10] != ' ' {
		return 0, dateBad
	}
	return d, checkMidnight(s[11:])
}

// checkMidnight accepts hh:mm[:ss[.fff]] followed by nothing, Z or an offset ±hh[:mm], and
// reports whether the time is midnight.
func checkMidnight(t string) dateResult {
	if len(t) < 5 || t[2] != ':' {
		return dateBad
	}
	zero := true
	i := 0
	for part := 0; part < 3 && i+2 <= len(t); part++ {
		if !isDigit(t[i]) || !isDigit(t[i+1]) {
			return dateBad
		}
		zero = zero && t[i] == '0' && t[i+1] == '0'
		i += 2
		if i < len(t) && t[i] == ':' && part < 2 {
			i++
			continue
		}
		break
	}
	if t[i-1] == ':' {
		return dateBad // "00:00:"
	}
	if i < len(t) && t[i] == '.' {
		i++
		j := i
		for ; i < len(t) && isDigit(t[i]); i++ {
			zero = zero && t[i] == '0'
		}
		if i == j {
			return dateBad
		}
	}
	if !validZone(t[i:]) {
		return dateBad
	}
	if !zero {
		return dateHasTime
	}
	return dateOK
}

func validZone(z string) bool {
	switch {
	case z == "", z == "Z", z == "z":
		return true
	case len(z) == 3 || len(z) == 5 || len(z) == 6:
		if z[0] != '+' && z[0] != '-' {
			return false
		}
		digits := 0
		for i := 1; i < len(z); i++ {
			switch {
			case isDigit(z[i]):
				digits++
			case z[i] == ':' && i == 3 && len(z) == 6:
			default:
				return false
			}
		}
		return digits == 2 || digits == 4
	}
	return false
}

// parseISODate parses exactly YYYY-MM-DD into days since 1970-01-01.
func parseISODate(s string) (int32, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

func digits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date
// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// dayOf returns the days since 1970-01-01 of t's calendar date in t's own location.
func dayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return daysFromCivil(y, int(m), d)
}

// civilFromDays formats days since 1970-01-01 as YYYY-MM-DD (for messages).
func civilFromDays(days int32) string {
	return time.Unix(int64(days)*86400, 0).UTC().Format(time.DateOnly)
}

// maxFoldLen is the longest enum or boolean text looked up case-insensitively.
const maxFoldLen = 32

// lowerInto writes the ASCII-lower-cased s into buf and returns the used part, or false when
// s is too long or not ASCII (no enum value or boolean text is).
func lowerInto(buf *[maxFoldLen]byte, s string) ([]byte, bool) {
	if len(s) > maxFoldLen {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return nil, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}
