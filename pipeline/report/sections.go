package report

import (
	"fmt"
	"strconv"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

type safetyPage struct {
	Summary  string
	Rates    *table
	Types    *table
	Figures  []*figure
	Undef    string
	Sessions int
}

type qualityPage struct {
	Summary     string
	Commits     *table
	Rules       *table
	Missingness *table
	PerClient   string
	Figures     []*figure
}

type multiplicityPage struct {
	Method string
	Tests  *table
}

func buildSafety(s summary.Safety) (safetyPage, error) {
	var sp safetyPage
	o := s.Overall
	if o == nil {
		sp.Undef = "no safety analysis in the summary"
		return sp, nil
	}
	sp.Sessions = o.Sessions
	if o.UndefinedReason != "" && o.Sessions == 0 {
		sp.Undef = o.UndefinedReason
	}
	sp.Summary = fmt.Sprintf("%s of %s sessions recorded an adverse event: %s per 1,000 sessions (95%% CI %s); "+
		"%s were other than an emotional reaction: %s per 1,000 (95%% CI %s).",
		count(o.AnyAdverseEvent), count(o.Sessions), fcell(o.RatePer1000, 1, o.UndefinedReason).String(),
		rangeCell(o.RateCILow, o.RateCIHigh, 1, o.UndefinedReason).String(),
		count(o.NonEmotional), fcell(o.NonEmotionalRate, 1, o.UndefinedReason).String(),
		rangeCell(o.NonEmotionalRateCILow, o.NonEmotionalRateCIHigh, 1, o.UndefinedReason).String())
	if o.Sessions == 0 {
		sp.Summary = "There are no sessions, so there are no adverse events and no rates."
	}
	sp.Rates = &table{
		Caption: "Sessions with any adverse event per 1,000 sessions, with exact Poisson 95% CIs, overall and by the session's modality and complaint.",
		Header:  []string{"Group", "Sessions", "With an adverse event", "Rate per 1,000 (95% CI)", "Other than emotional reaction, per 1,000 (95% CI)"},
	}
	add := func(label string, b *summary.SafetyBlock) {
		if b == nil {
			return
		}
		sp.Rates.Rows = append(sp.Rates.Rows, []cell{textCell(label), textCell(count(b.Sessions)), textCell(count(b.AnyAdverseEvent)),
			ciCell(b.RatePer1000, b.RateCILow, b.RateCIHigh, 1, b.UndefinedReason),
			ciCell(b.NonEmotionalRate, b.NonEmotionalRateCILow, b.NonEmotionalRateCIHigh, 1, b.UndefinedReason)})
	}
	add("All sessions", o)
	for _, e := range s.ByModality {
		add("Modality "+e.Key, e.Value)
	}
	for _, e := range s.ByComplaint {
		add("Complaint "+e.Key, e.Value)
	}
	sp.Types = &table{Caption: "Sessions by the type of adverse event, all sessions.", Header: []string{"Type", "Sessions"}}
	for _, e := range o.ByType {
		sp.Types.Rows = append(sp.Types.Rows, []cell{textCell(e.Key), textCell(count(e.Value))})
	}
	f, err := severityFigure(s)
	if err != nil {
		return sp, err
	}
	sp.Figures = []*figure{f}
	return sp, nil
}

func buildQuality(s *summary.Summary) (qualityPage, error) {
	dq := s.DataQuality
	var q qualityPage
	var read, acc, quar, excl int64
	for _, c := range dq.Commits {
		read, acc, quar, excl = read+c.RowsRead, acc+c.RowsAccepted, quar+c.RowsQuarantined, excl+c.RowsExcluded
	}
	q.Summary = fmt.Sprintf("%s commits up to snapshot %d read %s rows: %s accepted, %s quarantined (%s violations of the schema's rules) and %s excluded for lack of research consent.",
		count(len(dq.Commits)), s.Snapshot, count(int(read)), count(int(acc)), count(int(quar)), count(dq.Violations), count(int(excl)))
	q.Commits = &table{Caption: "Rows per lake commit.", Header: []string{"Version", "Operation", "Source", "Read", "Accepted", "Quarantined", "Excluded", "Violations"}}
	for _, c := range dq.Commits {
		q.Commits.Rows = append(q.Commits.Rows, []cell{textCell(strconv.FormatInt(c.Version, 10)), textCell(c.Operation), textCell(c.Source),
			textCell(count(int(c.RowsRead))), textCell(count(int(c.RowsAccepted))), textCell(count(int(c.RowsQuarantined))),
			textCell(count(int(c.RowsExcluded))), textCell(count(int(c.Violations)))})
	}
	q.Rules = &table{Caption: "Violations by rule and column (a row can break several rules).", Header: []string{"Rule", "Column", "Violations", "Rows"}}
	for _, r := range dq.ViolationsByRule {
		col := r.Column
		if col == "" {
			col = "(the whole row)"
		}
		q.Rules.Rows = append(q.Rules.Rows, []cell{textCell(r.Rule), textCell(col), textCell(count(r.Violations)), textCell(count(r.Rows))})
	}
	q.Missingness = &table{Caption: "Sessions without a value, per field.", Header: []string{"Field", "Missing", "Share"}}
	for _, m := range dq.Missingness {
		share := cell{Undef: "no sessions"}
		if m.Share.Valid() {
			share = textCell(num(100*float64(m.Share), 1) + "%")
		}
		q.Missingness.Rows = append(q.Missingness.Rows, []cell{textCell(m.Field), textCell(count(m.Missing)), share})
	}
	spc := dq.SessionsPerClient
	q.PerClient = fmt.Sprintf("Sessions per client (%s clients): mean %s, median %s (quartiles %s to %s), range %s to %s.",
		count(spc.Clients), fcell(spc.Mean, 1, "no clients").String(), fcell(spc.Median, 0, "no clients").String(),
		fcell(spc.Q1, 0, "no clients").String(), fcell(spc.Q3, 0, "no clients").String(),
		fcell(spc.Min, 0, "no clients").String(), fcell(spc.Max, 0, "no clients").String())
	if spc.Clients == 0 {
		q.PerClient = "Sessions per client: there are no clients."
	}
	f, err := commitsFigure(s)
	if err != nil {
		return q, err
	}
	q.Figures = []*figure{f}
	return q, nil
}

func buildMultiplicity(m summary.MultiplicityResult) multiplicityPage {
	mp := multiplicityPage{Method: m.Method}
	mp.Tests = &table{Header: []string{"Test", "p", "Adjusted p"}}
	for _, t := range m.Tests {
		mp.Tests.Rows = append(mp.Tests.Rows, []cell{textCell(testName(t.ID)), pcell(t.P, "test undefined"), pcell(t.PAdjusted, "test undefined")})
	}
	return mp
}

// methods lists each distinct method text of the summary once, with its references, in the
// order the report uses them, and the report's own plotting methods.
func methods(s *summary.Summary) []method {
	var out []method
	seen := map[string]bool{}
	add := func(name, text string, refs []string) {
		if text == "" || seen[name+"\x00"+text] {
			return
		}
		seen[name+"\x00"+text] = true
		out = append(out, method{Analysis: name, Text: text, References: refs})
	}
	for _, e := range s.Outcomes {
		o := e.Value
		if o.WithinSession != nil {
			add("Within session", o.WithinSession.Method, o.WithinSession.References)
		}
		if o.Course != nil {
			add("Course", o.Course.Method, o.Course.References)
		}
		if o.MixedModel != nil {
			add("Mixed model", o.MixedModel.Method, o.MixedModel.References)
		}
		if o.MetaAnalysis != nil {
			add("Meta-analysis", o.MetaAnalysis.Method, o.MetaAnalysis.References)
		}
	}
	add("Safety", s.Safety.Method, s.Safety.References)
	add("Multiplicity", multiplicityText(s.Multiplicity.Method), s.Multiplicity.References)
	add("Plots", "Mean by session number with a t-based 95% CI (mean ∓ t(0.975, n − 1)·sd/√n, tables/trajectory.csv); "+
		"practitioners' means with normal 95% CIs (yi ∓ 1.96·√vi, tables/meta_practitioners.csv); responder shares with "+
		"Wilson 95% CIs; counts as in summary.json. Colours from the Okabe–Ito palette.",
		[]string{"Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are friendly to colorblind people. 2008"})
	return out
}

func multiplicityText(m string) string {
	switch m {
	case "holm":
		return "Holm's step-down adjustment of the p-values of the plan's confirmatory tests (R p.adjust, method \"holm\"); undefined tests are not counted."
	case "bh":
		return "Benjamini–Hochberg adjustment controlling the false discovery rate over the plan's confirmatory tests (R p.adjust, method \"BH\"); undefined tests are not counted."
	}
	return m
}
