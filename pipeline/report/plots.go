package report

// Each plot is made in three steps, so that what is drawn can be tested without gonum/plot:
//
//	select<Plot>   the summary's numbers to draw, as plain values, or why nothing is drawn
//	draw<Plot>     those values as an SVG
//	<plot>Caption  the sentence under the plot
//
// and <plot>Figure puts them together into a figure.

import (
	"cmp"
	"fmt"
	"html/template"
	"image/color"
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

// measureFigures draws the plots of one measure; ref is measures.json, for its MCIDs.
func measureFigures(in *Input, ref *measures.Reference, measure string, o *summary.Outcome) ([]*figure, error) {
	mi := info(measure)
	var figs []*figure
	steps := []func() (*figure, error){
		func() (*figure, error) { return trajectoryFigure(in, measure, mi) },
		func() (*figure, error) { return changeFigure(in, measure, mi, o, mcidAbs(ref, o.Field)) },
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

// estimate is one row of an interval plot (responders, forest, glance): a point estimate
// with its interval as the distances below and above it, as plotter.XErrors holds them.
type estimate struct {
	Label       string
	X           float64
	Minus, Plus float64
}

// topDown lays estimates out one per row, the first at the top (y = n−1) and the last at
// y = 0, and returns their labels bottom-up, as plot.NominalY takes them.
func topDown(es []estimate) (plotter.XYs, plotter.XErrors, []string) {
	n := len(es)
	pts := make(plotter.XYs, n)
	errs := make(plotter.XErrors, n)
	labels := make([]string, n)
	for i, e := range es {
		pts[i] = plotter.XY{X: e.X, Y: float64(n - 1 - i)}
		errs[i] = struct{ Low, High float64 }{e.Minus, e.Plus}
		labels[n-1-i] = e.Label
	}
	return pts, errs, labels
}

// trajectoryPoint is the mean of one session number with its 95% CI.
type trajectoryPoint struct {
	Session         int
	Mean, Low, High float64
}

// trajectoryData is what the trajectory plot draws: the session numbers with at least
// minTrajectoryN values and a CI, in table order, and how many values they hold.
type trajectoryData struct {
	Points            []trajectoryPoint
	NMin, NMax, Total int // values per session number, and over all of them
}

// newFigure makes the figure called id and title from what its select function chose: the
// reason there is nothing to draw, or the drawing and the caption (draw and caption close
// over the data).
func newFigure(id, title, missing string, draw func(title string) (template.HTML, error), caption func() string) (*figure, error) {
	f := &figure{ID: id, Title: title}
	if missing != "" {
		f.Missing = missing
		return f, nil
	}
	var err error
	f.SVG, err = draw(title)
	f.Caption = caption()
	return f, err
}

// trajectoryFigure: the mean by session number with its 95% CI band.
func trajectoryFigure(in *Input, measure string, mi measureInfo) (*figure, error) {
	d, missing := selectTrajectory(in.Trajectory, measure)
	return newFigure("trajectory-"+measure, mi.Title+": mean by session number", missing,
		func(title string) (template.HTML, error) { return drawTrajectory(d, mi, title) },
		func() string { return trajectoryCaption(d, mi) })
}

// selectTrajectory picks the measure's points from tables/trajectory.csv's rows (nil: the
// table is not there). missing says why there is nothing to draw.
func selectTrajectory(rows []TrajectoryRow, measure string) (d trajectoryData, missing string) {
	if rows == nil {
		return d, "Not drawn: tables/" + summary.TrajectoryTable + " is not beside summary.json (write it with analysis.ReportTables)."
	}
	d.NMin = math.MaxInt
	for _, r := range rows {
		if r.Measure != measure || r.N < minTrajectoryN || isNaN(r.CILow) || isNaN(r.CIHigh) {
			continue
		}
		d.Points = append(d.Points, trajectoryPoint{Session: r.SessionNumber, Mean: r.Mean, Low: r.CILow, High: r.CIHigh})
		d.NMin, d.NMax, d.Total = min(d.NMin, r.N), max(d.NMax, r.N), d.Total+r.N
	}
	if len(d.Points) < 2 {
		return d, fmt.Sprintf("Not drawn: fewer than two session numbers have at least %d recorded values.", minTrajectoryN)
	}
	return d, ""
}

// drawTrajectory draws the means as a line with points over their CI as a band.
func drawTrajectory(d trajectoryData, mi measureInfo, title string) (template.HTML, error) {
	var pts, lo, hi plotter.XYs
	for _, q := range d.Points {
		x := float64(q.Session)
		pts = append(pts, plotter.XY{X: x, Y: q.Mean})
		lo = append(lo, plotter.XY{X: x, Y: q.Low})
		hi = append(hi, plotter.XY{X: x, Y: q.High})
	}
	p := newPlot("Session number", mi.Axis)
	p.X.Tick.Marker, p.Y.Tick.Marker = intTicks{}, niceTicks{}
	p.Add(grid(true, false))
	band, err := plotter.NewPolygon(append(slices.Clone(lo), reversed(hi)...))
	if err != nil {
		return "", err
	}
	band.Color, band.LineStyle.Width = paleBlue, 0
	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return "", err
	}
	line.LineStyle = draw.LineStyle{Color: blue, Width: vg.Points(2)}
	scatter.GlyphStyle = draw.GlyphStyle{Color: blue, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(band, line, scatter)
	var fr frame
	fr.addLegend("mean", line, scatter)
	fr.addLegend("95% CI", band)
	p.X.Min, p.X.Max = pts[0].X-0.5, pts[len(pts)-1].X+0.5
	return renderSVG(p, plotWidth, 8*vg.Centimeter, title, fr)
}

func trajectoryCaption(d trajectoryData, mi measureInfo) string {
	return fmt.Sprintf("Mean %s at each session number %d to %d (%s recorded values; n = %s to %s per session number), "+
		"with its t-based 95%% confidence interval; session numbers with fewer than %d values are left out. "+
		"Clients who stop early are missing from later points, so the curve mixes change with who stays in treatment: "+
		"the mixed model estimates the change per session within clients.",
		lower(mi.Title), d.Points[0].Session, d.Points[len(d.Points)-1].Session,
		count(d.Total), count(d.NMin), count(d.NMax), minTrajectoryN)
}

func reversed(xys plotter.XYs) plotter.XYs {
	out := slices.Clone(xys)
	slices.Reverse(out)
	return out
}

// changeBin is one bar of the change distribution: Clients clients changed by Min to Max.
type changeBin struct {
	Min, Max, Clients float64
}

// changeData is what the change distribution draws.
type changeData struct {
	Bins    []changeBin
	Width   float64       // of the bins: 1 when every change is a whole number
	Integer bool          // every change is a whole number, so a bin is one change value
	Clients int           // clients with a change
	MCID    float64       // the absolute MCID of measures.json, marked either way; 0: none
	Mean    summary.Float // the course's mean change, marked; null: not marked
}

// changeFigure: the distribution of the course change with zero, the MCID (mcid; 0: none) and
// the mean marked.
func changeFigure(in *Input, measure string, mi measureInfo, o *summary.Outcome, mcid float64) (*figure, error) {
	d, missing := selectChange(in.Changes, measure, mcid, courseMeanChange(o))
	return newFigure("change-"+measure, mi.Title+": distribution of the change", missing,
		func(title string) (template.HTML, error) { return drawChange(d, mi, title) },
		func() string { return changeCaption(d, mi, o.Direction) })
}

// courseMeanChange returns the mean course change of o, or null.
func courseMeanChange(o *summary.Outcome) summary.Float {
	if o.Course == nil || o.Course.Overall == nil {
		return summary.Null
	}
	return o.Course.Overall.MeanChange
}

// selectChange bins the measure's rows of tables/changes.csv (nil: the table is not there),
// which are in order of the change. missing says why there is nothing to draw.
func selectChange(rows []ChangeRow, measure string, mcid float64, mean summary.Float) (d changeData, missing string) {
	if rows == nil {
		return d, "Not drawn: tables/" + summary.ChangesTable + " is not beside summary.json (write it with analysis.ReportTables)."
	}
	d = changeData{Integer: true, MCID: mcid, Mean: mean}
	var mine []ChangeRow
	for _, r := range rows {
		if r.Measure == measure && !isNaN(r.Change) {
			mine = append(mine, r)
			d.Clients += r.Clients
			d.Integer = d.Integer && r.Change == math.Trunc(r.Change)
		}
	}
	if len(mine) == 0 {
		return d, "Not drawn: no client has two recorded values."
	}
	d.Width = 1.0
	if !d.Integer {
		d.Width = binWidth(mine[len(mine)-1].Change - mine[0].Change)
	}
	d.Bins = bins(mine, d.Width)
	return d, ""
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

// bins sums the clients of rows, in order of their change, into bins of the given width
// centred on multiples of it.
func bins(rows []ChangeRow, width float64) []changeBin {
	var out []changeBin
	for _, r := range rows {
		c := math.Round(r.Change/width) * width
		if n := len(out); n > 0 && out[n-1].Min == c-width/2 {
			out[n-1].Clients += float64(r.Clients)
			continue
		}
		out = append(out, changeBin{Min: c - width/2, Max: c + width/2, Clients: float64(r.Clients)})
	}
	return out
}

// drawChange draws the bins as a histogram under the lines of addChangeMarks.
func drawChange(d changeData, mi measureInfo, title string) (template.HTML, error) {
	hist := &plotter.Histogram{Bins: make([]plotter.HistogramBin, len(d.Bins)), Width: d.Width, FillColor: skyBlue,
		LineStyle: draw.LineStyle{Color: blue, Width: vg.Points(0.5)}}
	top := 0.0
	for i, b := range d.Bins {
		hist.Bins[i] = plotter.HistogramBin{Min: b.Min, Max: b.Max, Weight: b.Clients}
		top = max(top, b.Clients)
	}
	p := newPlot(fmt.Sprintf("Change from first to last recorded value (%s)", mi.Unit), "Clients")
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.Add(grid(true, false), hist)
	p.Y.Min, p.Y.Max = 0, top*1.15
	var fr frame
	if err := addChangeMarks(p, &fr, d, mi, top*1.15); err != nil {
		return "", err
	}
	return renderSVG(p, plotWidth, 8*vg.Centimeter, title, fr)
}

// addChangeMarks draws the vertical lines of no change, of one MCID either way and of the
// mean change from 0 to top, with their legend entries.
func addChangeMarks(p *plot.Plot, fr *frame, d changeData, mi measureInfo, top float64) error {
	zero, err := addVLines(p, []float64{0}, 0, top, black, 1.5)
	if err != nil {
		return err
	}
	fr.addLegend("no change", zero[0])
	if d.MCID > 0 {
		ls, err := addVLines(p, []float64{-d.MCID, d.MCID}, 0, top, vermillion, 1.5, vg.Points(6), vg.Points(3))
		if err != nil {
			return err
		}
		fr.addLegend(fmt.Sprintf("MCID ±%s %s", num(d.MCID, mi.Decimals), mi.Unit), ls[0])
	}
	if d.Mean.Valid() {
		mean, err := addVLines(p, []float64{float64(d.Mean)}, 0, top, green, 2, vg.Points(1.5), vg.Points(2))
		if err != nil {
			return err
		}
		fr.addLegend("mean change", mean[0])
	}
	return nil
}

func changeCaption(d changeData, mi measureInfo, direction string) string {
	marks := "The solid line marks no change"
	if d.MCID > 0 {
		marks += fmt.Sprintf(", the dashed lines a change of one MCID (±%s %s, measures.json) either way", num(d.MCID, mi.Decimals), mi.Unit)
	} else {
		marks += " (measures.json gives no absolute MCID for this measure, so none is marked)"
	}
	if d.Mean.Valid() {
		marks += fmt.Sprintf(" and the dotted line the mean change (%s)", num(float64(d.Mean), mi.Decimals))
	}
	binText := "per change value"
	if !d.Integer {
		binText = "in bins " + num(d.Width, 2) + " " + mi.Unit + " wide, centred on multiples of the width"
	}
	return fmt.Sprintf("Clients by their course change in %s (last − first recorded value; %s clients with at least two values), counted %s; %s. %s.",
		lower(mi.Title), count(d.Clients), binText, directionText(direction), marks)
}

// mcidAbs returns the absolute MCID of a field in measures.json, or 0 when none is established.
func mcidAbs(ref *measures.Reference, field string) float64 {
	fl := ref.Field(field)
	if fl == nil || fl.MCIDAbs == nil {
		return 0
	}
	return *fl.MCIDAbs
}

// responderData is what a responder plot draws.
type responderData struct {
	Rule      string        // the responder rule of measures.json
	Levels    []estimate    // the levels with a defined share, in %, in summary order
	Evaluable int           // the evaluable clients of the levels drawn
	Undefined int           // the levels not drawn
	Overall   summary.Float // the overall share, 0 to 1
}

// responderFigure: responder shares with Wilson CIs per level of a subgroup.
func responderFigure(measure string, mi measureInfo, course *summary.PairedAnalysis, id, name string, levels summary.Ordered[*summary.PairedBlock]) (*figure, error) {
	d, missing := selectResponders(course.Overall, name, levels)
	return newFigure("responders-"+id+"-"+measure, mi.Title+": responders by "+name, missing,
		func(title string) (template.HTML, error) { return drawResponders(d, title) },
		func() string { return responderCaption(d, name) })
}

// selectResponders takes the responder share with its CI of each level of the subgroup
// called name; ov is the overall block. missing says why there is nothing to draw.
func selectResponders(ov *summary.PairedBlock, name string, levels summary.Ordered[*summary.PairedBlock]) (d responderData, missing string) {
	if ov == nil || ov.ResponderRule == nil {
		reason := ""
		if ov != nil {
			reason = ov.ResponderUndefinedReason
		}
		return d, "No responder rates: " + reasonOr(reason) + "."
	}
	d = responderData{Rule: *ov.ResponderRule, Overall: ov.ResponderShare}
	for _, e := range levels {
		b := e.Value
		if b == nil || !valid(b.ResponderShare, b.ResponderCILow, b.ResponderCIHigh) || b.Evaluable == nil {
			d.Undefined++
			continue
		}
		s := 100 * float64(b.ResponderShare)
		d.Levels = append(d.Levels, estimate{Label: fmt.Sprintf("%s (n = %d)", e.Key, *b.Evaluable), X: s,
			Minus: s - 100*float64(b.ResponderCILow), Plus: 100*float64(b.ResponderCIHigh) - s})
		d.Evaluable += *b.Evaluable
	}
	if len(d.Levels) == 0 {
		return d, "Not drawn: no level of the " + name + " has a defined responder share."
	}
	return d, ""
}

// drawResponders draws the levels' shares with their CIs, the first level at the top, over
// the overall share.
func drawResponders(d responderData, title string) (template.HTML, error) {
	pts, errs, labels := topDown(d.Levels)
	p := newPlot(fmt.Sprintf("Responders (%% of evaluable clients): %s", responderPhrase(d.Rule)), "")
	p.NominalY(labels...)
	p.X.Min, p.X.Max = 0, 100
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	if d.Overall.Valid() {
		if _, err := addVLines(p, []float64{100 * float64(d.Overall)}, -0.5, float64(len(pts))-0.5, vermillion, 1.5, vg.Points(6), vg.Points(3)); err != nil {
			return "", err
		}
	}
	if err := addIntervalDots(p, pts, errs, 1.5, 5, 3.5, draw.CircleGlyph{}); err != nil {
		return "", err
	}
	p.Y.Min, p.Y.Max = -0.6, float64(len(pts))-0.4
	h := vg.Points(60) + vg.Points(18)*vg.Length(len(pts))
	return renderSVG(p, plotWidth, h, title, frame{})
}

func responderCaption(d responderData, name string) string {
	s := fmt.Sprintf("Share of clients who %s from first to last recorded value (rule %s of measures.json), by the %s of the first session, "+
		"with Wilson 95%% confidence intervals; n is the number of evaluable clients (%s in all). The dashed line is the overall share (%s).",
		responderPhrase(d.Rule), d.Rule, name, count(d.Evaluable), pct(float64(d.Overall)))
	if d.Undefined > 0 {
		s += fmt.Sprintf(" Not shown (no evaluable client): %d level(s).", d.Undefined)
	}
	return s
}

// forestTopAxisRows is the most rows (practitioners and the pooled estimate) a forest plot has
// with its x axis at the bottom only; a taller one repeats the axis at the top. At 12.5 pt a row
// a plot of 27 rows is 407.5 pt high, about 710 CSS px at the report's column width (52rem less
// padding, about 788 px for the 453.5 pt wide SVG: 1.74 px a point): taller than a laptop's
// screen, so without the top axis a reader at the first practitioners sees no scale.
const forestTopAxisRows = 26

// forestData is what a forest plot draws.
type forestData struct {
	// Rows are the practitioners' mean changes with their normal 95% CIs, in the plot's
	// order, labelled "Practitioner A", "B", ... in that order.
	Rows []estimate
	// Pooled is the random-effects estimate, drawn below the practitioners.
	Pooled *summary.MetaBlock
}

// forestFigure: practitioners' mean course change with the pooled estimate and prediction interval.
func forestFigure(in *Input, measure string, mi measureInfo, m *summary.MetaResult) (*figure, error) {
	d, missing := selectForest(in.Practitioners, measure, m)
	return newFigure("forest-"+measure, mi.Title+": practitioners (forest plot)", missing,
		func(title string) (template.HTML, error) { return drawForest(d, mi, title) },
		func() string { return forestCaption(d, mi) })
}

// selectForest takes the practitioners the meta-analysis m pooled from
// tables/meta_practitioners.csv's rows. missing says why there is nothing to draw.
func selectForest(rows []PractitionerRow, measure string, m *summary.MetaResult) (d forestData, missing string) {
	b := m.Overall
	if b == nil || !valid(b.Estimate, b.CILow, b.CIHigh) {
		reason := "no meta-analysis"
		if b != nil {
			reason = reasonOr(b.UndefinedReason)
		}
		return d, "Not drawn: the meta-analysis is not estimated: " + reason + "."
	}
	pooled := pooledPractitioners(rows, measure)
	if len(pooled) == 0 {
		return d, "Not drawn: tables/meta_practitioners.csv has no included practitioner for this measure."
	}
	d.Pooled = b
	for i, r := range pooled {
		half := 1.959963984540054 * math.Sqrt(r.VI)
		d.Rows = append(d.Rows, estimate{Label: fmt.Sprintf("Practitioner %s (n = %d)", letters(i), r.Clients),
			X: r.MeanChange, Minus: half, Plus: half})
	}
	return d, ""
}

// pooledPractitioners returns the measure's practitioners included in the meta-analysis, by
// mean change, then more clients first, then key.
func pooledPractitioners(rows []PractitionerRow, measure string) []PractitionerRow {
	var out []PractitionerRow
	for _, r := range rows {
		if r.Measure == measure && r.Included && !isNaN(r.MeanChange) && !isNaN(r.VI) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b PractitionerRow) int {
		return cmp.Or(cmp.Compare(a.MeanChange, b.MeanChange), cmp.Compare(b.Clients, a.Clients), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// drawForest draws the practitioners from the top down and the pooled estimate at y = 0.
func drawForest(d forestData, mi measureInfo, title string) (template.HTML, error) {
	k := len(d.Rows)
	pts, errs, labels := topDown(d.Rows)
	for i := range pts {
		pts[i].Y++ // row 0 is the pooled estimate's
	}
	p := newPlot(fmt.Sprintf("Mean change from first to last recorded value (%s)", mi.Unit), "")
	p.NominalY(append([]string{"Pooled (random effects)"}, labels...)...)
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	if err := addForestLines(p, d.Pooled, k); err != nil {
		return "", err
	}
	if err := addIntervalDots(p, pts, errs, 1, 4, 2.5, draw.BoxGlyph{}); err != nil {
		return "", err
	}
	if err := addPooled(p, d.Pooled); err != nil {
		return "", err
	}
	p.Y.Min, p.Y.Max = -0.7, float64(k)+0.7
	h := vg.Points(70) + vg.Points(12.5)*vg.Length(k+1)
	return renderSVG(p, plotWidth, h, title, frame{topAxis: k+1 > forestTopAxisRows})
}

// addForestLines draws the lines of no change and of the pooled estimate b through all k+1
// rows.
func addForestLines(p *plot.Plot, b *summary.MetaBlock, k int) error {
	y0, y1 := -0.6, float64(k)+0.6
	zero, err := vline(0, y0, y1, black, 1)
	if err != nil {
		return err
	}
	pooled, err := vline(float64(b.Estimate), y0, y1, vermillion, 1, vg.Points(2), vg.Points(2))
	if err != nil {
		return err
	}
	p.Add(zero, pooled)
	return nil
}

// addPooled draws the pooled estimate b at y = 0: its prediction interval as a dashed line,
// when defined, and its CI as a diamond.
func addPooled(p *plot.Plot, b *summary.MetaBlock) error {
	if valid(b.PILow, b.PIHigh) {
		pi, err := plotter.NewLine(plotter.XYs{{X: float64(b.PILow), Y: 0}, {X: float64(b.PIHigh), Y: 0}})
		if err != nil {
			return err
		}
		pi.LineStyle = draw.LineStyle{Color: vermillion, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
		p.Add(pi)
	}
	est, lo, hi := float64(b.Estimate), float64(b.CILow), float64(b.CIHigh)
	diamond, err := plotter.NewPolygon(plotter.XYs{{X: lo, Y: 0}, {X: est, Y: 0.35}, {X: hi, Y: 0}, {X: est, Y: -0.35}})
	if err != nil {
		return err
	}
	diamond.Color, diamond.LineStyle = vermillion, draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	p.Add(diamond)
	return nil
}

func forestCaption(d forestData, mi measureInfo) string {
	b, dec := d.Pooled, mi.Decimals
	return fmt.Sprintf("Mean course change of each practitioner with at least %d clients (k = %d), with its normal 95%% CI, ordered by estimate; "+
		"the labels are given within this plot only and identify no one. The diamond is the random-effects pooled estimate "+
		"(REML, as metafor's rma) %s (95%% CI %s to %s); the dashed line at its height is the 95%% prediction interval%s, where a "+
		"further practitioner's mean change is expected to fall; the dotted line marks the pooled estimate, the solid line no change. τ² = %s, I² = %s%%.",
		b.MinClients, len(d.Rows), num(float64(b.Estimate), dec), num(float64(b.CILow), dec), num(float64(b.CIHigh), dec), piText(b, dec),
		fcell(b.Tau2, 3, b.UndefinedReason).String(), fcell(b.I2, 1, b.UndefinedReason).String())
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

// severityData is what the severity plot draws.
type severityData struct {
	Names    []string  // the severities other than none, in summary order
	Sessions []float64 // the sessions of each
	None     int       // sessions without an adverse event
	Total    int       // all sessions
}

// severityFigure: sessions by the severity of the adverse event.
func severityFigure(s summary.Safety) (*figure, error) {
	d, missing := selectSeverity(s.Overall)
	return newFigure("safety-severity", "Adverse events by severity", missing,
		func(title string) (template.HTML, error) { return drawSeverity(d, title) },
		func() string { return severityCaption(d) })
}

// selectSeverity takes the sessions by severity of o. missing says why there is nothing to
// draw.
func selectSeverity(o *summary.SafetyBlock) (d severityData, missing string) {
	d.Total = o.Sessions
	for _, e := range o.BySeverity {
		if e.Key == "none" {
			d.None = e.Value
			continue
		}
		d.Sessions = append(d.Sessions, float64(e.Value))
		d.Names = append(d.Names, e.Key)
	}
	if len(d.Sessions) == 0 || d.Total == 0 {
		return d, "Not drawn: no sessions."
	}
	return d, ""
}

// drawSeverity draws the sessions of each severity as a bar with its count above it.
func drawSeverity(d severityData, title string) (template.HTML, error) {
	vals := plotter.Values(d.Sessions)
	p := newPlot("Severity of the adverse event", "Sessions")
	p.Y.Tick.Marker = niceTicks{}
	p.Add(grid(true, false))
	bars, err := plotter.NewBarChart(vals, vg.Points(40))
	if err != nil {
		return "", err
	}
	bars.Color, bars.LineStyle = vermillion, draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	p.Add(bars)
	labels := make([]string, len(vals))
	for i, v := range vals {
		labels[i] = num(v, 0)
	}
	if err := addBarLabels(p, vals, labels, 10); err != nil {
		return "", err
	}
	p.NominalX(d.Names...)
	p.Y.Min, p.Y.Max = 0, math.Max(1, maxOf(vals)*1.2)
	return renderSVG(p, plotWidth, 7*vg.Centimeter, title, frame{})
}

func severityCaption(d severityData) string {
	return fmt.Sprintf("Sessions by the severity of the adverse event recorded, of %s sessions (%s with none, not drawn). "+
		"Counts as in summary.json; rates with exact Poisson CIs (Garwood 1936) are in the table below.",
		count(d.Total), count(d.None))
}

// commitsData is what the commits plot draws: the rows of each commit, in version order.
type commitsData struct {
	Versions                        []string // "v1", "v2", ...
	Accepted, Quarantined, Excluded []float64
	Snapshot                        int64 // the summary's snapshot
}

// commitsFigure: rows accepted, quarantined and excluded per lake commit.
func commitsFigure(s *summary.Summary) (*figure, error) {
	d, missing := selectCommits(s)
	return newFigure("quality-commits", "Rows per commit", missing,
		func(title string) (template.HTML, error) { return drawCommits(d, title) },
		func() string { return commitsCaption(d) })
}

// selectCommits takes the rows of each commit of s. missing says why there is nothing to draw.
func selectCommits(s *summary.Summary) (d commitsData, missing string) {
	d.Snapshot = s.Snapshot
	cs := s.DataQuality.Commits
	if len(cs) == 0 {
		return d, "Not drawn: the lake has no commit."
	}
	for _, c := range cs {
		d.Accepted = append(d.Accepted, float64(c.RowsAccepted))
		d.Quarantined = append(d.Quarantined, float64(c.RowsQuarantined))
		d.Excluded = append(d.Excluded, float64(c.RowsExcluded))
		d.Versions = append(d.Versions, fmt.Sprintf("v%d", c.Version))
	}
	return d, ""
}

// drawCommits draws a stacked bar per commit, with its quarantined rows written above it.
func drawCommits(d commitsData, title string) (template.HTML, error) {
	p := newPlot("Lake commit (version)", "Rows")
	p.Y.Tick.Marker = niceTicks{}
	p.Add(grid(true, false))
	var fr frame
	if err := addCommitBars(p, &fr, d); err != nil {
		return "", err
	}
	tot := make(plotter.Values, len(d.Accepted))
	labels := make([]string, len(d.Accepted))
	for i := range d.Accepted {
		tot[i] = d.Accepted[i] + d.Quarantined[i] + d.Excluded[i]
		if d.Quarantined[i] > 0 {
			labels[i] = count(int(d.Quarantined[i])) + " quarantined"
		}
	}
	p.NominalX(d.Versions...)
	p.Y.Min, p.Y.Max = 0, math.Max(1, maxOf(tot)*1.1)
	if err := addBarLabels(p, tot, labels, 9); err != nil {
		return "", err
	}
	return renderSVG(p, plotWidth, 8*vg.Centimeter, title, fr)
}

// addCommitBars draws the accepted, quarantined and excluded rows as stacked bars, with
// their legend entries.
func addCommitBars(p *plot.Plot, fr *frame, d commitsData) error {
	w := vg.Points(min(50, 300/float64(len(d.Versions))))
	edge := draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	var bars []*plotter.BarChart
	for _, vals := range [][]float64{d.Accepted, d.Quarantined, d.Excluded} {
		b, err := plotter.NewBarChart(plotter.Values(vals), w)
		if err != nil {
			return err
		}
		b.LineStyle = edge
		bars = append(bars, b)
	}
	a, q, e := bars[0], bars[1], bars[2]
	a.Color, q.Color, e.Color = blue, orange, paleBlue
	q.StackOn(a)
	e.StackOn(q)
	p.Add(a, q, e)
	fr.addLegend("accepted", a)
	fr.addLegend("quarantined", q)
	fr.addLegend("excluded (no consent)", e)
	return nil
}

func commitsCaption(d commitsData) string {
	return fmt.Sprintf("Rows of each lake commit up to snapshot %d (%d commits): accepted into the sessions table, quarantined "+
		"(a rule of the schema broken; the number above each bar) and excluded (no research consent). The sources are in the table below.",
		d.Snapshot, len(d.Versions))
}

// addBarLabels writes a label centred above the top of each bar, in the report's sans at
// size points.
func addBarLabels(p *plot.Plot, tops plotter.Values, labels []string, size float64) error {
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: barTops(tops), Labels: labels})
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(size)
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
	es := selectGlance(s)
	missing := ""
	if len(es) == 0 {
		missing = "Not drawn: no measure has a defined effect size."
	}
	return newFigure("glance", "All measures at a glance", missing,
		func(title string) (template.HTML, error) { return drawGlance(es, title) },
		func() string { return glanceCaption })
}

// selectGlance takes each measure's Cohen's d_z of the course change with its CI, negated
// for the measures where higher is worse, in summary order; measures without one are left
// out.
func selectGlance(s *summary.Summary) []estimate {
	var es []estimate
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
		es = append(es, estimate{Label: fmt.Sprintf("%s (n = %s)", info(e.Key).Title, count(b.N)), X: d, Minus: d - lo, Plus: hi - d})
	}
	return es
}

// drawGlance draws the effect sizes, the first measure at the top, over lines at no change
// and at Cohen's small, medium and large effects.
func drawGlance(es []estimate, title string) (template.HTML, error) {
	pts, errs, labels := topDown(es)
	p := newPlot("Improvement from first to last session (Cohen's d_z, 95% CI)", "")
	p.NominalY(labels...)
	p.X.Tick.Marker = niceTicks{}
	p.Add(grid(false, true))
	y0, y1 := -0.6, float64(len(pts))-0.4
	if _, err := addVLines(p, []float64{0.2, 0.5, 0.8}, y0, y1, grey, 0.75, vg.Points(2), vg.Points(3)); err != nil {
		return "", err
	}
	if _, err := addVLines(p, []float64{0}, y0, y1, black, 1); err != nil {
		return "", err
	}
	if err := addIntervalDots(p, pts, errs, 2, 6, 4, draw.CircleGlyph{}); err != nil {
		return "", err
	}
	p.Y.Min, p.Y.Max = y0, y1
	p.X.Min = math.Min(-0.2, p.X.Min)
	p.X.Max = math.Max(1, p.X.Max)
	return renderSVG(p, plotWidth, vg.Points(70)+vg.Points(24)*vg.Length(len(pts)), title, frame{})
}

const glanceCaption = "The course change of each measure in standard deviations of the change (Cohen's d_z = mean change / SD of change, " +
	"with its noncentral-t 95% CI), signed so that right is better for every measure; n is the number of clients with two recorded values. " +
	"The solid line is no change; the dotted lines are Cohen's conventional small (0.2), medium (0.5) and large (0.8) effects."

// addVLines adds a vertical line from y0 to y1 at each of xs to p, in one style, and returns
// them.
func addVLines(p *plot.Plot, xs []float64, y0, y1 float64, c color.Color, width float64, dashes ...vg.Length) ([]*plotter.Line, error) {
	var ls []*plotter.Line
	for _, x := range xs {
		l, err := vline(x, y0, y1, c, width, dashes...)
		if err != nil {
			return nil, err
		}
		p.Add(l)
		ls = append(ls, l)
	}
	return ls, nil
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
