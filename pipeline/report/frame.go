package report

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The legend, in points. gonum/plot draws a legend inside the data area, in a corner chosen
// by hand, over whatever data is there (the change distributions' legend lay on the MCID line);
// renderSVG instead draws it in rows in a strip above the plot, so it can cover nothing. The
// rows' widths and heights, and those of the top axis, come from the text's font metrics
// (text.Style, font.Face), as gonum/plot computes its own layout.
const (
	thumbWidth = vg.Length(20) // width of a legend entry's thumbnail (gonum's default)
	thumbGap   = vg.Length(4)  // between a thumbnail and its text
	entryGap   = vg.Length(14) // between two legend entries of a row
	rowGap     = vg.Length(3)  // between two rows of legend entries
	legendGap  = vg.Length(6)  // between the legend and the plot below it
)

// frame says what renderSVG draws around a plot besides the margin.
type frame struct {
	// legend is drawn in rows above the data area, left-aligned with it: never over data.
	legend []legendEntry
	// topAxis repeats the x axis (line, ticks, tick labels and label) above the data area,
	// below the legend: for plots taller than a screen, whose bottom axis is out of sight
	// while one reads the top.
	topAxis bool
}

// legendEntry is one entry of a legend: thumbnails of the series and a text beside them.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// addLegend adds an entry to the frame's legend (as plot.Legend.Add does to gonum's).
func (f *frame) addLegend(txt string, thumbs ...plot.Thumbnailer) {
	f.legend = append(f.legend, legendEntry{text: txt, thumbs: thumbs})
}

// legendStyle is the legend's text style: the report's sans at 10 pt.
func legendStyle() text.Style {
	return text.Style{Color: black, Font: font.From(sans, 10), Handler: plot.DefaultTextHandler}
}

// placedEntry is a legend entry at its place: x of its left edge, row from the top.
type placedEntry struct {
	legendEntry
	x   vg.Length
	row int
}

// layoutLegend places entries left to right from x0, starting a new row when an entry would
// pass xMax. It returns the entries and the number of rows.
func layoutLegend(entries []legendEntry, sty text.Style, x0, xMax vg.Length) ([]placedEntry, int) {
	var out []placedEntry
	x, row := x0, 0
	for _, e := range entries {
		w := thumbWidth + thumbGap + sty.Width(e.text)
		if x > x0 && x+w > xMax {
			x, row = x0, row+1
		}
		out = append(out, placedEntry{legendEntry: e, x: x, row: row})
		x += w + entryGap
	}
	if len(out) == 0 {
		return nil, 0
	}
	return out, row + 1
}

// legendRowHeight is the height of one row of legend entries: the text's ascent + descent.
func legendRowHeight(sty text.Style) vg.Length {
	e := sty.FontExtents()
	return e.Ascent + e.Descent
}

// legendHeight is the height of the legend strip with rows rows, the gap below it included.
func legendHeight(sty text.Style, rows int) vg.Length {
	if rows == 0 {
		return 0
	}
	return vg.Length(rows)*legendRowHeight(sty) + vg.Length(rows-1)*rowGap + legendGap
}

// drawLegend draws placed entries in rows downward from top. Each text is drawn at its
// baseline (vg.Canvas.FillString) so that its ascent and descent fill the row exactly, level
// with its thumbnails; text.Style's alignment would place it by gonum's own rule, about a
// point higher.
func drawLegend(c draw.Canvas, entries []placedEntry, sty text.Style, top vg.Length) {
	rowH := legendRowHeight(sty)
	face := font.DefaultCache.Lookup(sty.Font, sty.Font.Size)
	for _, e := range entries {
		bottom := top - vg.Length(e.row+1)*rowH - vg.Length(e.row)*rowGap
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: e.x, Y: bottom}, Max: vg.Point{X: e.x + thumbWidth, Y: bottom + rowH}}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		c.SetColor(sty.Color)
		c.FillString(face, vg.Point{X: e.x + thumbWidth + thumbGap, Y: bottom + face.Extents().Descent}, e.text)
	}
}

// topAxisHeight is the height of the x axis drawn above the data area: the mirror of
// gonum's horizontal axis (padding, line, ticks, tick labels, label padding, label).
func topAxisHeight(a plot.Axis) vg.Length {
	h := a.Padding + a.Width/2 + a.Tick.Length + textHeight(a.Tick.Label)
	if a.Label.Text != "" {
		h += a.Label.Padding + textHeight(a.Label.TextStyle)
	}
	return h
}

// textHeight is the ascent + descent of a text style's font.
func textHeight(sty text.Style) vg.Length {
	e := sty.FontExtents()
	return e.Ascent + e.Descent
}

// drawTopAxis draws p's x axis above the data area data, as gonum draws it below: the line
// a.Padding above the data, ticks pointing up (minor ones half as long), the tick labels and
// the axis label above them, each text centred and drawn at its baseline.
func drawTopAxis(p *plot.Plot, data draw.Canvas) {
	a := p.X
	y := data.Max.Y + a.Padding + a.Width/2
	data.StrokeLine2(a.LineStyle, data.Min.X, y, data.Max.X, y)
	marks := a.Tick.Marker.Ticks(a.Min, a.Max)
	for _, t := range marks {
		x := data.X(a.Norm(t.Value))
		if !data.ContainsX(x) || a.Tick.Width <= 0 {
			continue
		}
		l := a.Tick.Length
		if t.Label == "" {
			l /= 2
		}
		data.StrokeLine2(a.Tick.LineStyle, x, y, x, y+l)
	}
	y += a.Tick.Length
	for _, t := range marks {
		if x := data.X(a.Norm(t.Value)); data.ContainsX(x) && t.Label != "" {
			centredText(data, a.Tick.Label, x, y, t.Label)
		}
	}
	if a.Label.Text != "" {
		centredText(data, a.Label.TextStyle, data.Center().X, y+textHeight(a.Tick.Label)+a.Label.Padding, a.Label.Text)
	}
}

// centredText draws txt centred on x with its descent's bottom at y.
func centredText(c draw.Canvas, sty text.Style, x, y vg.Length, txt string) {
	face := font.DefaultCache.Lookup(sty.Font, sty.Font.Size)
	c.SetColor(sty.Color)
	c.FillString(face, vg.Point{X: x - face.Width(txt)/2, Y: y + face.Extents().Descent}, txt)
}
