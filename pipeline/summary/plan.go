package summary

import "slices"

// The analyses a plan can ask for.
const (
	WithinSession = "within_session"
	Course        = "course"
	MixedModel    = "mixed_model"
	MetaAnalysis  = "meta_analysis"
)

// Plan is a parsed, checked analysis plan.
type Plan struct {
	Name     string        `json:"name"`
	Source   string        `json:"source"` // "default.yaml" (embedded) or the file's base name
	SHA256   string        `json:"-"`      // of the plan's bytes
	Outcomes []PlanOutcome `json:"outcomes"`
	// Subgroups are "modality" and/or "presenting_complaint", in the plan's order.
	Subgroups    []string     `json:"subgroups"`
	MinClients   int          `json:"min_clients"`
	KNHA         bool         `json:"knha"`
	Multiplicity Multiplicity `json:"multiplicity"`
	Seed         uint64       `json:"seed"`
}

// PlanOutcome is one measure and the analyses to run on it, in the fixed order of analyses.
type PlanOutcome struct {
	Measure  string   `json:"measure"`
	Analyses []string `json:"analyses"`
}

// Multiplicity is the plan's multiplicity correction.
type Multiplicity struct {
	Method       string   `json:"method"` // "holm" or "bh"
	Confirmatory []string `json:"confirmatory"`
}

// Has reports whether the plan runs analysis a on measure m.
func (p *Plan) Has(m, a string) bool {
	for _, o := range p.Outcomes {
		if o.Measure == m {
			return slices.Contains(o.Analyses, a)
		}
	}
	return false
}
