package schema

import (
	"fmt"
	"strings"
	"time"
)

// DateLayout returns the Go time layout of a date format ([Options].DateFormat, the
// ingest.date_format key, the --date-format flag), which is written either
//
//   - as a pattern: dd, mm and yyyy (or yy) in any order, joined by one of / . - or a
//     space: "dd/mm/yyyy", "mm/dd/yyyy", "dd.mm.yy". Day and month then take one or two
//     digits ("1/3/2024" and "01/03/2024" both read with "dd/mm/yyyy"); or
//   - as a Go layout: "02/01/2006" (day, month and year must all be in it).
//
// "" gives "" (ISO 8601 only). Anything else is an error that says what is allowed.
func DateLayout(format string) (string, error) {
	if format == "" {
		return "", nil
	}
	if l, ok := patternLayout(format); ok {
		return l, nil
	}
	// A Go layout: it must read back a date whose day and month cannot be swapped.
	ref := time.Date(2024, 11, 23, 0, 0, 0, 0, time.UTC)
	if t, err := time.Parse(format, ref.Format(format)); err == nil && t.Equal(ref) {
		return format, nil
	}
	return "", fmt.Errorf("%q is not a date format; write it as dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy or dd-mm-yy, "+
		"or as a Go layout such as 02/01/2006", format)
}

// patternLayout translates a dd/mm/yyyy pattern (see [DateLayout]) into a Go layout.
func patternLayout(format string) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(format))
	i := strings.IndexAny(f, "/.- ")
	if i < 0 {
		return "", false
	}
	sep := f[i : i+1]
	parts := strings.Split(f, sep)
	if len(parts) != 3 {
		return "", false
	}
	var day, month, year bool
	for i, p := range parts {
		switch p {
		case "dd", "d":
			parts[i], day = "2", !day
		case "mm", "m":
			parts[i], month = "1", !month
		case "yyyy":
			parts[i], year = "2006", !year
		case "yy":
			parts[i], year = "06", !year
		default:
			return "", false
		}
	}
	if !day || !month || !year {
		return "", false
	}
	return strings.Join(parts, sep), true
}

// dateStats records how the session dates of a file parsed, for [Validator.DateFormatHint].
type dateStats struct {
	seen    int // non-empty dates
	numeric int // dates that did not parse and read as day, month and year in some order
	// what the numeric ones have in common
	firstOver12, secondOver12 bool // a first (second) number above 12: it cannot be a month
	sep                       byte // their separator; 0 when they differ
	yearDigits                int  // 2 or 4; -1 when they differ
}

// failed records a date that did not parse as ISO 8601 (nor in the configured layout).
func (s *dateStats) failed(val string) {
	a, b, sep, yd, ok := numericDate(val)
	if !ok {
		return
	}
	if s.numeric == 0 {
		s.sep, s.yearDigits = sep, yd
	}
	if s.sep != sep {
		s.sep = 0
	}
	if s.yearDigits != yd {
		s.yearDigits = -1
	}
	s.firstOver12 = s.firstOver12 || a > 12
	s.secondOver12 = s.secondOver12 || b > 12
	s.numeric++
}

// hint returns the date format that reads every date seen, when every one failed and all
// read as numbers in one order with one separator: day first ("dd/mm/yyyy") unless some
// second number is above 12 and no first one is ("mm/dd/yyyy"). "" otherwise.
func (s *dateStats) hint() string {
	if s.seen == 0 || s.numeric != s.seen || s.sep == 0 || s.yearDigits < 0 || (s.firstOver12 && s.secondOver12) {
		return ""
	}
	year := "yyyy"
	if s.yearDigits == 2 {
		year = "yy"
	}
	sep := string(s.sep)
	if s.secondOver12 {
		return "mm" + sep + "dd" + sep + year
	}
	return "dd" + sep + "mm" + sep + year
}

// numericDate splits "31/01/2024" (or 31.1.24, 31-01-2024) into its two leading numbers,
// the separator and the number of year digits; ok is false for anything else, or when
// neither order could be a date (both numbers above 12, a zero, above 31).
func numericDate(s string) (a, b int, sep byte, yearDigits int, ok bool) {
	num := func(s string, min, max int) (n int, rest string, ok bool) {
		i := 0
		for i < len(s) && i < max && isDigit(s[i]) {
			n = n*10 + int(s[i]-'0')
			i++
		}
		return n, s[i:], i >= min
	}
	a, rest, ok := num(s, 1, 2)
	if !ok || len(rest) == 0 || !strings.ContainsRune("/.-", rune(rest[0])) {
		return 0, 0, 0, 0, false
	}
	sep = rest[0]
	b, rest, ok = num(rest[1:], 1, 2)
	if !ok || len(rest) == 0 || rest[0] != sep {
		return 0, 0, 0, 0, false
	}
	year := rest[1:]
	_, rest, ok = num(year, 2, 4)
	yearDigits = len(year) - len(rest)
	if !ok || rest != "" || (yearDigits != 2 && yearDigits != 4) ||
		a < 1 || b < 1 || a > 31 || b > 31 || (a > 12 && b > 12) {
		return 0, 0, 0, 0, false
	}
	return a, b, sep, yearDigits, true
}

// DateHintText is the advice for a file whose dates all fail and read in the given
// format (from [Validator.DateFormatHint]): it names the flag and the configuration key.
func DateHintText(format string) string {
	first := "day"
	if strings.HasPrefix(format, "m") {
		first = "month"
	}
	return fmt.Sprintf("every date of this file fails like this: if the file writes dates %s first, "+
		"ingest it with --date-format %s (or set ingest.date_format: %s in outcomes.yaml)", first, format, format)
}
