package measures

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"

	"github.com/cstoutcomes/outcomes/schemas"
)

// FileName is the name of the embedded reference in schemas.FS.
const FileName = "measures.json"

// Directions of a field, as measures.json spells them.
const (
	HigherIsWorse  = "higher_is_worse"
	HigherIsBetter = "higher_is_better"
)

// Reference is the parsed outcome-measure reference.
type Reference struct {
	SchemaVersion string
	fields        map[string]*Field
	responders    map[string]*Responder
	order         []string // responder ids in file order
}

// Field is one field of the session record as measures.json describes it.
type Field struct {
	Name      string
	Type      string
	Direction string   // HigherIsWorse, HigherIsBetter, not_applicable or ""
	MCIDAbs   *float64 // nil: no absolute MCID established
	MCIDPct   *float64 // nil: no percentage MCID established
	// ResponderRules are the ids of the field's responder definitions, in file order.
	ResponderRules []string
	// Values are the allowed values of an enum field, in file order (ordered enums such as
	// adverse_event go from best to worst).
	Values  []string
	Sources []string
}

// Responder is one responder definition.
type Responder struct {
	ID          string
	Field       string // "pain" for pain_before/pain_after, else the field name
	Rule        string // the rule as text, e.g. "(pain_before - pain_after) / pain_before >= 0.30"
	EvaluableIf string // "always" or an expression
	Evidence    string
	Default     bool
	Sources     []string
}

type fileJSON struct {
	RecordSchemaVersion string `json:"record_schema_version"`
	Fields              map[string]struct {
		Type           string   `json:"type"`
		Direction      string   `json:"direction"`
		MCIDAbs        *float64 `json:"mcid_abs"`
		MCIDPct        *float64 `json:"mcid_pct"`
		ResponderRules []string `json:"responder_rules"`
		AllowedValues  []any    `json:"allowed_values"`
		Sources        []string `json:"sources"`
	} `json:"fields"`
	Responders []struct {
		ID          string   `json:"id"`
		Field       string   `json:"field"`
		Rule        string   `json:"rule"`
		EvaluableIf string   `json:"evaluable_if"`
		Evidence    string   `json:"evidence"`
		Default     bool     `json:"default"`
		Sources     []string `json:"sources"`
	} `json:"responder_definitions"`
}

// Load parses the embedded schemas/measures.json.
func Load() (*Reference, error) {
	b, err := fs.ReadFile(schemas.FS, FileName)
	if err != nil {
		return nil, fmt.Errorf("measures: %w", err)
	}
	return Parse(b)
}

// Parse parses a measures.json document. Every responder id a field names must be defined.
func Parse(b []byte) (*Reference, error) {
	var f fileJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("measures: %w", err)
	}
	ref := &Reference{SchemaVersion: f.RecordSchemaVersion, fields: map[string]*Field{}, responders: map[string]*Responder{}}
	for _, r := range f.Responders {
		ref.responders[r.ID] = &Responder{ID: r.ID, Field: r.Field, Rule: r.Rule, EvaluableIf: r.EvaluableIf,
			Evidence: r.Evidence, Default: r.Default, Sources: r.Sources}
		ref.order = append(ref.order, r.ID)
	}
	for name, fj := range f.Fields {
		fd := &Field{Name: name, Type: fj.Type, Direction: fj.Direction, MCIDAbs: fj.MCIDAbs, MCIDPct: fj.MCIDPct,
			ResponderRules: fj.ResponderRules, Sources: fj.Sources}
		for _, v := range fj.AllowedValues {
			if s, ok := v.(string); ok {
				fd.Values = append(fd.Values, s)
			}
		}
		for _, id := range fj.ResponderRules {
			if ref.responders[id] == nil {
				return nil, fmt.Errorf("measures: field %s: responder rule %q is not defined", name, id)
			}
		}
		ref.fields[name] = fd
	}
	return ref, nil
}

// Field returns the field named name, or nil.
func (r *Reference) Field(name string) *Field { return r.fields[name] }

// FieldNames returns the names of all fields, sorted.
func (r *Reference) FieldNames() []string {
	names := make([]string, 0, len(r.fields))
	for n := range r.fields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Responder returns the responder definition with the given id, or nil.
func (r *Reference) Responder(id string) *Responder { return r.responders[id] }

// Responders returns every responder definition in file order.
func (r *Reference) Responders() []*Responder {
	out := make([]*Responder, len(r.order))
	for i, id := range r.order {
		out[i] = r.responders[id]
	}
	return out
}

// HasMCID reports whether the field has an established MCID (absolute or percentage).
func (f *Field) HasMCID() bool { return f.MCIDAbs != nil || f.MCIDPct != nil }

// DefaultResponder returns the field's default responder rule (the one of its
// ResponderRules marked "default"), or nil when it has none (sleep_quality).
func (r *Reference) DefaultResponder(field string) *Responder {
	f := r.fields[field]
	if f == nil {
		return nil
	}
	for _, id := range f.ResponderRules {
		if rr := r.responders[id]; rr.Default {
			return rr
		}
	}
	return nil
}

// WorseRule returns the field's deterioration rule: the rule whose id ends in "_worse" among
// its ResponderRules (pain_worse), with mirrored false; or else its default responder rule,
// with mirrored true, meaning it is to be applied in the worse direction
// ([Responder.EvaluateMirrored]). It returns nil when the field has neither.
func (r *Reference) WorseRule(field string) (rule *Responder, mirrored bool) {
	f := r.fields[field]
	if f == nil {
		return nil, false
	}
	for _, id := range f.ResponderRules {
		if len(id) > 6 && id[len(id)-6:] == "_worse" {
			return r.responders[id], false
		}
	}
	if d := r.DefaultResponder(field); d != nil {
		return d, true
	}
	return nil, false
}
