package publish

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/schemas"
)

// missingLevel is the published name of the summary's "(missing)" subgroup level: the
// parentheses are not allowed in a published level (disclosure.Check).
const missingLevel = "missing"

// groupSuffix names a complaint group apart from its leaves: presenting_complaint's
// public_group "headache" also holds the code "headache" (disclosure.Grouped).
const groupSuffix = "_group"

// anyEvent is the severity subtotal over every adverse event other than none.
const anyEvent = "any_adverse_event"

// notRecorded is the severity leaf of sessions whose adverse_event is null.
const notRecorded = "not_recorded"

// vocabulary is what the public tables take from measures.json: the levels of each
// dimension, in the file's order, and the public group of each complaint.
type vocabulary struct {
	Complaints []string
	Group      map[string]string // complaint → public_group
	Modalities []string
	Severities []string // adverse_event values, none first
}

// loadVocabulary reads the embedded measures.json (schemas.FS).
func loadVocabulary() (*vocabulary, error) {
	b, err := schemas.FS.ReadFile("measures.json")
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	type field struct {
		AllowedValues []string `json:"allowed_values"`
		Codes         map[string]struct {
			PublicGroup string `json:"public_group"`
		} `json:"codes"`
	}
	var m struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("publish: measures.json: %w", err)
	}
	var pc, mod, sev field
	for name, f := range map[string]*field{"presenting_complaint": &pc, "modality": &mod, "adverse_event": &sev} {
		if err := json.Unmarshal(m.Fields[name], f); err != nil {
			return nil, fmt.Errorf("publish: measures.json: %s: %w", name, err)
		}
	}
	v := &vocabulary{Group: map[string]string{}, Complaints: pc.AllowedValues, Modalities: mod.AllowedValues, Severities: sev.AllowedValues}
	for c, code := range pc.Codes {
		v.Group[c] = code.PublicGroup
	}
	if len(v.Complaints) == 0 || len(v.Modalities) == 0 || len(v.Severities) == 0 {
		return nil, fmt.Errorf("publish: measures.json lacks presenting_complaint, modality or adverse_event values")
	}
	return v, nil
}

// level returns the published name of a summary level.
func level(key string) string {
	if key == "(missing)" {
		return missingLevel
	}
	return key
}

// withExtra returns levels followed by the published names of the keys of os not among
// them, in the order given (the summary may hold "(missing)" or a level measures.json does
// not list).
func withExtra[T any](levels []string, os ...summary.Ordered[T]) []string {
	out := slices.Clone(levels)
	for _, o := range os {
		for _, e := range o {
			if l := level(e.Key); !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// complaintDim is presenting_complaint grouped by its public_group.
func (v *vocabulary) complaintDim(leaves []string) disclosure.Dim {
	return disclosure.Grouped("complaint", leaves, func(c string) string {
		if g := v.Group[c]; g != "" {
			return g + groupSuffix
		}
		return ""
	})
}

// severityDim is adverse_event with every event other than none grouped as anyEvent, and
// notRecorded for sessions without a value.
func (v *vocabulary) severityDim() disclosure.Dim {
	leaves := append(append([]string(nil), v.Severities...), notRecorded)
	return disclosure.Grouped("severity", leaves, func(s string) string {
		if s == "none" || s == notRecorded {
			return ""
		}
		return anyEvent
	})
}
