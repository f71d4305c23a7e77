package analysis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cstoutcomes/outcomes/plans"
)

// ErrPlan marks an analysis plan that cannot be used: unknown key, outcome, analysis, subgroup
// or test, or a value out of range. The message names the offending key.
var ErrPlan = errors.New("analysis plan")

// Measures are the outcomes a plan can name, in the order summary.json lists them, with the
// lake column that holds each (pain is analysed through pain_before, plus pain_after within
// sessions).
var Measures = []string{"pain", "sleep_quality", "headache_days", "hit6", "mymop_profile"}

var analysesOrder = []string{summary.WithinSession, summary.Course, summary.MixedModel, summary.MetaAnalysis}

// Subgroups a plan can name, and the column of each.
var subgroupColumns = map[string]string{"modality": "modality", "presenting_complaint": "presenting_complaint"}

type planYAML struct {
	Name         string              `yaml:"name"`
	Outcomes     map[string][]string `yaml:"outcomes"`
	Subgroups    *[]string           `yaml:"subgroups"`
	MinClients   *int                `yaml:"min_clients"`
	KNHA         bool                `yaml:"knha"`
	Multiplicity *struct {
		Method       string    `yaml:"method"`
		Confirmatory *[]string `yaml:"confirmatory"`
	} `yaml:"multiplicity"`
	Seed uint64 `yaml:"seed"`
}

// DefaultPlan returns the embedded plans/default.yaml.
func DefaultPlan() (*summary.Plan, error) { return ParsePlan(plans.DefaultName, plans.Default) }

// ParsePlan parses and checks a plan. name is how the plan is reported (its file's base name).
// Defaults: subgroups modality and presenting_complaint, min_clients 5, knha false,
// multiplicity holm over the course paired t-test of every outcome, seed 0. Errors wrap
// ErrPlan and name the key.
func ParsePlan(name string, b []byte) (*summary.Plan, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrPlan, name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := checkKeys(&root, "", planKeys); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrPlan, name, err)
	}
	var y planYAML
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrPlan, name, strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", " "))
	}
	sum := sha256.Sum256(b)
	p := &summary.Plan{Name: y.Name, Source: name, SHA256: hex.EncodeToString(sum[:]), KNHA: y.KNHA, Seed: y.Seed, MinClients: 5}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".yml")
	}
	steps := []func(*summary.Plan, *planYAML) error{planOutcomes, planSubgroups, planMinClients, planMultiplicity}
	for _, step := range steps {
		if err := step(p, &y); err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrPlan, name, err)
		}
	}
	return p, nil
}

func planOutcomes(p *summary.Plan, y *planYAML) error {
	if len(y.Outcomes) == 0 {
		return fmt.Errorf("outcomes: none given; allowed: %s", strings.Join(Measures, ", "))
	}
	for _, m := range slices.Sorted(maps.Keys(y.Outcomes)) {
		if !slices.Contains(Measures, m) {
			return fmt.Errorf("outcomes: unknown outcome %q; allowed: %s", m, strings.Join(Measures, ", "))
		}
		for _, a := range y.Outcomes[m] {
			if !slices.Contains(analysesOrder, a) {
				return fmt.Errorf("outcomes.%s: unknown analysis %q; allowed: %s", m, a, strings.Join(analysesOrder, ", "))
			}
			if a == summary.WithinSession && m != "pain" {
				return fmt.Errorf("outcomes.%s: within_session is defined for pain only", m)
			}
		}
	}
	for _, m := range Measures {
		as, ok := y.Outcomes[m]
		if !ok {
			continue
		}
		o := summary.PlanOutcome{Measure: m, Analyses: []string{}}
		for _, a := range analysesOrder {
			if slices.Contains(as, a) {
				o.Analyses = append(o.Analyses, a)
			}
		}
		p.Outcomes = append(p.Outcomes, o)
	}
	return nil
}

func planSubgroups(p *summary.Plan, y *planYAML) error {
	if y.Subgroups == nil {
		p.Subgroups = []string{"modality", "presenting_complaint"}
		return nil
	}
	p.Subgroups = []string{}
	for _, s := range *y.Subgroups {
		if _, ok := subgroupColumns[s]; !ok {
			return fmt.Errorf("subgroups: unknown subgroup %q; allowed: modality, presenting_complaint", s)
		}
		if !slices.Contains(p.Subgroups, s) {
			p.Subgroups = append(p.Subgroups, s)
		}
	}
	return nil
}

func planMinClients(p *summary.Plan, y *planYAML) error {
	if y.MinClients == nil {
		return nil
	}
	if *y.MinClients < 2 {
		return fmt.Errorf("min_clients: %d; allowed: an integer >= 2 (a practitioner's change needs a variance)", *y.MinClients)
	}
	p.MinClients = *y.MinClients
	return nil
}

func planMultiplicity(p *summary.Plan, y *planYAML) error {
	p.Multiplicity = summary.Multiplicity{Method: "holm"}
	var conf *[]string
	if y.Multiplicity != nil {
		if y.Multiplicity.Method != "" {
			p.Multiplicity.Method = y.Multiplicity.Method
		}
		conf = y.Multiplicity.Confirmatory
	}
	if m := p.Multiplicity.Method; m != "holm" && m != "bh" {
		return fmt.Errorf("multiplicity.method: %q; allowed: holm, bh", m)
	}
	if conf == nil {
		p.Multiplicity.Confirmatory = []string{}
		for _, o := range p.Outcomes {
			if slices.Contains(o.Analyses, summary.Course) {
				p.Multiplicity.Confirmatory = append(p.Multiplicity.Confirmatory, o.Measure+"."+summary.Course+".paired_t")
			}
		}
		return nil
	}
	p.Multiplicity.Confirmatory = []string{}
	for _, id := range *conf {
		if err := checkTest(p, id); err != nil {
			return fmt.Errorf("multiplicity.confirmatory: %w", err)
		}
		if !slices.Contains(p.Multiplicity.Confirmatory, id) {
			p.Multiplicity.Confirmatory = append(p.Multiplicity.Confirmatory, id)
		}
	}
	return nil
}

// testsOf are the test names of each analysis that a confirmatory id can name.
var testsOf = map[string][]string{
	summary.WithinSession: {"paired_t", "wilcoxon"},
	summary.Course:        {"paired_t", "wilcoxon"},
	summary.MixedModel:    {"session_number"},
	summary.MetaAnalysis:  {"pooled"},
}

func checkTest(p *summary.Plan, id string) error {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%q: want <measure>.<analysis>.<test>, e.g. pain.course.paired_t", id)
	}
	m, a, t := parts[0], parts[1], parts[2]
	if !p.Has(m, a) {
		return fmt.Errorf("%q: the plan does not run %s on %s", id, a, m)
	}
	if !slices.Contains(testsOf[a], t) {
		return fmt.Errorf("%q: unknown test %q of %s; allowed: %s", id, t, a, strings.Join(testsOf[a], ", "))
	}
	return nil
}

// planKeys are the keys a plan may have, and the keys of the nested mappings.
var planKeys = map[string][]string{
	"":             {"name", "outcomes", "subgroups", "min_clients", "knha", "multiplicity", "seed"},
	"multiplicity": {"method", "confirmatory"},
}

// checkKeys reports the first key of a mapping in n that planKeys does not allow, with its line.
func checkKeys(n *yaml.Node, path string, allowed map[string][]string) error {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			if err := checkKeys(c, path, allowed); err != nil {
				return err
			}
		}
		return nil
	}
	keys, ok := allowed[path]
	if n.Kind != yaml.MappingNode || !ok {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		full := strings.TrimPrefix(path+"."+k.Value, ".")
		if !slices.Contains(keys, k.Value) {
			return fmt.Errorf("line %d: unknown key %q; allowed: %s", k.Line, full, strings.Join(keys, ", "))
		}
		if err := checkKeys(n.Content[i+1], full, allowed); err != nil {
			return err
		}
	}
	return nil
}
