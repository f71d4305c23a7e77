package analysis

import (
	"errors"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"strings"
	"testing"
)

func TestDefaultPlan(t *testing.T) {
	p, err := DefaultPlan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Outcomes) != 5 || p.MinClients != 5 || p.KNHA || p.Multiplicity.Method != "holm" ||
		len(p.Multiplicity.Confirmatory) != 5 || !p.Has("pain", summary.WithinSession) || p.Has("hit6", summary.WithinSession) {
		t.Errorf("default plan = %+v", p)
	}
}

func TestParsePlanErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "outcomes: {pain: [course]}\nmin_client: 3\n", "min_client"},
		{"unknown nested key", "outcomes: {pain: [course]}\nmultiplicity: {method: holm, tests: []}\n", "tests"},
		{"unknown outcome", "outcomes: {pain: [course], sleep_hours: [course]}\n", `"sleep_hours"`},
		{"unknown analysis", "outcomes: {pain: [course, anova]}\n", `"anova"`},
		{"within_session for sleep", "outcomes: {sleep_quality: [within_session]}\n", "within_session"},
		{"unknown subgroup", "outcomes: {pain: [course]}\nsubgroups: [sex]\n", `"sex"`},
		{"min_clients too small", "outcomes: {pain: [course]}\nmin_clients: 1\n", "min_clients"},
		{"unknown method", "outcomes: {pain: [course]}\nmultiplicity: {method: bonferroni}\n", "bonferroni"},
		{"test not in plan", "outcomes: {pain: [course]}\nmultiplicity: {confirmatory: [hit6.course.paired_t]}\n", "hit6.course.paired_t"},
		{"unknown test", "outcomes: {pain: [course]}\nmultiplicity: {confirmatory: [pain.course.anova]}\n", `"anova"`},
		{"no outcomes", "seed: 1\n", "outcomes"},
		{"not yaml", "outcomes: [\n", "plan.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePlan("plan.yaml", []byte(tc.yaml))
			if !errors.Is(err, ErrPlan) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrPlan naming %s", err, tc.want)
			}
		})
	}
}

func TestParsePlanDefaults(t *testing.T) {
	p, err := ParsePlan("mine.yaml", []byte("outcomes:\n  hit6: [meta_analysis, course]\nknha: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "mine" || p.Outcomes[0].Analyses[0] != summary.Course || len(p.Subgroups) != 2 ||
		p.Multiplicity.Confirmatory[0] != "hit6.course.paired_t" || !p.KNHA {
		t.Errorf("plan = %+v", p)
	}
}
