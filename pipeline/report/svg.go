package report

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The Okabe–Ito palette (Okabe and Ito 2008, "Color Universal Design"): distinguishable with
// every common colour-vision deficiency. Series that share a plot also differ in lightness,
// marker or dash, so they survive greyscale printing.
var (
	black      = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	orange     = color.NRGBA{0xE6, 0x9F, 0x00, 0xff}
	skyBlue    = color.NRGBA{0x56, 0xB4, 0xE9, 0xff}
	green      = color.NRGBA{0x00, 0x9E, 0x73, 0xff}
	blue       = color.NRGBA{0x00, 0x72, 0xB2, 0xff}
	vermillion = color.NRGBA{0xD5, 0x5E, 0x00, 0xff}
	purple     = color.NRGBA{0xCC, 0x79, 0xA7, 0xff}
	paleBlue   = color.NRGBA{0xC7, 0xE5, 0xF6, 0xff} // skyBlue mixed with 65% white: CI bands
	grey       = color.NRGBA{0x99, 0x99, 0x99, 0xff}
	gridGrey   = color.NRGBA{0xE3, 0xE3, 0xE3, 0xff}
)

// sans is the plots' typeface. Its metrics lay out the text; the SVG asks the reader's
// browser for it with generic fallbacks, and embeds nothing.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

const fontFamily = "font-family:Liberation Sans;"

// fontStack replaces fontFamily in the SVG: the same face if installed, else a similar one.
const fontStack = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// Standard plot width; heights vary with the content.
const plotWidth = 16 * vg.Centimeter

// newPlot returns a plot with the report's fonts, axis labels and a light grid.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Label.Padding = vg.Points(4)
	}
	p.Title.TextStyle.Font = font.From(sans, 12)
	return p
}

// grid returns grid lines: horizontal, vertical or both.
func grid(horizontal, vertical bool) *plotter.Grid {
	g := plotter.NewGrid()
	ls := draw.LineStyle{Color: gridGrey, Width: vg.Points(0.5)}
	g.Horizontal, g.Vertical = ls, ls
	if !horizontal {
		g.Horizontal.Color = nil
	}
	if !vertical {
		g.Vertical.Color = nil
	}
	return g
}

// vline returns a vertical line at x from y0 to y1.
func vline(x, y0, y1 float64, c color.Color, width float64, dashes ...vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	if err != nil {
		return nil, err
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(width), Dashes: dashes}
	return l, nil
}

// plotPad is the blank margin around every plot, in points. gonum/plot lays a plot out to
// the very edge of its canvas (tick labels, axis labels and bars touch it), so renderSVG draws
// the plot inside this margin: nothing comes nearer the SVG's edge.
const plotPad = vg.Length(8)

// renderSVG draws p into an SVG and returns it for inlining: no XML prologue, a class, an
// accessible label, and a font stack. gonum's SVG writer escapes every text it draws
// (html.EscapeString) and writes no ids, so the bytes depend only on p and fr.
//
// The SVG is w wide. The plot itself (axes and data) is h high; around it renderSVG adds the
// margin plotPad on every side and, above the plot, the legend and the top axis of fr, so
// the SVG is h + 2·plotPad high and taller by those strips when there are any.
func renderSVG(p *plot.Plot, w, h vg.Length, label string, fr frame) (s template.HTML, err error) {
	defer func() {
		// gonum/plot panics on a few degenerate inputs (e.g. an empty range); a plot that
		// cannot be drawn is reported, not fatal.
		if r := recover(); r != nil {
			err = fmt.Errorf("report: draw plot %q: %v", label, r)
		}
	}()
	// The legend starts at the data area's left edge, which does not depend on the plot's
	// height: a canvas without a backend finds it before the SVG's height is known.
	probe := draw.Canvas{Rectangle: vg.Rectangle{Min: vg.Point{X: plotPad, Y: plotPad}, Max: vg.Point{X: w - plotPad, Y: plotPad + h}}}
	sty := legendStyle()
	entries, rows := layoutLegend(fr.legend, sty, p.DataCanvas(probe).Min.X, w-plotPad)
	top := legendHeight(sty, rows)
	if fr.topAxis {
		top += topAxisHeight(p.X)
	}
	c := vgsvg.NewWith(vgsvg.UseWH(w, h+top+2*plotPad))
	dc := draw.New(c)
	dc.SetColor(color.White) // the margin too, for the SVG files saved beside the report
	dc.Fill(dc.Rectangle.Path())
	p.BackgroundColor = nil
	pc := draw.Crop(dc, plotPad, -plotPad, plotPad, -plotPad-top)
	p.Draw(pc)
	if fr.topAxis {
		drawTopAxis(p, p.DataCanvas(pc))
	}
	drawLegend(dc, entries, sty, dc.Max.Y-plotPad)
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	out := b.String()
	out = out[strings.Index(out, "<svg"):]
	out = strings.Replace(out, "<svg ", `<svg class="plot" role="img" aria-label="`+html.EscapeString(label)+`" `, 1)
	out = strings.ReplaceAll(out, fontFamily, fontStack)
	return template.HTML(out), nil
}

// intTicks puts a labelled tick at every integer (every 2nd or 5th on long ranges).
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1
	switch span := hi - lo; {
	case span > 40:
		step = 10
	case span > 20:
		step = 5
	case span > 12:
		step = 2
	}
	var ts []plot.Tick
	for v := math.Ceil(lo); v <= hi; v++ {
		t := plot.Tick{Value: v}
		if int(v)%step == 0 {
			t.Label = strconv.Itoa(int(v))
		}
		ts = append(ts, t)
	}
	return ts
}

// niceTicks puts five to eight labelled ticks at round numbers (1, 2 or 5 × 10^k), with a
// minor tick between, labelled with the report's number format.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: num(lo, 0)}}
	}
	raw := (hi - lo) / 8
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	dec := max(0, -int(math.Floor(math.Log10(step))))
	var ts []plot.Tick
	for i := math.Ceil(lo / step * 2); i/2*step <= hi+1e-9*step; i++ {
		v := i / 2 * step
		t := plot.Tick{Value: v}
		if int(i)%2 == 0 {
			t.Label = num(v, dec)
		}
		ts = append(ts, t)
	}
	return ts
}
