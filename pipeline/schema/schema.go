package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cstoutcomes/outcomes/schemas"
)

// PII classes of a field (x-pii).
const (
	PIIIdentifier = "identifier" // never stored; masked in violations
	PIIQuasi      = "quasi"      // quasi-identifier: published only under disclosure control
	PIIOutcome    = "outcome"    // analysis data
)

// Field describes one column of a schema, as the schema file states it.
type Field struct {
	Name        string
	Title       string
	Description string
	Type        string // Frictionless type: string, integer, number, date, boolean
	Required    bool
	Minimum     string   // as written in the schema ("0", "2000-01-01"); "" for none
	Maximum     string   // as written; "" for none
	Enum        []string // allowed values as text (for integers, their decimal form)
	Aliases     []string // x-aliases
	PII         string   // x-pii: PIIIdentifier, PIIQuasi or PIIOutcome
	Unit        string   // x-unit
}

// Schema is a loaded, compiled schema version. It is immutable and safe for concurrent use.
type Schema struct {
	version    int
	name       string
	raw        []byte
	fields     []Field
	derived    []Field
	primaryKey []string
	specs      []spec         // compiled, parallel to fields
	byName     map[string]int // normalised name or alias → field index
	missing    missingSet
	cross      crossRule
	profile    meanRule
}

// Version returns the schema version (the N of sessions.vN.json).
func (s *Schema) Version() int { return s.version }

// Name returns the table name ("sessions").
func (s *Schema) Name() string { return s.name }

// Fields returns the source fields, in schema order. The slice must not be modified.
func (s *Schema) Fields() []Field { return s.fields }

// Derived returns the fields the ingest derives (mymop_profile).
func (s *Schema) Derived() []Field { return s.derived }

// PrimaryKey returns the natural key's field names.
func (s *Schema) PrimaryKey() []string { return slices.Clone(s.primaryKey) }

// Field returns the field with the given schema name.
func (s *Schema) Field(name string) (Field, bool) {
	for _, f := range s.fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// JSON returns a copy of the schema file as embedded (what `outcomes schema show` prints).
func (s *Schema) JSON() []byte { return bytes.Clone(s.raw) }

// Describe writes the schema file, indented, to w.
func (s *Schema) Describe(w io.Writer) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, s.raw, "", "  "); err != nil {
		return err
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

var cache sync.Map // version → *loadResult

type loadResult struct {
	once sync.Once
	s    *Schema
	err  error
}

// Load returns schema version v from the embedded files (cached after the first call).
func Load(v int) (*Schema, error) {
	r, _ := cache.LoadOrStore(v, &loadResult{})
	lr := r.(*loadResult)
	lr.once.Do(func() {
		raw, err := fs.ReadFile(schemas.FS, fileName(v))
		if err != nil {
			lr.err = fmt.Errorf("schema: no version %d (have %v)", v, Versions())
			return
		}
		lr.s, lr.err = parse(raw)
		if lr.err == nil && lr.s.version != v {
			lr.s, lr.err = nil, fmt.Errorf("schema: %s declares x-version %d", fileName(v), lr.s.version)
		}
		if lr.err != nil {
			lr.err = fmt.Errorf("%s: %w", fileName(v), lr.err)
		}
	})
	return lr.s, lr.err
}

// Latest returns the newest embedded schema. It panics if that schema does not load, which
// tests rule out (the schema is compiled into the binary).
func Latest() *Schema {
	vs := Versions()
	if len(vs) == 0 {
		panic("schema: no schema embedded")
	}
	s, err := Load(vs[len(vs)-1])
	if err != nil {
		panic(err)
	}
	return s
}

// Versions lists the embedded schema versions, ascending.
func Versions() []int {
	names, _ := fs.Glob(schemas.FS, "sessions.v*.json")
	var vs []int
	for _, n := range names {
		v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(n, "sessions.v"), ".json"))
		if err == nil && v > 0 {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs
}

func fileName(v int) string { return fmt.Sprintf("sessions.v%d.json", v) }

// The schema file, as far as this package reads it.
type fileSchema struct {
	Name          string      `json:"name"`
	Version       int         `json:"x-version"`
	Fields        []fileField `json:"fields"`
	MissingValues []string    `json:"missingValues"`
	PrimaryKey    []string    `json:"primaryKey"`
	Rules         []fileRule  `json:"x-rules"`
	Derived       []fileField `json:"x-derived"`
}

type fileField struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Type        string   `json:"type"`
	Format      string   `json:"format"`
	TrueValues  []string `json:"trueValues"`
	FalseValues []string `json:"falseValues"`
	Constraints struct {
		Required  bool              `json:"required"`
		MaxLength int               `json:"maxLength"`
		Minimum   json.RawMessage   `json:"minimum"`
		Maximum   json.RawMessage   `json:"maximum"`
		Enum      []json.RawMessage `json:"enum"`
	} `json:"constraints"`
	Aliases         []string `json:"x-aliases"`
	PII             string   `json:"x-pii"`
	Unit            string   `json:"x-unit"`
	CaseInsensitive bool     `json:"x-caseInsensitive"`
	MaximumRef      string   `json:"x-maximum"`
}

type fileRule struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Rule Rule   `json:"rule"`
	// Field is the rule's target.
	Field string `json:"field"`
	When  *struct {
		Field string   `json:"field"`
		NotIn []string `json:"notIn"`
	} `json:"when"`
	Fields   []string `json:"fields"`
	Requires []string `json:"requires"`
}

// parse reads and compiles a schema file.
func parse(raw []byte) (*Schema, error) {
	var fsch fileSchema
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fsch); err != nil {
		return nil, fmt.Errorf("schema: parse: %w", err)
	}
	s := &Schema{
		version: fsch.Version, name: fsch.Name, raw: raw,
		primaryKey: fsch.PrimaryKey,
		missing:    newMissingSet(fsch.MissingValues),
		byName:     map[string]int{},
	}
	if err := s.compileFields(fsch.Fields); err != nil {
		return nil, err
	}
	for _, f := range fsch.Derived {
		s.derived = append(s.derived, describeField(f))
	}
	if err := s.compileRules(fsch.Rules); err != nil {
		return nil, err
	}
	for _, k := range s.primaryKey {
		if _, ok := s.Field(k); !ok {
			return nil, fmt.Errorf("schema: primary key field %q not in fields", k)
		}
	}
	return s, nil
}

func (s *Schema) compileFields(ffs []fileField) error {
	var seen [numSlots]bool
	for i, ff := range ffs {
		sp, err := compileField(ff)
		if err != nil {
			return fmt.Errorf("schema: field %q: %w", ff.Name, err)
		}
		if seen[sp.slot] {
			return fmt.Errorf("schema: field %q listed twice", ff.Name)
		}
		seen[sp.slot] = true
		s.specs = append(s.specs, sp)
		s.fields = append(s.fields, describeField(ff))
		for _, n := range append([]string{ff.Name}, ff.Aliases...) {
			k := normalize(n)
			if j, dup := s.byName[k]; dup && j != i {
				return fmt.Errorf("schema: name %q of field %q is also a name of field %q", n, ff.Name, ffs[j].Name)
			}
			s.byName[k] = i
		}
	}
	for sl, ok := range seen {
		if !ok {
			return fmt.Errorf("schema: no field %q", slotInfo[sl].name)
		}
	}
	return nil
}

func describeField(ff fileField) Field {
	f := Field{
		Name: ff.Name, Title: ff.Title, Description: ff.Description, Type: ff.Type,
		Required: ff.Constraints.Required, Aliases: ff.Aliases, PII: ff.PII, Unit: ff.Unit,
		Minimum: rawText(ff.Constraints.Minimum), Maximum: rawText(ff.Constraints.Maximum),
	}
	for _, e := range ff.Constraints.Enum {
		f.Enum = append(f.Enum, rawText(e))
	}
	return f
}

// rawText returns a JSON scalar as text: strings unquoted, numbers as written.
func rawText(r json.RawMessage) string {
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

func (s *Schema) index(name string) int {
	for i, f := range s.fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
