package notebook

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"math/big"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// okabeIto is the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), told
// apart by readers with any common colour-vision deficiency; black is last.
var okabeIto = []color.NRGBA{
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0x00, 0x00, 0x00, 0xFF}, // black
}

// After the eight colours, series are told apart by dashes (lines) or glyphs (points).
var (
	dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}}
	glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}}
)

// maxSeries is the most groups a chart draws: more would be unreadable.
const maxSeries = 32

// Chart size and fonts, in points.
const (
	chartWidth  = 640
	chartHeight = 360
	labelSize   = 12
	tickSize    = 10
)

// chartPlot is a plot and the names of its legend entries (gonum/plot does not list them).
type chartPlot struct {
	*plot.Plot
	legend  plot.Legend // drawn beside the data, not over it as Plot.Legend would be
	entries []string
	points  int // the values drawn
}

// numericColumns names the columns a chart needs numbers in.
func numericColumns(ch *Chart) string {
	switch ch.Kind {
	case "bar":
		return "y=" + ch.Y
	case "histogram":
		return "x=" + ch.X
	}
	return "x=" + ch.X + " and y=" + ch.Y
}

// addLegend adds a legend entry.
func (p *chartPlot) addLegend(name string, th plot.Thumbnailer) {
	p.legend.Add(name, th)
	p.entries = append(p.entries, name)
}

// series is one group's points, in row order.
type series struct {
	name string
	x, y []float64
	xcat []string // bar charts: the category of each bar
}

// drawChart draws tab as ch asks and returns the SVG element (without XML prolog).
func drawChart(ch *Chart, tab *duck.Table) ([]byte, error) {
	p := &chartPlot{Plot: plot.New(), legend: plot.NewLegend()}
	style(p)
	p.X.Label.Text = ch.X
	p.Y.Label.Text = ch.Y
	var err error
	switch ch.Kind {
	case "line", "scatter":
		err = drawXY(p, ch, tab)
	case "bar":
		err = drawBars(p, ch, tab)
	case "histogram":
		p.Y.Label.Text = "count"
		err = drawHist(p, ch, tab)
	}
	if err != nil {
		return nil, err
	}
	if ch.Kind == "scatter" {
		pad(&p.X) // points at the ends stay whole
	}
	if p.points == 0 && len(tab.Rows) > 0 {
		return nil, fmt.Errorf("no numbers to draw: chart=%s needs numbers (or dates, for x of line and scatter) in %s", ch.Kind, numericColumns(ch))
	}
	return toSVG(p)
}

// style sets readable sans-serif fonts and a light grid.
func style(p *chartPlot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Variant = "Sans"
		a.Label.TextStyle.Font.Size = vg.Points(labelSize)
		a.Tick.Label.Font.Variant = "Sans"
		a.Tick.Label.Font.Size = vg.Points(tickSize)
	}
	p.legend.TextStyle.Font.Variant = "Sans"
	p.legend.TextStyle.Font.Size = vg.Points(tickSize)
	p.legend.Padding = vg.Points(3)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xE0}
	g.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(g)
}

// column returns the index of a column of tab.
func column(tab *duck.Table, name string) int {
	for i, c := range tab.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// groups splits the rows into series by the group column (one series without it), in order
// of first appearance. Rows whose x or y is NULL or not a number are left out.
func groups(ch *Chart, tab *duck.Table, categoricalX bool) ([]*series, error) {
	xi, yi, gi := column(tab, ch.X), column(tab, ch.Y), column(tab, ch.Group)
	var out []*series
	index := map[string]*series{}
	for _, row := range tab.Rows {
		name := ""
		if gi >= 0 {
			name = duck.FormatValue(row[gi], tab.Types[gi])
		}
		s := index[name]
		if s == nil {
			if len(out) == maxSeries {
				return nil, fmt.Errorf("group=%s has more than %d values: filter or bucket them in SQL", ch.Group, maxSeries)
			}
			s = &series{name: name}
			index[name] = s
			out = append(out, s)
		}
		y, ok := number(row[yi])
		if !ok {
			continue
		}
		if categoricalX {
			s.xcat = append(s.xcat, duck.FormatValue(row[xi], tab.Types[xi]))
			s.y = append(s.y, y)
			continue
		}
		x, ok := number(row[xi])
		if !ok {
			continue
		}
		s.x, s.y = append(s.x, x), append(s.y, y)
	}
	return out, nil
}

// isTimeColumn reports whether a column holds dates or timestamps.
func isTimeColumn(tab *duck.Table, i int) bool {
	switch tab.Types[i] {
	case "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return true
	}
	return false
}

// number converts a scanned DuckDB value to float64; dates become Unix seconds.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return finite(float64(n))
	case float64:
		return finite(n)
	case *big.Int:
		f, _ := new(big.Float).SetInt(n).Float64()
		return finite(f)
	case time.Time:
		return float64(n.Unix()), true
	case interface{ Float64() float64 }: // duckdb.Decimal
		return finite(n.Float64())
	}
	return 0, false
}

func finite(f float64) (float64, bool) {
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// drawXY draws a line or scatter chart, one series per group.
func drawXY(p *chartPlot, ch *Chart, tab *duck.Table) error {
	ss, err := groups(ch, tab, false)
	if err != nil {
		return err
	}
	if xi := column(tab, ch.X); isTimeColumn(tab, xi) {
		p.X.Tick.Marker = plot.TimeTicks{Format: time.DateOnly, Time: func(t float64) time.Time { return time.Unix(int64(t), 0).UTC() }}
	}
	for i, s := range ss {
		xys := make(plotter.XYs, len(s.x))
		for j := range s.x {
			xys[j] = plotter.XY{X: s.x[j], Y: s.y[j]}
		}
		p.points += len(xys)
		if len(xys) == 0 {
			continue
		}
		col := okabeIto[i%len(okabeIto)]
		var th plot.Thumbnailer
		if ch.Kind == "line" {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return err
			}
			l.Color, l.Width, l.Dashes = col, vg.Points(1.5), dashes[i/len(okabeIto)%len(dashes)]
			p.Add(l)
			th = l
		} else {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return err
			}
			sc.Color, sc.Radius, sc.Shape = col, vg.Points(3), glyphs[i/len(okabeIto)%len(glyphs)]
			p.Add(sc)
			th = sc
		}
		if ch.Group != "" {
			p.addLegend(s.name, th)
		}
	}
	return nil
}

// drawBars draws a bar chart: x is a category, one bar per group side by side.
func drawBars(p *chartPlot, ch *Chart, tab *duck.Table) error {
	ss, err := groups(ch, tab, true)
	if err != nil {
		return err
	}
	var cats []string
	pos := map[string]int{}
	for _, s := range ss {
		for _, c := range s.xcat {
			if _, ok := pos[c]; !ok {
				pos[c] = len(cats)
				cats = append(cats, c)
			}
		}
	}
	if len(cats) == 0 {
		return nil
	}
	// Each category gets 0.8 of the axis unit, shared by the groups' bars.
	unit := vg.Length(chartWidth-120) / vg.Length(len(cats))
	width := unit * 0.8 / vg.Length(len(ss))
	for i, s := range ss {
		p.points += len(s.y)
		vals := make(plotter.Values, len(cats))
		for j, c := range s.xcat {
			vals[pos[c]] += s.y[j]
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		b.Color = okabeIto[i%len(okabeIto)]
		b.LineStyle.Width = 0
		b.Offset = (vg.Length(i) - vg.Length(len(ss)-1)/2) * width
		p.Add(b)
		if ch.Group != "" {
			p.addLegend(s.name, b)
		}
	}
	p.NominalX(cats...)
	if len(cats) > 6 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return nil
}

// drawHist draws the distribution of the x column's numbers.
func drawHist(p *chartPlot, ch *Chart, tab *duck.Table) error {
	xi := column(tab, ch.X)
	var vals plotter.Values
	for _, row := range tab.Rows {
		if x, ok := number(row[xi]); ok {
			vals = append(vals, x)
		}
	}
	p.points = len(vals)
	if len(vals) == 0 {
		return nil
	}
	h, err := plotter.NewHist(vals, ch.Bins)
	if err != nil {
		return err
	}
	h.FillColor = okabeIto[4]
	h.LineStyle.Color = color.White
	p.Add(h)
	return nil
}

// toSVG draws p, its legend to the right of the data when it has one, and returns the
// <svg> element. vgsvg does not embed fonts unless asked and writes no ids or times, so the
// same plot gives the same bytes.
func toSVG(p *chartPlot) ([]byte, error) {
	c := vgsvg.New(vg.Points(chartWidth), vg.Points(chartHeight))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	dc = draw.Crop(dc, vg.Points(8), -vg.Points(8), vg.Points(4), -vg.Points(12))
	pad(&p.Y)
	if len(p.entries) > 0 {
		w := legendWidth(p)
		plotArea, legendArea := dc, dc
		plotArea.Max.X -= w
		legendArea.Min.X = plotArea.Max.X
		p.Draw(plotArea)
		p.legend.Top, p.legend.Left = true, true
		p.legend.XOffs = vg.Points(8)
		p.legend.Draw(legendArea)
	} else {
		p.Draw(dc)
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	i := bytes.Index(b.Bytes(), []byte("<svg"))
	if i < 0 {
		return nil, errors.New("no <svg> element in gonum/plot's output")
	}
	// Text was measured with Liberation Sans, which has Arial's metrics: name fallbacks.
	return bytes.ReplaceAll(b.Bytes()[i:], []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// legendWidth is the width the legend needs: its longest entry and the thumbnail.
func legendWidth(p *chartPlot) vg.Length {
	var w vg.Length
	for _, e := range p.entries {
		w = max(w, p.legend.TextStyle.Width(e))
	}
	return w + p.legend.ThumbnailWidth + vg.Points(24)
}

// pad widens an axis by 5% at the top (and at the bottom unless it starts at 0), so that no
// point or bar touches the frame.
func pad(a *plot.Axis) {
	span := a.Max - a.Min
	if span <= 0 || math.IsInf(span, 0) || math.IsNaN(span) {
		return
	}
	a.Max += 0.05 * span
	if a.Min != 0 {
		a.Min -= 0.05 * span
	}
}
