package notebook

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ParamType is the type of a parameter: how its text is read and how it is bound.
type ParamType string

// The parameter types, and the Go value each is bound as.
const (
	String ParamType = "string" // string
	Int    ParamType = "int"    // int64
	Float  ParamType = "float"  // float64
	Bool   ParamType = "bool"   // bool (true, false, 1, 0, t, f)
	Date   ParamType = "date"   // time.Time at midnight UTC, from 2006-01-02
)

var paramTypes = []ParamType{String, Int, Float, Bool, Date}

// Param is one parameter the front matter declares.
type Param struct {
	Name        string
	Type        ParamType
	Default     string // the default as text; "" with HasDefault false: the run must give a value
	HasDefault  bool
	Description string
}

// ErrParam marks a parameter error the user can fix: an unknown name, a value that is not
// of the parameter's type, a parameter without a default that was not given.
var ErrParam = errors.New("notebook: bad parameter")

// ParamError is a parameter the run cannot use; it names the parameter.
type ParamError struct {
	Name string
	Err  error
}

func (e *ParamError) Error() string   { return fmt.Sprintf("parameter %s: %v", e.Name, e.Err) }
func (e *ParamError) Unwrap() []error { return []error{e.Err, ErrParam} }

// newParam checks a front-matter entry.
func newParam(name string, spec paramSpec) (Param, error) {
	p := Param{Name: name, Type: ParamType(spec.Type), Description: spec.Description}
	if spec.Type == "" {
		p.Type = String
	}
	if !slices.Contains(paramTypes, p.Type) {
		return p, fmt.Errorf("%s: type %q: allowed: string, int, float, bool, date", name, spec.Type)
	}
	if spec.Default.Kind != 0 {
		if spec.Default.Kind != yaml.ScalarNode {
			return p, fmt.Errorf("%s: default: want a single value", name)
		}
		p.Default, p.HasDefault = spec.Default.Value, true
		if _, err := p.Parse(p.Default); err != nil {
			return p, fmt.Errorf("%s: default: %w", name, err)
		}
	}
	return p, nil
}

// Parse reads a value of the parameter's type from text.
func (p Param) Parse(s string) (any, error) {
	switch p.Type {
	case Int:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an int", s)
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a float", s)
		}
		return f, nil
	case Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a bool (true or false)", s)
		}
		return b, nil
	case Date:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		return t, nil
	}
	return s, nil
}

// Value is a parameter's value for one run.
type Value struct {
	Param
	Text  string // the value as given (or the default)
	Value any    // as Parse read it: the value bound to $name
}

// Bind resolves the values of a run: given (name → text, from -p name=value) over the
// defaults. An unknown name, a value not of its type or a parameter without default and
// value is a *ParamError. The result is in front-matter order.
func (nb *Notebook) Bind(given map[string]string) ([]Value, error) {
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if !slices.ContainsFunc(nb.Params, func(p Param) bool { return p.Name == name }) {
			return nil, &ParamError{Name: name, Err: fmt.Errorf("unknown: %s", nb.declared())}
		}
	}
	vals := make([]Value, 0, len(nb.Params))
	for _, p := range nb.Params {
		text, ok := given[p.Name]
		if !ok && !p.HasDefault {
			return nil, &ParamError{Name: p.Name, Err: fmt.Errorf("no default: give a %s with -p %s=VALUE", p.Type, p.Name)}
		}
		if !ok {
			text = p.Default
		}
		v, err := p.Parse(text)
		if err != nil {
			return nil, &ParamError{Name: p.Name, Err: err}
		}
		vals = append(vals, Value{Param: p, Text: text, Value: v})
	}
	return vals, nil
}

// declared lists the notebook's parameters for a message.
func (nb *Notebook) declared() string {
	if len(nb.Params) == 0 {
		return "the notebook declares no parameters"
	}
	names := make([]string, len(nb.Params))
	for i, p := range nb.Params {
		names[i] = p.Name + " (" + string(p.Type) + ")"
	}
	return "the notebook declares " + strings.Join(names, ", ")
}

// ParseAssignments reads -p name=value flags into a map; a flag without = or given twice is
// a *ParamError.
func ParseAssignments(flags []string) (map[string]string, error) {
	m := make(map[string]string, len(flags))
	for _, f := range flags {
		name, val, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, &ParamError{Name: f, Err: errors.New("want name=value")}
		}
		if _, dup := m[name]; dup {
			return nil, &ParamError{Name: name, Err: errors.New("given twice")}
		}
		m[name] = val
	}
	return m, nil
}
