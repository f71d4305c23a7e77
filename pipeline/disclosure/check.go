package disclosure

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// codeRE is what a name or level may look like: a code, not prose.
	codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+.:-]{0,39}$`)
	// hexRE finds a pseudonymous key (32 hex digits, DESIGN.md section 5) or a longer hash.
	hexRE = regexp.MustCompile(`[0-9A-Fa-f]{32}`)
	// dayRE finds a date with a day (ISO, or d/m/y) or a time of day.
	dayRE     = regexp.MustCompile(`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}|\d{8}`)
	monthRE   = regexp.MustCompile(`(^|[^0-9])\d{4}-?(0[1-9]|1[0-2]|M\d{1,2})($|[^0-9])`)
	quarterRE = regexp.MustCompile(`\d{4}-?Q[1-4]`)
	// keyWords are name parts that mark a column of identifiers.
	keyWords = map[string]bool{"key": true, "keys": true, "id": true, "ids": true, "hash": true, "pseudonym": true, "name": true, "email": true, "note": true, "notes": true, "comment": true, "comments": true, "text": true}
)

// Check refuses a table that may never be published, whatever its counts: a table, dimension
// or statistic named like an identifier or free text (practitioner_key, client_id, notes: any
// "_"-separated part key, id, hash, name, email, note, comment, text), and a level that is not
// a short code (letters, digits, _ + . : -, at most 40; so no free text), that contains 32 hex
// digits (a client_key or practitioner_key), or that names a date finer than
// cfg.DateGranularity (a day or a time of day is always refused). The error wraps
// ErrForbidden and names the table and the dimension, never the value.
func Check(cfg Config, t *Table) error {
	cfg, err := cfg.resolve()
	if err != nil {
		return err
	}
	names := append([]string{t.name}, t.Dims()...)
	for _, n := range append(names, t.statNames...) {
		if err := checkName(n); err != nil {
			return fmt.Errorf("%w: table %s: %s", ErrForbidden, t.name, err)
		}
	}
	for _, d := range t.dims {
		for k, nd := range d.nodes {
			if why := checkLevel(cfg, nd.name); why != "" {
				return fmt.Errorf("%w: table %s: dimension %s: level %d %s", ErrForbidden, t.name, d.name, k+1, why)
			}
		}
	}
	return nil
}

func checkName(n string) error {
	if !codeRE.MatchString(n) {
		return fmt.Errorf("name %q is not a code", n)
	}
	for _, part := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if keyWords[part] {
			return fmt.Errorf("name %q looks like an identifier or free-text column", n)
		}
	}
	return nil
}

// checkLevel says what is wrong with a level name, without repeating it (it could be a
// key); "" when nothing is.
func checkLevel(cfg Config, l string) string {
	switch {
	case hexRE.MatchString(l):
		return "looks like a pseudonymous key"
	case !codeRE.MatchString(l):
		return "is not a short code (free text?)"
	case dayRE.MatchString(l):
		return "names a day or a time"
	case cfg.DateGranularity != Month && monthRE.MatchString(l):
		return "names a month; allowed: " + cfg.DateGranularity
	case cfg.DateGranularity == Year && quarterRE.MatchString(l):
		return "names a quarter; allowed: year"
	}
	return ""
}
