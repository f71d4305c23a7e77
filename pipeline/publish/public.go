package publish

import (
	"encoding/json"
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// publicInput returns what report-public.html is rendered from: a copy of the summary in
// which every value the public tables withhold is null with a reason that starts
// "suppressed:" (or, for a subgroup whose count is withheld, absent), and only the plots'
// tables that are safe (see the package documentation).
func publicInput(in *report.Input, p *published) (*report.Input, error) {
	b, err := in.Summary.Marshal()
	if err != nil {
		return nil, err
	}
	var s summary.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	publicPopulation(&s.Population)
	for _, e := range s.Outcomes {
		if o := e.Value; o != nil {
			p.course(e.Key, o.Course)
			p.withinSession(s.Population.Clients, o.WithinSession)
			p.mixedModel(o.MixedModel)
		}
	}
	p.safety(&s.Safety)
	publicQuality(&s.DataQuality, s.Snapshot)
	out := &report.Input{Summary: &s}
	for _, r := range in.Trajectory {
		if r.N >= p.minCell {
			out.Trajectory = append(out.Trajectory, r)
		}
	}
	// Practitioners (tables/meta_practitioners.csv) and Changes (one row per value of the
	// change, with small counts) are not published.
	return out, nil
}

// publicPopulation keeps the year of the first and last session (session_date is published
// by year, measures.json publish_granularity_default).
func publicPopulation(p *summary.Population) {
	for _, d := range []**string{&p.FirstDate, &p.LastDate} {
		if *d != nil && len(**d) >= 4 {
			y := (**d)[:4]
			*d = &y
		}
	}
}

func (p *published) fewClients() string {
	return fmt.Sprintf("suppressed: fewer than %d clients", p.minCell)
}

func (p *published) withheldCount() string {
	return fmt.Sprintf("suppressed: fewer than %d clients, or would let a suppressed count be worked out", p.minCell)
}

// safeCount reports whether a count may be shown alone: 0, or at least the threshold.
func (p *published) safeCount(n int) bool { return n == 0 || n >= p.minCell }

// course applies the course tables of a measure to its summary blocks.
func (p *published) course(measure string, c *summary.PairedAnalysis) {
	if c == nil {
		return
	}
	tc := p.lookup("course_" + measure + "_by_complaint")
	tm := p.lookup("course_" + measure + "_by_modality")
	switch {
	case tc != nil:
		c.Overall = p.pairedRow(tc, disclosure.TotalLevel, c.Overall)
	case tm != nil:
		c.Overall = p.pairedRow(tm, disclosure.TotalLevel, c.Overall)
	default:
		c.Overall = nil
	}
	c.ByComplaint = p.pairedRows(tc, c.ByComplaint)
	c.ByModality = p.pairedRows(tm, c.ByModality)
}

// pairedRows applies pairedRow to each level of a subgroup; without a table, none is shown.
func (p *published) pairedRows(t *disclosure.Table, levels summary.Ordered[*summary.PairedBlock]) summary.Ordered[*summary.PairedBlock] {
	if t == nil {
		return nil
	}
	for i, e := range levels {
		levels[i].Value = p.pairedRow(t, level(e.Key), e.Value)
	}
	return levels
}

// pairedRow returns b as the published row l of t shows it: nil when the row's count is
// suppressed, else with each withheld statistic null.
func (p *published) pairedRow(t *disclosure.Table, l string, b *summary.PairedBlock) *summary.PairedBlock {
	if b == nil {
		return nil
	}
	statuses := len(t.Dims()) == 2
	row := []string{l}
	if statuses {
		row = append(row, disclosure.TotalLevel)
	}
	if t.Suppressed(row...) {
		return nil
	}
	for _, st := range changeStats {
		if _, ok := t.Stat(st.name, row...); !ok && st.get(b).Valid() {
			nullChange(b, p.fewClients())
			break
		}
	}
	r, okR := t.Count(l, statusResponder)
	nr, okN := t.Count(l, statusNonResponder)
	_, okS := t.Stat("responder_share", row...)
	switch {
	case !statuses:
	case okR && okN && (okS || !b.ResponderShare.Valid()):
		ev, rs := int(r+nr), int(r)
		b.Evaluable, b.Responders = &ev, &rs
	default:
		nullResponders(b, p.withheldCount())
	}
	p.deterioration(b)
	return b
}

// deterioration keeps the deterioration counts only when they, and what they leave of the
// row, are each 0 or at least the threshold: they are not in an audited table.
func (p *published) deterioration(b *summary.PairedBlock) {
	if b.DeteriorationEvaluable == nil || b.Deteriorated == nil {
		return
	}
	ev, d := *b.DeteriorationEvaluable, *b.Deteriorated
	if p.safeCount(d) && p.safeCount(ev-d) && p.safeCount(b.N-ev) {
		return
	}
	b.DeteriorationEvaluable, b.Deteriorated, b.DeterioratedShare = nil, nil, summary.Null
}

func nullChange(b *summary.PairedBlock, reason string) {
	for _, f := range []*summary.Float{&b.MeanFirst, &b.MeanLast, &b.MeanChange, &b.SDChange, &b.CILow, &b.CIHigh,
		&b.T, &b.DF, &b.P, &b.WilcoxonV, &b.WilcoxonP, &b.HLEstimate, &b.Dz, &b.DzCILow, &b.DzCIHigh} {
		*f = summary.Null
	}
	b.UndefinedReason = reason
}

func nullResponders(b *summary.PairedBlock, reason string) {
	b.Evaluable, b.Responders = nil, nil
	b.ResponderShare, b.ResponderCILow, b.ResponderCIHigh = summary.Null, summary.Null, summary.Null
	b.DeteriorationEvaluable, b.Deteriorated, b.DeterioratedShare = nil, nil, summary.Null
	b.ResponderUndefinedReason = reason
}

// withinSession keeps the overall within-session block only, and only when the population
// and the pairs reach the threshold: its subgroups count sessions, and the summary does not
// say how many clients they come from.
func (p *published) withinSession(clients int, w *summary.PairedAnalysis) {
	if w == nil {
		return
	}
	w.ByComplaint, w.ByModality = nil, nil
	b := w.Overall
	if b == nil {
		return
	}
	if clients < p.minCell || b.N < p.minCell {
		w.Overall = nil
		return
	}
	if b.Evaluable != nil && b.Responders != nil {
		ev, r := *b.Evaluable, *b.Responders
		if !p.safeCount(r) || !p.safeCount(ev-r) || !p.safeCount(b.N-ev) {
			nullResponders(b, p.withheldCount())
		}
	}
	p.deterioration(b)
}

// mixedModel withholds a model fitted to fewer clients than the threshold.
func (p *published) mixedModel(m *summary.MixedModelResult) {
	if m == nil || m.Overall == nil || m.Overall.NClients >= p.minCell || m.Overall.NClients == 0 {
		return
	}
	o := m.Overall
	o.Fixed, o.Variance, o.Singular, o.REMLCriterion = nil, nil, nil, summary.Null
	o.UndefinedReason = p.fewClients()
}

// safety applies the adverse-event tables to the safety blocks. A subgroup's block is
// shown only when every count it prints is published; the overall block loses the
// severities that are suppressed. Counts by type are not published.
func (p *published) safety(s *summary.Safety) {
	tm, tc := p.lookup("adverse_events_by_modality"), p.lookup("adverse_events_by_complaint")
	overall := tm
	if overall == nil {
		overall = tc
	}
	if s.Overall == nil || overall == nil {
		s.Overall, s.ByModality, s.ByComplaint = nil, nil, nil
		return
	}
	s.Overall = p.safetyRow(overall, disclosure.TotalLevel, s.Overall, true)
	if s.Overall == nil {
		s.ByModality, s.ByComplaint = nil, nil
		return
	}
	s.ByModality = p.safetyRows(tm, s.ByModality)
	s.ByComplaint = p.safetyRows(tc, s.ByComplaint)
}

func (p *published) safetyRows(t *disclosure.Table, levels summary.Ordered[*summary.SafetyBlock]) summary.Ordered[*summary.SafetyBlock] {
	if t == nil {
		return nil
	}
	for i, e := range levels {
		levels[i].Value = p.safetyRow(t, level(e.Key), e.Value, false)
	}
	return levels
}

func (p *published) safetyRow(t *disclosure.Table, l string, b *summary.SafetyBlock, overall bool) *summary.SafetyBlock {
	if b == nil || t.Suppressed(disclosure.TotalLevel, l) || t.Suppressed(anyEvent, l) {
		return nil
	}
	var sev summary.Ordered[int]
	for _, e := range b.BySeverity {
		if !t.Suppressed(e.Key, l) {
			sev = append(sev, e)
		} else if !overall {
			return nil
		}
	}
	if !overall && (!p.safeCount(b.NonEmotional) || !p.safeCount(b.AnyAdverseEvent-b.NonEmotional)) {
		return nil
	}
	b.BySeverity, b.ByType = sev, nil
	if _, ok := t.Stat("rate_per_1000", anyEvent, l); !ok && b.RatePer1000.Valid() {
		for _, f := range []*summary.Float{&b.RatePer1000, &b.RateCILow, &b.RateCIHigh,
			&b.NonEmotionalRate, &b.NonEmotionalRateCILow, &b.NonEmotionalRateCIHigh} {
			*f = summary.Null
		}
		b.UndefinedReason = p.fewClients()
	}
	return b
}

// publicQuality keeps the data-quality figures that describe the lake as a whole: commits are
// summed into one row (a commit is one practice's export, and its file name may name the
// practice), months and the sessions-per-client distribution are dropped (dates finer than a
// year; the tails of the distribution are single clients), and so are the violations by rule.
// The quartiles, minimum and maximum of sessions per client stay: a number of sessions alone
// is not a quasi-identifier (measures.json), and the report prints them as one sentence.
func publicQuality(dq *summary.DataQuality, snapshot int64) {
	all := summary.CommitRows{Version: snapshot, Operation: "all", Source: "all sources"}
	for _, c := range dq.Commits {
		all.RowsRead += c.RowsRead
		all.RowsAccepted += c.RowsAccepted
		all.RowsQuarantined += c.RowsQuarantined
		all.RowsExcluded += c.RowsExcluded
		all.Violations += c.Violations
	}
	dq.Commits = []summary.CommitRows{all}
	dq.SessionsByMonth = nil
	dq.ViolationsByRule = nil
	dq.SessionsPerClient.Distribution = nil
}
