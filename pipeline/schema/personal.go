package schema

import (
	"strings"
	"unicode"
)

// ValueLooksPersonal reports whether a value (of a column the schema does not know) looks like
// contact data or free text: an e-mail address, a phone number (9 to 15 digits, or 7 after a
// leading + or parenthesis, with only spaces, dots, hyphens and parentheses besides), or prose (at least four
// words, mostly letters). The ingest samples unknown columns with it, so that a warning can name
// a column whose content, not only whose name, looks personal (DESIGN.md section 3). It is a
// heuristic for a warning, never a reason to reject a row.
func ValueLooksPersonal(value string) bool {
	v := strings.TrimSpace(value)
	return looksEmail(v) || looksPhone(v) || looksProse(v)
}

func looksEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || strings.ContainsAny(v, " \t") {
		return false
	}
	dot := strings.LastIndexByte(v[at+1:], '.')
	return dot > 0 && dot < len(v[at+1:])-1
}

func looksPhone(v string) bool {
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, strings.ContainsRune(" .-()", r):
		default:
			return false
		}
	}
	explicit := strings.HasPrefix(v, "+") || strings.HasPrefix(v, "(")
	return digits >= 9 && digits <= 15 || explicit && digits >= 7 && digits <= 15
}

func looksProse(v string) bool {
	words, letters, other := 0, 0, 0
	inWord := false
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
			if !inWord {
				words++
			}
			inWord = true
		case unicode.IsSpace(r):
			inWord = false
		default:
			other++
		}
	}
	return words >= 4 && letters > 3*other
}
