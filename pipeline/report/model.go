package report

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/measures"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// page is everything the template shows; every string in it is escaped by html/template
// except the plots' SVG (see renderSVG).
type page struct {
	Title          string
	Population     summary.Population
	SessionDates   string // "sessions FIRST to LAST", or "no sessions"
	Snapshot       int64
	PlanName       string
	PlanSource     string
	PlanSHA256     string
	PlanShort      string
	ProgramVersion string
	Headline       []headline
	Glance         *figure
	Measures       []*measurePage
	Safety         safetyPage
	Quality        qualityPage
	Multiplicity   multiplicityPage
	Methods        []method
}

// headline is the one-sentence result of a measure.
type headline struct {
	Measure string
	Title   string
	Text    string
}

// figure is one plot with its caption, or the reason it is not drawn.
type figure struct {
	ID      string
	Title   string
	SVG     template.HTML
	Caption string
	Missing string
}

// table is a table with a header and rows of cells; the first cell of a row is its label.
type table struct {
	Caption string
	Header  []string
	Rows    [][]cell
}

type measurePage struct {
	Measure   string
	Title     string
	Field     string
	Direction string
	Summary   string // the headline sentence
	Paired    *table
	Clustered bool // within_session present: say that sessions are clustered
	Mixed     *table
	MixedNote string
	Meta      *table
	MetaNote  string
	Subgroups []*table
	Figures   []*figure
}

type method struct {
	Analysis   string
	Text       string
	References []string
}

// build makes the page of a report.
func build(in *Input) (*page, error) {
	ref, err := measures.Load()
	if err != nil {
		return nil, err
	}
	s := in.Summary
	p := &page{
		Title: "CST Outcomes report", Population: s.Population, Snapshot: s.Snapshot,
		PlanSHA256: s.PlanSHA256, PlanShort: short(s.PlanSHA256), ProgramVersion: s.ProgramVersion,
	}
	if s.Plan != nil {
		p.PlanName, p.PlanSource = s.Plan.Name, s.Plan.Source
	}
	p.SessionDates = "no sessions"
	if s.Population.FirstDate != nil && s.Population.LastDate != nil {
		p.SessionDates = "sessions " + *s.Population.FirstDate + " to " + *s.Population.LastDate
	}
	for _, e := range s.Outcomes {
		mp, err := buildMeasure(in, ref, e.Key, e.Value)
		if err != nil {
			return nil, err
		}
		p.Measures = append(p.Measures, mp)
		p.Headline = append(p.Headline, headline{Measure: e.Key, Title: mp.Title, Text: mp.Summary})
	}
	if p.Glance, err = glanceFigure(s); err != nil {
		return nil, err
	}
	if p.Safety, err = buildSafety(s.Safety); err != nil {
		return nil, err
	}
	if p.Quality, err = buildQuality(s); err != nil {
		return nil, err
	}
	p.Multiplicity = buildMultiplicity(s.Multiplicity)
	p.Methods = methods(s)
	return p, nil
}

// clients is "1 client" or "1,285 clients".
func clients(n int) string {
	if n == 1 {
		return "1 client"
	}
	return count(n) + " clients"
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// Headline returns the headline sentence of a measure's course result, as the report prints it.
func Headline(measure string, o *summary.Outcome) string {
	mi := info(measure)
	if o == nil || o.Course == nil || o.Course.Overall == nil {
		return mi.Label + ": the plan asks for no course analysis."
	}
	b := o.Course.Overall
	if !b.MeanChange.Valid() {
		return fmt.Sprintf("%s: the change from first to last session cannot be estimated (%s clients with two recorded values): %s.",
			mi.Label, count(b.N), reasonOr(b.UndefinedReason))
	}
	return changeClause(mi, b) + " from first to last session in " + clients(b.N) + responderClause(b) + "."
}

// changeClause says how the mean changed, with its 95% CI as magnitudes when the interval
// lies on one side of zero.
func changeClause(mi measureInfo, b *summary.PairedBlock) string {
	d := mi.Decimals
	m, lo, hi := float64(b.MeanChange), float64(b.CILow), float64(b.CIHigh)
	switch {
	case !valid(b.CILow, b.CIHigh):
		return fmt.Sprintf("%s changed by %s %s on average (no CI: %s)", mi.Label, num(m, d), mi.Unit, reasonOr(b.UndefinedReason))
	case hi < 0:
		return fmt.Sprintf("%s fell by %s %s (95%% CI %s to %s)", mi.Label, num(-m, d), mi.Unit, num(-hi, d), num(-lo, d))
	case lo > 0:
		return fmt.Sprintf("%s rose by %s %s (95%% CI %s to %s)", mi.Label, num(m, d), mi.Unit, num(lo, d), num(hi, d))
	default:
		return fmt.Sprintf("%s changed by %s %s on average (95%% CI %s to %s, which includes no change)", mi.Label, num(m, d), mi.Unit, num(lo, d), num(hi, d))
	}
}

// responderClause is "; 39% improved by at least 30% (95% CI 35% to 44%)", or why not.
func responderClause(b *summary.PairedBlock) string {
	switch {
	case b.ResponderRule == nil:
		return "; no responder rate (" + reasonOr(b.ResponderUndefinedReason) + ")"
	case !b.ResponderShare.Valid():
		return "; responder rate not defined (" + reasonOr(b.ResponderUndefinedReason) + ")"
	}
	s := "; " + pct(float64(b.ResponderShare)) + " " + responderPhrase(*b.ResponderRule)
	if valid(b.ResponderCILow, b.ResponderCIHigh) {
		s += " (95% CI " + pct(float64(b.ResponderCILow)) + " to " + pct(float64(b.ResponderCIHigh)) + ")"
	}
	return s
}

func buildMeasure(in *Input, ref *measures.Reference, measure string, o *summary.Outcome) (*measurePage, error) {
	mi := info(measure)
	mp := &measurePage{Measure: measure, Title: mi.Title, Field: o.Field, Direction: directionText(o.Direction),
		Summary: Headline(measure, o)}
	mp.Paired = pairedTable(mi, o)
	mp.Clustered = o.WithinSession != nil
	mp.Mixed, mp.MixedNote = mixedTable(mi, o.MixedModel)
	mp.Meta, mp.MetaNote = metaTable(mi, o.MetaAnalysis)
	if o.Course != nil {
		for _, t := range []*table{
			subgroupTable(mi, "Course change by presenting complaint (of the first session)", "Complaint", o.Course.ByComplaint),
			subgroupTable(mi, "Course change by modality (of the first session)", "Modality", o.Course.ByModality),
		} {
			if t != nil {
				mp.Subgroups = append(mp.Subgroups, t)
			}
		}
	}
	figs, err := measureFigures(in, ref, measure, o)
	if err != nil {
		return nil, err
	}
	mp.Figures = figs
	return mp, nil
}

func directionText(d string) string {
	switch d {
	case "higher_is_worse":
		return "lower is better: an improvement is a negative change"
	case "higher_is_better":
		return "higher is better: an improvement is a positive change"
	}
	return d
}

// pairedTable shows the paired statistics of within_session (if present) and course side by side.
func pairedTable(mi measureInfo, o *summary.Outcome) *table {
	cols, header := pairedColumns(o)
	if len(cols) == 0 {
		return nil
	}
	t := &table{Header: header}
	for _, r := range pairedRows(mi) {
		row := []cell{textCell(r.label)}
		for _, b := range cols {
			row = append(row, r.cell(b))
		}
		t.Rows = append(t.Rows, row)
	}
	t.Caption = strings.TrimSpace("Paired statistics of the change, overall. " + responderRules(cols[len(cols)-1]))
	return t
}

// pairedColumns returns the overall blocks of the paired table, within_session before course,
// and the table's header.
func pairedColumns(o *summary.Outcome) ([]*summary.PairedBlock, []string) {
	var cols []*summary.PairedBlock
	header := []string{"Statistic"}
	if o.WithinSession != nil && o.WithinSession.Overall != nil {
		cols = append(cols, o.WithinSession.Overall)
		header = append(header, "Within session (after − before)")
	}
	if o.Course != nil && o.Course.Overall != nil {
		cols = append(cols, o.Course.Overall)
		header = append(header, "Course (last − first session)")
	}
	return cols, header
}

// pairedRow is a row of the paired table: its label and its cell for a block.
type pairedRow struct {
	label string
	cell  func(b *summary.PairedBlock) cell
}

// pairedRows lists the rows of the paired table, with means in the measure's decimals.
func pairedRows(mi measureInfo) []pairedRow {
	d := mi.Decimals
	return []pairedRow{
		{"Pairs (n)", func(b *summary.PairedBlock) cell { return textCell(count(b.N)) }},
		{"Mean first / last", func(b *summary.PairedBlock) cell { return firstLastCell(b, d) }},
		{"Mean change (95% CI), " + mi.Unit, func(b *summary.PairedBlock) cell {
			return ciCell(b.MeanChange, b.CILow, b.CIHigh, d, b.UndefinedReason)
		}},
		{"SD of change", func(b *summary.PairedBlock) cell { return fcell(b.SDChange, d, b.UndefinedReason) }},
		{"Paired t-test: t (df)", tTestCell},
		{"Paired t-test: p", func(b *summary.PairedBlock) cell { return pcell(b.P, b.UndefinedReason) }},
		{"Wilcoxon signed-rank: V, p", wilcoxonCell},
		{"Hodges–Lehmann estimate", func(b *summary.PairedBlock) cell { return fcell(b.HLEstimate, d, b.UndefinedReason) }},
		{"Cohen's d_z (95% CI)", func(b *summary.PairedBlock) cell {
			return ciCell(b.Dz, b.DzCILow, b.DzCIHigh, 2, b.UndefinedReason)
		}},
		{"Responders (95% Wilson CI)", func(b *summary.PairedBlock) cell {
			return shareCell(b.Responders, b.Evaluable, b.ResponderShare, b.ResponderCILow, b.ResponderCIHigh, b.ResponderUndefinedReason)
		}},
		{"Got worse", func(b *summary.PairedBlock) cell {
			return shareCell(b.Deteriorated, b.DeteriorationEvaluable, b.DeterioratedShare, summary.Null, summary.Null, b.ResponderUndefinedReason)
		}},
	}
}

// firstLastCell is "first / last", the means with dec decimals.
func firstLastCell(b *summary.PairedBlock, dec int) cell {
	if !valid(b.MeanFirst, b.MeanLast) {
		return cell{Undef: reasonOr(b.UndefinedReason)}
	}
	return textCell(num(float64(b.MeanFirst), dec) + " / " + num(float64(b.MeanLast), dec))
}

// tTestCell is "t (df)" of the paired t-test.
func tTestCell(b *summary.PairedBlock) cell {
	if !valid(b.T, b.DF) {
		return cell{Undef: reasonOr(b.UndefinedReason)}
	}
	return textCell(num(float64(b.T), 2) + " (" + num(float64(b.DF), 0) + ")")
}

// wilcoxonCell is "V, p" of the Wilcoxon signed-rank test.
func wilcoxonCell(b *summary.PairedBlock) cell {
	if !valid(b.WilcoxonV, b.WilcoxonP) {
		return cell{Undef: reasonOr(b.UndefinedReason)}
	}
	return textCell(num(float64(b.WilcoxonV), 1) + ", p " + pval(float64(b.WilcoxonP)))
}

// responderRules names the responder and deterioration rules of b for the caption, or "".
func responderRules(b *summary.PairedBlock) string {
	if b.ResponderRule == nil {
		return ""
	}
	rule := "Responder rule " + *b.ResponderRule + " (" + responderPhrase(*b.ResponderRule) + ")"
	if b.DeteriorationRule != nil {
		rule += "; got worse: rule " + *b.DeteriorationRule
	}
	return rule + ", from measures.json."
}

// mixedTable shows the mixed model's fixed effects and variance components, or why it is not fitted.
func mixedTable(mi measureInfo, m *summary.MixedModelResult) (*table, string) {
	if m == nil || m.Overall == nil {
		return nil, ""
	}
	b := m.Overall
	note := fmt.Sprintf("%s, fitted by REML over %s values of %s clients of %s practitioners.",
		b.Formula, count(b.NObs), count(b.NClients), count(b.NPractitioners))
	if b.Fixed == nil {
		return nil, note + " Not fitted: " + reasonOr(b.UndefinedReason) + "."
	}
	t := &table{Header: []string{"Term", "Estimate (SE)", "df (Satterthwaite)", "t", "p"}}
	for _, fe := range []struct {
		label string
		e     summary.FixedEffect
	}{{"Intercept", b.Fixed.Intercept}, {"Session number (change per session, " + mi.Unit + ")", b.Fixed.SessionNumber}} {
		est := fcell(fe.e.Estimate, 3, b.UndefinedReason)
		if est.Undef == "" && fe.e.SE.Valid() {
			est.Text += " (" + num(float64(fe.e.SE), 3) + ")"
		}
		t.Rows = append(t.Rows, []cell{textCell(fe.label), est, fcell(fe.e.DF, 1, b.UndefinedReason),
			fcell(fe.e.T, 2, b.UndefinedReason), pcell(fe.e.P, b.UndefinedReason)})
	}
	if v := b.Variance; v != nil {
		note += " Variance components: practitioner " + fcell(v.Practitioner, 3, "").String() +
			", client within practitioner " + fcell(v.Client, 3, "").String() +
			", residual " + fcell(v.Residual, 3, "").String() + "."
	}
	if b.Singular != nil && *b.Singular {
		note += " The fit is singular: a variance component is estimated at 0."
	}
	if b.UndefinedReason != "" {
		note += " Note: " + b.UndefinedReason + "."
	}
	return t, note
}

// String renders a cell as plain text for sentences.
func (c cell) String() string {
	if c.Undef != "" {
		return "undefined (" + c.Undef + ")"
	}
	return c.Text
}

// metaTable shows the random-effects meta-analysis over practitioners.
func metaTable(mi measureInfo, m *summary.MetaResult) (*table, string) {
	if m == nil || m.Overall == nil {
		return nil, ""
	}
	b := m.Overall
	note := fmt.Sprintf("Practitioners with at least %d clients with a course change: %d; pooled: k = %d",
		b.MinClients, b.Practitioners, b.K)
	if b.ExcludedZeroVariance > 0 {
		note += fmt.Sprintf(" (%d left out: all their clients changed alike)", b.ExcludedZeroVariance)
	}
	note += "."
	if !b.Estimate.Valid() {
		return nil, note + " Not estimated: " + reasonOr(b.UndefinedReason) + "."
	}
	r := b.UndefinedReason
	d := mi.Decimals
	stat := b.Z
	statName := "z"
	if b.Test == "t" {
		stat, statName = b.T, "t ("+fcell(b.DF, 0, r).String()+" df)"
	}
	t := &table{Header: []string{"Statistic", "Value"}, Rows: [][]cell{
		{textCell("Pooled mean change (95% CI), " + mi.Unit), ciCell(b.Estimate, b.CILow, b.CIHigh, d, r)},
		{textCell("95% prediction interval"), rangeCell(b.PILow, b.PIHigh, d, r)},
		{textCell("Test of no change: " + statName + ", p"), joinCells(fcell(stat, 2, r), pcell(b.P, r))},
		{textCell("Between-practitioner variance τ²"), fcell(b.Tau2, 3, r)},
		{textCell("I² (%), H²"), joinCells(fcell(b.I2, 1, r), fcell(b.H2, 2, r))},
		{textCell("Cochran's Q, p"), joinCells(fcell(b.Q, 2, r), pcell(b.QP, r))},
	}}
	return t, note
}

func rangeCell(lo, hi summary.Float, dec int, reason string) cell {
	if !valid(lo, hi) {
		return cell{Undef: reasonOr(reason)}
	}
	return textCell(num(float64(lo), dec) + " to " + num(float64(hi), dec))
}

func joinCells(a, b cell) cell {
	if a.Undef != "" {
		return a
	}
	if b.Undef != "" {
		return b
	}
	return textCell(a.Text + ", " + b.Text)
}

// subgroupTable shows the course change and responders per level of a subgroup.
func subgroupTable(mi measureInfo, caption, name string, levels summary.Ordered[*summary.PairedBlock]) *table {
	t := &table{Caption: caption, Header: []string{name, "Clients", "Mean change (95% CI)", "Responders (95% Wilson CI)"}}
	for _, e := range levels {
		b := e.Value
		if b == nil {
			continue
		}
		t.Rows = append(t.Rows, []cell{textCell(e.Key), textCell(count(b.N)),
			ciCell(b.MeanChange, b.CILow, b.CIHigh, mi.Decimals, b.UndefinedReason),
			shareCell(b.Responders, b.Evaluable, b.ResponderShare, b.ResponderCILow, b.ResponderCIHigh, b.ResponderUndefinedReason)})
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}
