package publish

import (
	"fmt"

	"slices"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// Response statuses of a client in the course tables: the three add up to the clients.
const (
	statusResponder    = "responder"
	statusNonResponder = "non_responder"
	statusNotEvaluable = "not_evaluable"
)

// group is the tables of one disclosure.Suppress call: tables that count the same units and
// share margins, protected and audited as one system.
type group struct {
	Name          string // "course_pain", "sessions"
	Unit          string // what the counts count, for the README
	SuppressZeros bool
	Tables        []*disclosure.Table
}

// withheldFunc reports whether a cell of a table was suppressed by the first pass (nil in the
// first pass); see buildGroups.
type withheldFunc func(table string, levels ...string) bool

// buildGroups builds every public table of the summary, grouped by the units they count.
// minCell is the threshold, for the session counts that come from fewer clients than it.
func buildGroups(s *summary.Summary, v *vocabulary, withheld withheldFunc, minCell int) ([]group, error) {
	var groups []group
	for _, e := range s.Outcomes {
		if e.Value == nil || e.Value.Course == nil || e.Value.Course.Overall == nil {
			continue
		}
		g, err := courseGroup(v, e.Key, e.Value.Course, withheld)
		if err != nil {
			return nil, err
		}
		if len(g.Tables) > 0 {
			groups = append(groups, g)
		}
	}
	if s.Safety.Overall != nil {
		g, err := sessionsGroup(s, v, minCell)
		if err != nil {
			return nil, err
		}
		if len(g.Tables) > 0 {
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// courseGroup builds the course tables of one measure: clients by complaint and by modality
// (of the first session), crossed with their response status when the measure has a
// responder rule, with the paired statistics on each row's total.
func courseGroup(v *vocabulary, measure string, c *summary.PairedAnalysis, withheld withheldFunc) (group, error) {
	statuses := c.Overall.ResponderRule != nil
	g := group{Name: "course_" + measure, Unit: "clients with a course change of " + measure, SuppressZeros: statuses}
	complaints := withExtra(v.Complaints, c.ByComplaint)
	modalities := withExtra(v.Modalities, c.ByModality)
	for _, spec := range []struct {
		by     string
		dim    disclosure.Dim
		levels summary.Ordered[*summary.PairedBlock]
	}{
		{"complaint", v.complaintDim(complaints), c.ByComplaint},
		{"modality", disclosure.Flat("modality", modalities...), c.ByModality},
	} {
		if len(spec.levels) == 0 {
			continue // the plan leaves the subgroup out
		}
		t, err := courseTable(g.Name+"_by_"+spec.by, spec.dim, statuses, spec.levels, c.Overall, withheld)
		if err != nil {
			return g, err
		}
		g.Tables = append(g.Tables, t)
	}
	return g, nil
}

// stat is a published statistic: its column name and where a summary block holds it.
type stat[B any] struct {
	name string
	get  func(b B) summary.Float
}

// changeStats are the statistics of a course row, computed from its n clients.
var changeStats = []stat[*summary.PairedBlock]{
	{"mean_first", func(b *summary.PairedBlock) summary.Float { return b.MeanFirst }},
	{"mean_last", func(b *summary.PairedBlock) summary.Float { return b.MeanLast }},
	{"mean_change", func(b *summary.PairedBlock) summary.Float { return b.MeanChange }},
	{"ci_low", func(b *summary.PairedBlock) summary.Float { return b.CILow }},
	{"ci_high", func(b *summary.PairedBlock) summary.Float { return b.CIHigh }},
	{"p", func(b *summary.PairedBlock) summary.Float { return b.P }},
	{"wilcoxon_p", func(b *summary.PairedBlock) summary.Float { return b.WilcoxonP }},
	{"dz", func(b *summary.PairedBlock) summary.Float { return b.Dz }},
}

// responderStats are computed from the evaluable clients of a row.
var responderStats = []stat[*summary.PairedBlock]{
	{"responder_share", func(b *summary.PairedBlock) summary.Float { return b.ResponderShare }},
	{"responder_ci_low", func(b *summary.PairedBlock) summary.Float { return b.ResponderCILow }},
	{"responder_ci_high", func(b *summary.PairedBlock) summary.Float { return b.ResponderCIHigh }},
}

func courseTable(name string, dim disclosure.Dim, statuses bool, levels summary.Ordered[*summary.PairedBlock], overall *summary.PairedBlock, withheld withheldFunc) (*disclosure.Table, error) {
	c := &courseRows{name: name, statuses: statuses, withheld: withheld,
		// not_evaluable is a level only when some client is not evaluable: a column of
		// structural zeros would be suppressed (zeros are sensitive here) for nothing.
		notEvaluable: overall.N > deref(overall.Evaluable)}
	dims := []disclosure.Dim{dim}
	if statuses {
		dims = append(dims, disclosure.Flat("status", c.statusLevels()...))
	}
	var err error
	if c.t, err = disclosure.NewTable(name, dims...); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	for _, e := range levels {
		if e.Value == nil {
			continue
		}
		if err := c.set(level(e.Key), e.Value); err != nil {
			return nil, fmt.Errorf("publish: %s: %s: %w", name, level(e.Key), err)
		}
	}
	if err := c.set(disclosure.TotalLevel, overall); err != nil {
		return nil, fmt.Errorf("publish: %s: %s: %w", name, disclosure.TotalLevel, err)
	}
	return c.t, nil
}

// courseRows fills a course table row by row.
type courseRows struct {
	t            *disclosure.Table
	name         string
	statuses     bool // crossed with response status
	notEvaluable bool // with a not_evaluable status
	withheld     withheldFunc
}

func (c *courseRows) statusLevels() []string {
	if c.notEvaluable {
		return []string{statusResponder, statusNonResponder, statusNotEvaluable}
	}
	return []string{statusResponder, statusNonResponder}
}

// row returns the levels of level l's row total.
func (c *courseRows) row(l string) []string {
	if c.statuses {
		return []string{l, disclosure.TotalLevel}
	}
	return []string{l}
}

// set fills the row of level l from block b: its clients and statistics, and its clients by
// response status with the responder share.
func (c *courseRows) set(l string, b *summary.PairedBlock) error {
	if err := c.t.Set(int64(b.N), c.row(l)...); err != nil {
		return err
	}
	if err := setStats(c.t, changeStats, b, b.N, c.row(l)); err != nil {
		return err
	}
	if !c.statuses {
		return nil
	}
	ev, r := deref(b.Evaluable), deref(b.Responders)
	switch {
	case r > ev || ev > b.N:
		return fmt.Errorf("%d responders of %d evaluable of %d clients: %w", r, ev, b.N, disclosure.ErrInconsistent)
	case !c.notEvaluable && ev != b.N:
		return fmt.Errorf("%d evaluable of %d clients, and every client evaluable overall: %w", ev, b.N, disclosure.ErrInconsistent)
	}
	counts := map[string]int{statusResponder: r, statusNonResponder: ev - r, statusNotEvaluable: b.N - ev}
	for _, status := range c.statusLevels() {
		if err := c.t.Set(int64(counts[status]), l, status); err != nil {
			return err
		}
	}
	// A share reveals both of its counts once one is known, so it is withheld with either.
	n := ev
	if c.withheld != nil && (c.withheld(c.name, l, statusResponder) || c.withheld(c.name, l, statusNonResponder)) {
		n = 0
	}
	return setStats(c.t, responderStats, b, n, c.row(l))
}

// setStats attaches statistics of b, computed from n clients, to a cell.
func setStats[B any](t *disclosure.Table, stats []stat[B], b B, n int, cell []string) error {
	for _, st := range stats {
		if err := t.SetStat(st.name, float64(st.get(b)), n, cell...); err != nil {
			return err
		}
	}
	return nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// sessionsGroup builds the tables of sessions: adverse events by severity and modality, by
// severity and complaint, and sessions by year.
func sessionsGroup(s *summary.Summary, v *vocabulary, minCell int) (group, error) {
	g := group{Name: "sessions", Unit: "sessions"}
	bound := clientBounds(s)
	complaints := withExtra(v.Complaints, s.Safety.ByComplaint)
	modalities := withExtra(v.Modalities, s.Safety.ByModality)
	for _, spec := range []struct {
		by     string
		dim    disclosure.Dim
		levels summary.Ordered[*summary.SafetyBlock]
	}{
		{"modality", disclosure.Flat("modality", modalities...), s.Safety.ByModality},
		{"complaint", v.complaintDim(complaints), s.Safety.ByComplaint},
	} {
		if len(spec.levels) == 0 {
			continue
		}
		t, err := safetyTable(v, "adverse_events_by_"+spec.by, spec.dim, spec.levels, s.Safety.Overall, func(l string) int { return bound[spec.by][l] }, minCell)
		if err != nil {
			return g, err
		}
		g.Tables = append(g.Tables, t)
	}
	if t, err := yearTable(s); err != nil {
		return g, err
	} else if t != nil {
		g.Tables = append(g.Tables, t)
	}
	return g, nil
}

// rateStats are the adverse-event rates of a safety row, on its any_adverse_event cell.
var rateStats = []stat[*summary.SafetyBlock]{
	{"rate_per_1000", func(b *summary.SafetyBlock) summary.Float { return b.RatePer1000 }},
	{"rate_ci_low", func(b *summary.SafetyBlock) summary.Float { return b.RateCILow }},
	{"rate_ci_high", func(b *summary.SafetyBlock) summary.Float { return b.RateCIHigh }},
}

// A count of sessions of at least minCell may still come from fewer clients (twelve
// sessions of one client); such a cell is marked sensitive, so it is suppressed like a small
// count, by the distinct clients the summary gives for each severity and for any event.
func safetyTable(v *vocabulary, name string, dim disclosure.Dim, levels summary.Ordered[*summary.SafetyBlock], overall *summary.SafetyBlock, clients func(level string) int, minCell int) (*disclosure.Table, error) {
	t, err := disclosure.NewTable(name, v.severityDim(), dim)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	set := func(l string, b *summary.SafetyBlock) error {
		recorded := 0
		for _, sev := range v.Severities {
			n, _ := b.BySeverity.Get(sev)
			recorded += n
			if err := t.Set(int64(n), sev, l); err != nil {
				return err
			}
			if c, _ := b.ClientsBySeverity.Get(sev); n > 0 && c < minCell {
				if err := t.MarkSensitive(sev, l); err != nil {
					return err
				}
			}
		}
		if b.AnyAdverseEvent > 0 && b.ClientsAnyAdverseEvent < minCell {
			if err := t.MarkSensitive(anyEvent, l); err != nil {
				return err
			}
		}
		if recorded > b.Sessions {
			return fmt.Errorf("%s: %d sessions by severity of %d: %w", l, recorded, b.Sessions, disclosure.ErrInconsistent)
		}
		if err := t.Set(int64(b.Sessions-recorded), notRecorded, l); err != nil {
			return err
		}
		if err := t.Set(int64(b.Sessions), disclosure.TotalLevel, l); err != nil {
			return err
		}
		return setStats(t, rateStats, b, clients(l), []string{anyEvent, l})
	}
	for _, e := range levels {
		if e.Value == nil {
			continue
		}
		if err := set(level(e.Key), e.Value); err != nil {
			return nil, fmt.Errorf("publish: %s: %w", name, err)
		}
	}
	if err := set(disclosure.TotalLevel, overall); err != nil {
		return nil, fmt.Errorf("publish: %s: %w", name, err)
	}
	return t, nil
}

// yearTable counts sessions by the year of session_date (measures.json allows a year, not a
// month, by default), from data_quality.sessions_by_month. It returns nil when the months do
// not add up to the sessions of the safety analysis, whose grand total the table shares.
func yearTable(s *summary.Summary) (*disclosure.Table, error) {
	byYear := map[string]int{}
	total := 0
	for _, m := range s.DataQuality.SessionsByMonth {
		if len(m.Month) < 4 {
			return nil, nil
		}
		byYear[m.Month[:4]] += m.Sessions
		total += m.Sessions
	}
	if len(byYear) == 0 || total != s.Safety.Overall.Sessions {
		return nil, nil
	}
	years := sortedKeys(byYear)
	t, err := disclosure.NewTable("sessions_by_year", disclosure.Flat("year", years...))
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	for _, y := range years {
		if err := t.Set(int64(byYear[y]), y); err != nil {
			return nil, fmt.Errorf("publish: sessions_by_year: %w", err)
		}
	}
	return t, nil
}

// clientBounds returns, for each level of modality and complaint, a lower bound on the
// clients who had a session in it: the most clients with a course change of any measure
// whose first session had that level (each of them had a session in it). The safety rates of
// a level count sessions; they are published only when this bound reaches the threshold,
// since the summary does not say how many clients the sessions came from.
func clientBounds(s *summary.Summary) map[string]map[string]int {
	b := map[string]map[string]int{"modality": {}, "complaint": {}}
	for _, e := range s.Outcomes {
		if e.Value == nil || e.Value.Course == nil {
			continue
		}
		c := e.Value.Course
		for by, levels := range map[string]summary.Ordered[*summary.PairedBlock]{"modality": c.ByModality, "complaint": c.ByComplaint} {
			for _, l := range levels {
				if l.Value != nil {
					b[by][level(l.Key)] = max(b[by][level(l.Key)], l.Value.N)
				}
			}
		}
	}
	b["modality"][disclosure.TotalLevel] = s.Population.Clients
	b["complaint"][disclosure.TotalLevel] = s.Population.Clients
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
