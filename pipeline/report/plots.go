package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cstoutcomes/outcomes/pipeline/measures"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// minTrajectoryN is the fewest values a session number needs to appear in a trajectory.
const minTrajectoryN = 5

// measureFigures draws the plots of one measure.
func measureFigures(in *Input, measure string, o *summary.Outcome) ([]*figure, error) {
	mi := info(measure)
	var figs []*figure
	steps := []func() (*figure, error){
		func() (*figure, error) { return trajectoryFigure(in, measure, mi, o) },
		func() (*figure, error) { return changeFigure(in, measure, mi, o) },
	}
	if o.Course != nil {
		steps = append(steps,
			func() (*figure, error) {
				return responderFigure(measure, mi, o.Course, "complaint", "presenting complaint", o.Course.ByComplaint)
			},
			func() (*figure, error) {
				return responderFigure(measure, mi, o.Course, "modality", "modality", o.Course.ByModality)
			})
	}
	if o.MetaAnalysis != nil {
		steps = append(steps, func() (*figure, error) { return forestFigure(in, measure, mi, o.MetaAnalysis) })
	}
	for _, step := range steps {
		f, err := step()
		if err != nil {
			return nil, err
		}
		if f != nil {
			figs = append(figs, f)
		}
	}
	return figs, nil
}

// trajectoryFigure: the mean by session number with its 95% CI band.
func trajectoryFigure(in *Input, measure string, mi measureInfo, o *summary.Outcome) (*figure, error) {
	f := &figure{ID: "trajectory-" + measure, Title: mi.Title + ": mean by session number"}
	if in.Trajectory == nil {
		f.Missing = "Not drawn: tables/" + summary.TrajectoryTable + " is not beside summary.json (write it with analysis.ReportTables)."
		return f, nil
	}
	var pts, lo, hi plotter.XYs
	nMin, nMax, total := math.MaxInt, 0, 0
	for _, r := range in.Trajectory {
		if r.Measure != measure || r.N < minTrajectoryN || isNaN(r.CILow) || isNaN(r.CIHigh) {
			continue
		}
		pts = append(pts, plotter.XY{X: float64(r.SessionNumber), Y: r.Mean})
		lo = append(lo, plotter.XY{X: float64(r.SessionNumber), Y: r.CILow})
		hi = append(hi, plotter.XY{X: float64(r.SessionNumber), Y: r.CIHigh})
		nMin, nMax, total = min(nMin, r.N), max(nMax, r.N), total+r.N
	}
	if len(pts) < 2 {
		f.Missing = fmt.Sprintf("Not drawn: fewer than two session numbers have at least %d recorded values.", minTrajectoryN)
		return f, nil
	}
	p := newPlot("Session number", mi.Axis)
	p.X.Tick.Marker, p.Y.Tick.Marker = intTicks{}, niceTicks{}
	p.Add(grid(true, false))
	band := append(slices.Clone(lo), reversed(hi)...)
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return nil, err
	}
	poly.Color, poly.LineStyle.Width = paleBlue, 0
	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	line.LineStyle = draw.LineStyle{Color: blue, Width: vg.Points(2)}
	scatter.GlyphStyle = draw.GlyphStyle{Color: blue, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(poly, line, scatter)
	var fr frame
	fr.addLegend("mean", line, scatter)
	fr.addLegend("95% CI", poly)
	p.X.Min, p.X.Max = pts[0].X-0.5, pts[len(pts)-1].X+0.5
	f.SVG, err = renderSVG(p, plotWidth, 8*vg.Centimeter, f.Title, fr)
	f.Caption = fmt.Sprintf("Mean %s at each session number %d to %d (%s recorded values; n = %s to %s per session number), "+
		"with its t-based 95%% confidence interval; session numbers with fewer than %d values are left out. "+
		"Clients who stop early are missing from later points, so the curve mixes change with who stays in treatment: "+
		"the mixed model estimates the change per session within clients.",
		lower(mi.Title), int(pts[0].X), int(pts[len(pts)-1].X), count(total), count(nMin), count(nMax), minTrajectoryN)
	return f, err
}

func reversed(xys plotter.XYs) plotter.XYs {
	out := slices.Clone(xys)
	slices.Reverse(out)
	return out
}

// changeFigure: the distribution of the course change with zero, the MCID and the mean marked.
func changeFigure(in *Input, measure string, mi measureInfo, o *summary.Outcome) (*figure, error) {
	f := &figure{ID: "change-" + measure, Title: mi.Title + ": distribution of the change"}
	if in.Changes == nil {
		f.Missing = "Not drawn: tables/" + summary.ChangesTable + " is not beside summary.json (write it with analysis.ReportTables)."
		return f, nil
	}
	var rows []ChangeRow
	clients, integer := 0, true
	for _, r := range in.Changes {
		if r.Measure == measure && !isNaN(r.Change) {
			rows = append(rows, r)
			clients += r.Clients
			integer = integer && r.Change == math.Trunc(r.Change)
		}
	}
	if len(rows) == 0 {
		f.Missing = "Not drawn: no client has two recorded values."
		return f, nil
	}
	width := 1.0
	if !integer {
		width = binWidth(rows[len(rows)-1].Change - rows[0].Change)
	}
	hist := &plotter.Histogram{Bins: bins(rows, width), Width: width, FillColor: skyBlue,
		LineStyle: draw.LineStyle{Color: blue, Width: vg.Points(0.5)}}
	top := 0.0
	for _, b := range hist.Bins {
		top = max(top, b.Weight)
	}
	p := newPlot(fmt.Sprintf("Change from first to last recorded value (%s)", mi.Unit), "Clients")
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.Add(grid(true, false), hist)
	p.Y.Min, p.Y.Max = 0, top*1.15
	zero, err := vline(0, 0, top*1.15, black, 1.5)
	if err != nil {
		return nil, err
	}
	p.Add(zero)
	var fr frame
	fr.addLegend("no change", zero)
	marks := "The solid line marks no change"
	if mcid := mcidAbs(o.Field); mcid > 0 {
		for _, x := range []float64{-mcid, mcid} {
			l, err := vline(x, 0, top*1.15, vermillion, 1.5, vg.Points(6), vg.Points(3))
			if err != nil {
				return nil, err
			}
			p.Add(l)
			if x < 0 {
				fr.addLegend(fmt.Sprintf("MCID ±%s %s", num(mcid, mi.Decimals), mi.Unit), l)
			}
		}
		marks += fmt.Sprintf(", the dashed lines a change of one MCID (±%s %s, measures.json) either way", num(mcid, mi.Decimals), mi.Unit)
	} else {
		marks += " (measures.json gives no absolute MCID for this measure, so none is marked)"
	}
	if o.Course != nil && o.Course.Overall != nil && o.Course.Overall.MeanChange.Valid() {
		m := float64(o.Course.Overall.MeanChange)
		l, err := vline(m, 0, top*1.15, green, 2, vg.Points(1.5), vg.Points(2))
		if err != nil {
			return nil, err
		}
		p.Add(l)
		fr.addLegend("mean change", l)
		marks += fmt.Sprintf(" and the dotted line the mean change (%s)", num(m, mi.Decimals))
	}
	f.SVG, err = renderSVG(p, plotWidth, 8*vg.Centimeter, f.Title, fr)
	binText := "per change value"
	if !integer {
		binText = "in bins " + num(width, 2) + " " + mi.Unit + " wide, centred on multiples of the width"
	}
	f.Caption = fmt.Sprintf("Clients by their course change in %s (last − first recorded value; %s clients with at least two values), counted %s; %s. %s.",
		lower(mi.Title), count(clients), binText, directionText(o.Direction), marks)
	return f, err
}

// mcidAbs returns the absolute MCID of a field in measures.json, or 0 when none is established.
func mcidAbs(field string) float64 {
	ref, err := measures.Load()
	if err != nil {
		return 0
	}
	fl := ref.Field(field)
	if fl == nil || fl.MCIDAbs == nil {
		return 0
	}
	return *fl.MCIDAbs
}

// binWidth picks a round bin width giving about 20 bins over span.
func binWidth(span float64) float64 {
	for _, w := range []float64{0.25, 0.5, 1, 2, 5, 10} {
		if span/w <= 24 {
			return w
		}
	}
	return 20
}

// bins sums the clients of rows into bins of the given width centred on multiples of it.
func bins(rows []ChangeRow, width float64) []plotter.HistogramBin {
	var out []plotter.HistogramBin
	for _, r := range rows {
		c := math.Round(r.Change/width) * width
		if n := len(out); n > 0 && out[n-1].Min == c-width/2 {
			out[n-1].Weight += float64(r.Clients)
			continue
		}
		out = append(out, plotter.HistogramBin{Min: c - width/2, Max: c + width/2, Weight: float64(r.Clients)})
	}
	return out
}

// responderFigure: responder shares with Wilson CIs per level of a subgroup.
func responderFigure(measure string, mi measureInfo, course *summary.PairedAnalysis, id, name string, levels summary.Ordered[*summary.PairedBlock]) (*figure, error) {
	f := &figure{ID: "responders-" + id + "-" + measure, Title: mi.Title + ": responders by " + name}
	ov := course.Overall
	if ov == nil || ov.ResponderRule == nil {
		reason := ""
		if ov != nil {
			reason = ov.ResponderUndefinedReason
		}
		f.Missing = "No responder rates: " + reasonOr(reason) + "."
		return f, nil
	}
	var pts plotter.XYs
	var errs plotter.XErrors
	var labels, undefined []string
	evaluable := 0
	for _, e := range levels {
		b := e.Value
		if b == nil || !valid(b.ResponderShare, b.ResponderCILow, b.ResponderCIHigh) || b.Evaluable == nil {
			undefined = append(undefined, e.Key)
			continue
		}
		s := 100 * float64(b.ResponderShare)
		pts = append(pts, plotter.XY{X: s, Y: float64(len(labels))})
		errs = append(errs, struct{ Low, High float64 }{s - 100*float64(b.ResponderCILow), 100*float64(b.ResponderCIHigh) - s})
		labels = append(labels, fmt.Sprintf("%s (n = %d)", e.Key, *b.Evaluable))
		evaluable += *b.Evaluable
	}
	if len(pts) == 0 {
		f.Missing = "Not drawn: no level of the " + name + " has a defined responder share."
		return f, nil
	}
	// The first level at the top.
	for i := range pts {
		pts[i].Y = float64(len(pts) - 1 - i)
	}
	slices.Reverse(labels)
	p := newPlot(fmt.Sprintf("Responders (%% of evaluable clients): %s", responderPhrase(*ov.ResponderRule)), "")
	p.NominalY(labels...)
	p.X.Min, p.X.Max = 0, 100
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	if ov.ResponderShare.Valid() {
		l, err := vline(100*float64(ov.ResponderShare), -0.5, float64(len(pts))-0.5, vermillion, 1.5, vg.Points(6), vg.Points(3))
		if err != nil {
			return nil, err
		}
		p.Add(l)
	}
	if err := addIntervalDots(p, pts, errs, 1.5, 5, 3.5, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = -0.6, float64(len(pts))-0.4
	h := vg.Points(60) + vg.Points(18)*vg.Length(len(pts))
	var err error
	f.SVG, err = renderSVG(p, plotWidth, h, f.Title, frame{})
	f.Caption = fmt.Sprintf("Share of clients who %s from first to last recorded value (rule %s of measures.json), by the %s of the first session, "+
		"with Wilson 95%% confidence intervals; n is the number of evaluable clients (%s in all). The dashed line is the overall share (%s).",
		responderPhrase(*ov.ResponderRule), *ov.ResponderRule, name, count(evaluable), pct(float64(ov.ResponderShare)))
	if len(undefined) > 0 {
		f.Caption += fmt.Sprintf(" Not shown (no evaluable client): %d level(s).", len(undefined))
	}
	return f, err
}

// forestTopAxisRows is the most rows (practitioners and the pooled estimate) a forest plot has
// with its x axis at the bottom only; a taller one repeats the axis at the top. At 12.5 pt a row
// a plot of 27 rows is 407.5 pt high, about 710 CSS px at the report's column width (52rem less
// padding, about 788 px for the 453.5 pt wide SVG: 1.74 px a point): taller than a laptop's
// screen, so without the top axis a reader at the first practitioners sees no scale.
const forestTopAxisRows = 26

// forestFigure: practitioners' mean course change with the pooled estimate and prediction interval.
func forestFigure(in *Input, measure string, mi measureInfo, m *summary.MetaResult) (*figure, error) {
	f := &figure{ID: "forest-" + measure, Title: mi.Title + ": practitioners (forest plot)"}
	b := m.Overall
	if b == nil || !valid(b.Estimate, b.CILow, b.CIHigh) {
		reason := "no meta-analysis"
		if b != nil {
			reason = reasonOr(b.UndefinedReason)
		}
		f.Missing = "Not drawn: the meta-analysis is not estimated: " + reason + "."
		return f, nil
	}
	var rows []PractitionerRow
	for _, r := range in.Practitioners {
		if r.Measure == measure && r.Included && !isNaN(r.MeanChange) && !isNaN(r.VI) {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		f.Missing = "Not drawn: tables/meta_practitioners.csv has no included practitioner for this measure."
		return f, nil
	}
	slices.SortFunc(rows, func(a, b PractitionerRow) int {
		return cmp.Or(cmp.Compare(a.MeanChange, b.MeanChange), cmp.Compare(b.Clients, a.Clients), cmp.Compare(a.Key, b.Key))
	})
	k := len(rows)
	pts := make(plotter.XYs, k)
	errs := make(plotter.XErrors, k)
	labels := make([]string, k+1)
	labels[0] = "Pooled (random effects)"
	for i, r := range rows {
		y := float64(k - i)
		half := 1.959963984540054 * math.Sqrt(r.VI)
		pts[i] = plotter.XY{X: r.MeanChange, Y: y}
		errs[i] = struct{ Low, High float64 }{half, half}
		labels[k-i] = fmt.Sprintf("Practitioner %s (n = %d)", letters(i), r.Clients)
	}
	p := newPlot(fmt.Sprintf("Mean change from first to last recorded value (%s)", mi.Unit), "")
	p.NominalY(labels...)
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	zero, err := vline(0, -0.6, float64(k)+0.6, black, 1)
	if err != nil {
		return nil, err
	}
	pooled, err := vline(float64(b.Estimate), -0.6, float64(k)+0.6, vermillion, 1, vg.Points(2), vg.Points(2))
	if err != nil {
		return nil, err
	}
	p.Add(zero, pooled)
	if err := addIntervalDots(p, pts, errs, 1, 4, 2.5, draw.BoxGlyph{}); err != nil {
		return nil, err
	}
	if valid(b.PILow, b.PIHigh) {
		pi, err := plotter.NewLine(plotter.XYs{{X: float64(b.PILow), Y: 0}, {X: float64(b.PIHigh), Y: 0}})
		if err != nil {
			return nil, err
		}
		pi.LineStyle = draw.LineStyle{Color: vermillion, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
		p.Add(pi)
	}
	est, lo, hi := float64(b.Estimate), float64(b.CILow), float64(b.CIHigh)
	diamond, err := plotter.NewPolygon(plotter.XYs{{X: lo, Y: 0}, {X: est, Y: 0.35}, {X: hi, Y: 0}, {X: est, Y: -0.35}})
	if err != nil {
		return nil, err
	}
	diamond.Color, diamond.LineStyle = vermillion, draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	p.Add(diamond)
	p.Y.Min, p.Y.Max = -0.7, float64(k)+0.7
	h := vg.Points(70) + vg.Points(12.5)*vg.Length(k+1)
	f.SVG, err = renderSVG(p, plotWidth, h, f.Title, frame{topAxis: k+1 > forestTopAxisRows})
	d := mi.Decimals
	f.Caption = fmt.Sprintf("Mean course change of each practitioner with at least %d clients (k = %d), with its normal 95%% CI, ordered by estimate; "+
		"the labels are given within this plot only and identify no one. The diamond is the random-effects pooled estimate "+
		"(REML, as metafor's rma) %s (95%% CI %s to %s); the dashed line at its height is the 95%% prediction interval%s, where a "+
		"further practitioner's mean change is expected to fall; the dotted line marks the pooled estimate, the solid line no change. τ² = %s, I² = %s%%.",
		b.MinClients, k, num(est, d), num(lo, d), num(hi, d), piText(b, d),
		fcell(b.Tau2, 3, b.UndefinedReason).String(), fcell(b.I2, 1, b.UndefinedReason).String())
	return f, err
}

func piText(b *summary.MetaBlock, d int) string {
	if !valid(b.PILow, b.PIHigh) {
		return " (not defined: " + reasonOr(b.UndefinedReason) + ")"
	}
	return " (" + num(float64(b.PILow), d) + " to " + num(float64(b.PIHigh), d) + ")"
}

// letters returns A, B, ..., Z, AA, AB, ... for i = 0, 1, ...
func letters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// severityFigure: sessions by the severity of the adverse event.
func severityFigure(s summary.Safety) (*figure, error) {
	f := &figure{ID: "safety-severity", Title: "Adverse events by severity"}
	o := s.Overall
	var vals plotter.Values
	var names []string
	none := 0
	for _, e := range o.BySeverity {
		if e.Key == "none" {
			none = e.Value
			continue
		}
		vals = append(vals, float64(e.Value))
		names = append(names, e.Key)
	}
	if len(vals) == 0 || o.Sessions == 0 {
		f.Missing = "Not drawn: no sessions."
		return f, nil
	}
	p := newPlot("Severity of the adverse event", "Sessions")
	p.Y.Tick.Marker = niceTicks{}
	p.Add(grid(true, false))
	bars, err := plotter.NewBarChart(vals, vg.Points(40))
	if err != nil {
		return nil, err
	}
	bars.Color, bars.LineStyle = vermillion, draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	p.Add(bars)
	if err := addBarLabels(p, vals, 0); err != nil {
		return nil, err
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, math.Max(1, maxOf(vals)*1.2)
	f.SVG, err = renderSVG(p, plotWidth, 7*vg.Centimeter, f.Title, frame{})
	f.Caption = fmt.Sprintf("Sessions by the severity of the adverse event recorded, of %s sessions (%s with none, not drawn). "+
		"Counts as in summary.json; rates with exact Poisson CIs (Garwood 1936) are in the table below.",
		count(o.Sessions), count(none))
	return f, err
}

// commitsFigure: rows accepted, quarantined and excluded per lake commit.
func commitsFigure(s *summary.Summary) (*figure, error) {
	f := &figure{ID: "quality-commits", Title: "Rows per commit"}
	cs := s.DataQuality.Commits
	if len(cs) == 0 {
		f.Missing = "Not drawn: the lake has no commit."
		return f, nil
	}
	var acc, quar, excl plotter.Values
	var names []string
	for _, c := range cs {
		acc = append(acc, float64(c.RowsAccepted))
		quar = append(quar, float64(c.RowsQuarantined))
		excl = append(excl, float64(c.RowsExcluded))
		names = append(names, fmt.Sprintf("v%d", c.Version))
	}
	p := newPlot("Lake commit (version)", "Rows")
	p.Y.Tick.Marker = niceTicks{}
	p.Add(grid(true, false))
	w := vg.Points(min(50, 300/float64(len(cs))))
	mk := func(v plotter.Values, c draw.LineStyle, fill any) (*plotter.BarChart, error) {
		b, err := plotter.NewBarChart(v, w)
		if err != nil {
			return nil, err
		}
		b.LineStyle = c
		return b, nil
	}
	edge := draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	a, err := mk(acc, edge, nil)
	if err != nil {
		return nil, err
	}
	q, err := mk(quar, edge, nil)
	if err != nil {
		return nil, err
	}
	e, err := mk(excl, edge, nil)
	if err != nil {
		return nil, err
	}
	a.Color, q.Color, e.Color = blue, orange, paleBlue
	q.StackOn(a)
	e.StackOn(q)
	p.Add(a, q, e)
	var fr frame
	fr.addLegend("accepted", a)
	fr.addLegend("quarantined", q)
	fr.addLegend("excluded (no consent)", e)
	tot := make(plotter.Values, len(acc))
	for i := range acc {
		tot[i] = acc[i] + quar[i] + excl[i]
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, math.Max(1, maxOf(tot)*1.1)
	labels := make([]string, len(cs))
	for i, c := range cs {
		if c.RowsQuarantined > 0 {
			labels[i] = count(int(c.RowsQuarantined)) + " quarantined"
		}
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: barTops(tot), Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(9)
		lb.TextStyle[i].Font.Typeface, lb.TextStyle[i].Font.Variant = sans.Typeface, sans.Variant
		lb.TextStyle[i].XAlign = draw.XCenter
		lb.Offset = vg.Point{Y: vg.Points(3)}
	}
	p.Add(lb)
	f.SVG, err = renderSVG(p, plotWidth, 8*vg.Centimeter, f.Title, fr)
	f.Caption = fmt.Sprintf("Rows of each lake commit up to snapshot %d (%d commits): accepted into the sessions table, quarantined "+
		"(a rule of the schema broken; the number above each bar) and excluded (no research consent). The sources are in the table below.",
		s.Snapshot, len(cs))
	return f, err
}

// addBarLabels writes each value above its bar.
func addBarLabels(p *plot.Plot, vals plotter.Values, dec int) error {
	labels := make([]string, len(vals))
	for i, v := range vals {
		labels[i] = num(v, dec)
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: barTops(vals), Labels: labels})
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(10)
		lb.TextStyle[i].Font.Typeface, lb.TextStyle[i].Font.Variant = sans.Typeface, sans.Variant
		lb.TextStyle[i].XAlign = draw.XCenter
	}
	lb.Offset = vg.Point{Y: vg.Points(3)}
	p.Add(lb)
	return nil
}

func barTops(vals plotter.Values) plotter.XYs {
	xys := make(plotter.XYs, len(vals))
	for i, v := range vals {
		xys[i] = plotter.XY{X: float64(i), Y: v}
	}
	return xys
}

func maxOf(vals plotter.Values) float64 {
	m := 0.0
	for _, v := range vals {
		m = max(m, v)
	}
	return m
}

func lower(s string) string {
	if s == "" || s[:min(len(s), 4)] == "HIT-" || s[:min(len(s), 5)] == "MYMOP" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// glanceFigure: every measure's standardised course change on one scale, signed so that
// right is better, for the headline.
func glanceFigure(s *summary.Summary) (*figure, error) {
	f := &figure{ID: "glance", Title: "All measures at a glance"}
	var pts plotter.XYs
	var errs plotter.XErrors
	var labels []string
	for _, e := range s.Outcomes {
		o := e.Value
		if o.Course == nil || o.Course.Overall == nil {
			continue
		}
		b := o.Course.Overall
		if !valid(b.Dz, b.DzCILow, b.DzCIHigh) {
			continue
		}
		d, lo, hi := float64(b.Dz), float64(b.DzCILow), float64(b.DzCIHigh)
		if o.Direction == "higher_is_worse" {
			d, lo, hi = -d, -hi, -lo
		}
		pts = append(pts, plotter.XY{X: d})
		errs = append(errs, struct{ Low, High float64 }{d - lo, hi - d})
		labels = append(labels, fmt.Sprintf("%s (n = %s)", info(e.Key).Title, count(b.N)))
	}
	if len(pts) == 0 {
		f.Missing = "Not drawn: no measure has a defined effect size."
		return f, nil
	}
	for i := range pts {
		pts[i].Y = float64(len(pts) - 1 - i)
	}
	slices.Reverse(labels)
	p := newPlot("Improvement from first to last session (Cohen's d_z, 95% CI)", "")
	p.NominalY(labels...)
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	y0, y1 := -0.6, float64(len(pts))-0.4
	for _, x := range []float64{0.2, 0.5, 0.8} {
		l, err := vline(x, y0, y1, grey, 0.75, vg.Points(2), vg.Points(3))
		if err != nil {
			return nil, err
		}
		p.Add(l)
	}
	zero, err := vline(0, y0, y1, black, 1)
	if err != nil {
		return nil, err
	}
	p.Add(zero)
	if err := addIntervalDots(p, pts, errs, 2, 6, 4, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = y0, y1
	p.X.Min = math.Min(-0.2, p.X.Min)
	p.X.Max = math.Max(1, p.X.Max)
	f.SVG, err = renderSVG(p, plotWidth, vg.Points(70)+vg.Points(24)*vg.Length(len(pts)), f.Title, frame{})
	f.Caption = "The course change of each measure in standard deviations of the change (Cohen's d_z = mean change / SD of change, " +
		"with its noncentral-t 95% CI), signed so that right is better for every measure; n is the number of clients with two recorded values. " +
		"The solid line is no change; the dotted lines are Cohen's conventional small (0.2), medium (0.5) and large (0.8) effects."
	return f, err
}

// addIntervalDots adds estimates with horizontal interval bars to p, in blue: the dots of the
// forest and responder plots. The sizes are in points.
func addIntervalDots(p *plot.Plot, pts plotter.XYs, errs plotter.XErrors, width, capWidth, radius float64, shape draw.GlyphDrawer) error {
	type xyErr struct {
		plotter.XYs
		plotter.XErrors
	}
	eb, err := plotter.NewXErrorBars(xyErr{pts, errs})
	if err != nil {
		return err
	}
	eb.LineStyle = draw.LineStyle{Color: blue, Width: vg.Points(width)}
	eb.CapWidth = vg.Points(capWidth)
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: blue, Radius: vg.Points(radius), Shape: shape}
	p.Add(eb, sc)
	return nil
}
