package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Mapping says which source column feeds each schema field. Build it with [Schema.Map].
type Mapping struct {
	// Header is the source header, copied.
	Header []string
	// Index[i] is the 0-based source column of Fields()[i], or -1 when the file has none.
	Index []int
	// Unknown lists the source columns the schema does not know, in source order. They are
	// never stored; the ingest report names them. A column without a name is listed as
	// "column N" (1-based).
	Unknown []string
	// PII lists the unknown columns whose name looks like contact data or free text (name,
	// email, phone, address, postcode, notes, comments, date of birth, ...): the ingest warns
	// about them by name.
	PII []string

	schema *Schema
}

// Column returns the 0-based source column of the named schema field, or -1.
func (m *Mapping) Column(field string) int {
	i := m.schema.index(field)
	if i < 0 {
		return -1
	}
	return m.Index[i]
}

// MissingColumn is a required field the header lacks, with the names that would have been
// accepted for it.
type MissingColumn struct {
	Field    string
	Accepted []string
}

// MissingColumnsError rejects a file whose header lacks required columns.
type MissingColumnsError struct {
	Missing []MissingColumn
}

func (e *MissingColumnsError) Error() string {
	var b strings.Builder
	b.WriteString("missing required column")
	if len(e.Missing) > 1 {
		b.WriteByte('s')
	}
	b.WriteString(": ")
	for i, m := range e.Missing {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (accepted names: %s)", m.Field, strings.Join(m.Accepted, ", "))
	}
	b.WriteString("; names are matched ignoring case, spaces, underscores and hyphens")
	return b.String()
}

// UnmatchedHeaderError rejects a file none of whose column names is a field of the schema
// (or an alias of one): the file has no header row, or is not a session export at all (a
// letter saved as text). It stands instead of the [MissingColumnsError], whose list of every
// required column and its aliases would bury the point.
type UnmatchedHeaderError struct {
	Columns int      // how many columns the file's first row has
	Example []string // the first required fields, for the message
}

func (e *UnmatchedHeaderError) Error() string {
	s := "s"
	if e.Columns == 1 {
		s = ""
	}
	return fmt.Sprintf("no header row matches the schema's columns: none of the %d name%s in the first row is a column of the schema; "+
		"a session export starts with a header row such as %s,... (outcomes schema show lists the columns)",
		e.Columns, s, strings.Join(e.Example, ","))
}

// DuplicateColumns is a schema field that more than one source column maps to.
type DuplicateColumns struct {
	Field   string
	Columns []string // the source names, as in the header
	Indexes []int    // their 1-based positions
}

// DuplicateColumnsError rejects a file in which two columns map to one field (such as
// "pain_before" and "Pain Before"): which one is meant cannot be known.
type DuplicateColumnsError struct {
	Duplicates []DuplicateColumns
}

func (e *DuplicateColumnsError) Error() string {
	var b strings.Builder
	for i, d := range e.Duplicates {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("columns ")
		for j, c := range d.Columns {
			if j > 0 {
				b.WriteString(" and ")
			}
			fmt.Fprintf(&b, "%q (column %d)", c, d.Indexes[j])
		}
		fmt.Fprintf(&b, " all map to field %s; keep one", d.Field)
	}
	return b.String()
}

// Map matches source column names to schema fields: each name is normalised (lower-cased;
// spaces, underscores and hyphens dropped) and compared with the normalised names and
// x-aliases of the fields. It returns a *MissingColumnsError when a required field has no
// column and a *DuplicateColumnsError when two columns map to one field (joined when both
// happen), or an *UnmatchedHeaderError when no column at all is a field; the file is then
// rejected before any row is read.
func (s *Schema) Map(header []string) (*Mapping, error) {
	m := &Mapping{Header: make([]string, len(header)), Index: make([]int, len(s.fields)), schema: s}
	for i := range m.Index {
		m.Index[i] = -1
	}
	dups := map[int][]int{} // field → source columns, when more than one
	for col, h := range header {
		h = strings.Clone(h)
		m.Header[col] = h
		fi, ok := s.byName[normalize(h)]
		if !ok {
			m.addUnknown(col, h)
			continue
		}
		if m.Index[fi] >= 0 {
			if dups[fi] == nil {
				dups[fi] = []int{m.Index[fi]}
			}
			dups[fi] = append(dups[fi], col)
			continue
		}
		m.Index[fi] = col
	}
	if len(header) > 0 && !slices.ContainsFunc(m.Index, func(col int) bool { return col >= 0 }) {
		return m, s.unmatchedError(len(header))
	}
	return m, joinErrors(s.missingError(m), s.duplicateError(m, dups))
}

func (s *Schema) unmatchedError(columns int) error {
	e := &UnmatchedHeaderError{Columns: columns}
	for _, f := range s.fields {
		if f.Required && len(e.Example) < 3 {
			e.Example = append(e.Example, f.Name)
		}
	}
	return e
}

func (m *Mapping) addUnknown(col int, name string) {
	if strings.TrimSpace(name) == "" {
		m.Unknown = append(m.Unknown, "column "+strconv.Itoa(col+1))
		return
	}
	m.Unknown = append(m.Unknown, name)
	if nameLooksPersonal(name) {
		m.PII = append(m.PII, name)
	}
}

func (s *Schema) missingError(m *Mapping) error {
	var e MissingColumnsError
	for i, f := range s.fields {
		if f.Required && m.Index[i] < 0 {
			e.Missing = append(e.Missing, MissingColumn{Field: f.Name, Accepted: append([]string{f.Name}, f.Aliases...)})
		}
	}
	if len(e.Missing) == 0 {
		return nil
	}
	return &e
}

func (s *Schema) duplicateError(m *Mapping, dups map[int][]int) error {
	var e DuplicateColumnsError
	for fi := range s.fields { // schema order, not map order
		cols, ok := dups[fi]
		if !ok {
			continue
		}
		d := DuplicateColumns{Field: s.fields[fi].Name}
		for _, c := range cols {
			d.Columns = append(d.Columns, m.Header[c])
			d.Indexes = append(d.Indexes, c+1)
		}
		e.Duplicates = append(e.Duplicates, d)
	}
	if len(e.Duplicates) == 0 {
		return nil
	}
	return &e
}

func joinErrors(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return fmt.Errorf("%w; %w", a, b)
}

// Words in a column name that suggest contact data or free text.
var (
	// personalWords must equal a word of the name ("tel" but not "hotel").
	personalWords = map[string]bool{
		"name": true, "names": true, "surname": true, "forename": true, "firstname": true,
		"lastname": true, "fullname": true, "email": true, "mail": true, "phone": true,
		"telephone": true, "tel": true, "mobile": true, "cell": true, "fax": true,
		"address": true, "street": true, "postcode": true, "zip": true, "zipcode": true,
		"city": true, "town": true, "notes": true, "note": true, "comment": true,
		"comments": true, "remark": true, "remarks": true, "dob": true, "birth": true,
		"birthday": true, "birthdate": true, "nhs": true, "ssn": true, "contact": true,
		"description": true, "text": true, "memo": true, "observations": true,
	}
	// personalParts may appear anywhere in the normalised name ("clientemail", "e-mail").
	personalParts = []string{"name", "email", "phone", "mobile", "address", "street", "postcode",
		"postalcode", "zipcode", "comment", "remark", "note", "birth", "dateofbirth"}
)

// looksPersonal reports whether a column name suggests contact data or free text.
func nameLooksPersonal(name string) bool {
	for _, w := range words(name) {
		if personalWords[w] {
			return true
		}
	}
	n := normalize(name)
	for _, p := range personalParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// words splits a column name at non-letters-or-digits and at lower-to-upper case changes
// ("clientEmail" → client, email), lower-cased.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}
