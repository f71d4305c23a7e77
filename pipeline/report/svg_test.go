package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// This file reads back the SVG that renderSVG writes (gonum's vgsvg output: <g> with
// translate, scale and rotate transforms, <path> with M, L, A, Q, C and Z, and <text>) into
// boxes and polylines in the SVG's own coordinates (points, y down), so tests can check the
// geometry a reader sees.
//
// Text extents are approximate: an SVG names a font but not the glyphs' outlines, and the
// browser draws with the first face of the font stack it has. The tests measure text with
// gonum/plot's metrics of Liberation Sans (font.DefaultCache), the face the plot code lays
// out with: the advance widths of its glyphs for the width, its ascent above and descent below
// the baseline for the height. Arial has the same advance widths (Liberation Sans was made
// metric-compatible with it); other fallbacks differ by a few percent, which the margins the
// tests allow absorb. Checked once against Chromium with Liberation Sans installed: the boxes
// of the 53 texts of three of the demo's plots were within 0.5 pt of its getBoundingClientRect.

// rect is an axis-parallel box, y down.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) String() string {
	return fmt.Sprintf("[%.1f, %.1f]×[%.1f, %.1f]", r.x0, r.x1, r.y0, r.y1)
}

func (r rect) union(o rect) rect {
	return rect{math.Min(r.x0, o.x0), math.Min(r.y0, o.y0), math.Max(r.x1, o.x1), math.Max(r.y1, o.y1)}
}

func (r rect) intersects(o rect) bool {
	return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1
}

func (r rect) grow(d float64) rect { return rect{r.x0 - d, r.y0 - d, r.x1 + d, r.y1 + d} }

func (r rect) contains(x, y float64) bool { return r.x0 <= x && x <= r.x1 && r.y0 <= y && y <= r.y1 }

type point struct{ x, y float64 }

// svgPath is one <path>: its subpaths as polylines (arcs sampled, curves by their control
// polygon), its box (half the stroke width included) and whether it is stroked or filled.
type svgPath struct {
	lines   [][]point
	box     rect
	half    float64 // half the stroke width: how far the ink reaches beyond the lines
	stroked bool
	filled  bool
}

// svgText is one <text>: its string, its box from the font metrics, and its baseline's y.
type svgText struct {
	text     string
	box      rect
	baseline float64
}

type svgDoc struct {
	w, h  float64 // the viewBox's size
	paths []svgPath
	texts []svgText
}

// affine is an SVG transform matrix(a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f.
type affine [6]float64

var identity = affine{1, 0, 0, 1, 0, 0}

func (m affine) then(n affine) affine { // m·n: n applied first
	return affine{
		m[0]*n[0] + m[2]*n[1], m[1]*n[0] + m[3]*n[1],
		m[0]*n[2] + m[2]*n[3], m[1]*n[2] + m[3]*n[3],
		m[0]*n[4] + m[2]*n[5] + m[4], m[1]*n[4] + m[3]*n[5] + m[5],
	}
}

func (m affine) apply(p point) point {
	return point{m[0]*p.x + m[2]*p.y + m[4], m[1]*p.x + m[3]*p.y + m[5]}
}

var transformRE = regexp.MustCompile(`(\w+)\(([^)]*)\)`)

func parseTransform(s string) (affine, error) {
	m := identity
	for _, f := range transformRE.FindAllStringSubmatch(s, -1) {
		args, err := floats(f[2])
		if err != nil {
			return m, err
		}
		var t affine
		switch {
		case f[1] == "translate" && len(args) == 2:
			t = affine{1, 0, 0, 1, args[0], args[1]}
		case f[1] == "scale" && len(args) == 2:
			t = affine{args[0], 0, 0, args[1], 0, 0}
		case f[1] == "rotate" && len(args) == 1:
			s, c := math.Sincos(args[0] * math.Pi / 180)
			t = affine{c, s, -s, c, 0, 0}
		default:
			return m, fmt.Errorf("transform %q not understood", f[0])
		}
		m = m.then(t)
	}
	return m, nil
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// styleOf splits a style attribute into its properties.
func styleOf(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(kv, ":"); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseSVG reads an SVG written by renderSVG.
func parseSVG(svg string) (*svgDoc, error) {
	d := &svgDoc{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	stack := []affine{identity}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return d, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			m, err := parseTransform(attr(t, "transform"))
			if err != nil {
				return nil, err
			}
			m = stack[len(stack)-1].then(m)
			stack = append(stack, m)
			switch t.Name.Local {
			case "svg":
				vb, err := floats(attr(t, "viewBox"))
				if err != nil || len(vb) != 4 {
					return nil, fmt.Errorf("viewBox %q", attr(t, "viewBox"))
				}
				d.w, d.h = vb[2], vb[3]
			case "path":
				p, err := parsePath(attr(t, "d"), styleOf(attr(t, "style")), m)
				if err != nil {
					return nil, err
				}
				d.paths = append(d.paths, p)
			case "text":
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return nil, err
				}
				stack = stack[:len(stack)-1] // DecodeElement consumed the end tag
				tx, err := parseText(t, s, m)
				if err != nil {
					return nil, err
				}
				d.texts = append(d.texts, tx)
			case "g":
			default:
				return nil, fmt.Errorf("unexpected element <%s>", t.Name.Local)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// parseText measures a <text> with gonum's metrics of the font its style names.
func parseText(e xml.StartElement, s string, m affine) (svgText, error) {
	sty := styleOf(attr(e, "style"))
	if sty["font-family"] != strings.TrimSuffix(strings.TrimPrefix(fontStack, "font-family:"), ";") ||
		sty["font-weight"] != "normal" || sty["font-style"] != "normal" {
		return svgText{}, fmt.Errorf("text %q: font %q %q %q is not the report's", s, sty["font-family"], sty["font-weight"], sty["font-style"])
	}
	size, err := strconv.ParseFloat(strings.TrimSuffix(sty["font-size"], "px"), 64)
	if err != nil {
		return svgText{}, fmt.Errorf("text %q: font-size %q", s, sty["font-size"])
	}
	if !font.DefaultCache.Has(sans) {
		return svgText{}, fmt.Errorf("gonum's font cache lacks %v", sans)
	}
	face := font.DefaultCache.Lookup(sans, vg.Length(size))
	xy, err := floats(attr(e, "x") + " " + attr(e, "y"))
	if err != nil || len(xy) != 2 {
		return svgText{}, fmt.Errorf("text %q: x, y", s)
	}
	ext := face.Extents()
	x, y, w := xy[0], xy[1], face.Width(s).Points()
	corners := []point{{x, y - ext.Ascent.Points()}, {x + w, y - ext.Ascent.Points()},
		{x, y + ext.Descent.Points()}, {x + w, y + ext.Descent.Points()}}
	return svgText{text: s, box: boxOf(corners, m, 0), baseline: m.apply(point{x, y}).y}, nil
}

var pathTokenRE = regexp.MustCompile(`[MLAQCZ]|-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`)

// parsePath reads the path data vgsvg writes: absolute commands, arcs with equal radii.
func parsePath(data string, sty map[string]string, m affine) (svgPath, error) {
	p := svgPath{stroked: sty["stroke"] != "" && sty["stroke"] != "none", filled: sty["fill"] != "none"}
	toks := pathTokenRE.FindAllString(data, -1)
	var cur []point
	var pts []point // every point, for the box
	num := func(i int) float64 { x, _ := strconv.ParseFloat(toks[i], 64); return x }
	flush := func() {
		if len(cur) > 0 {
			p.lines = append(p.lines, cur)
		}
		cur = nil
	}
	for i := 0; i < len(toks); {
		cmd := toks[i]
		i++
		need := map[string]int{"M": 2, "L": 2, "Q": 4, "C": 6, "A": 7, "Z": 0}[cmd]
		if i+need > len(toks) {
			return p, fmt.Errorf("path %q: %s lacks arguments", data, cmd)
		}
		switch cmd {
		case "M":
			flush()
			cur = []point{{num(i), num(i + 1)}}
		case "L":
			cur = append(cur, point{num(i), num(i + 1)})
		case "Q", "C":
			for j := 0; j < need; j += 2 {
				cur = append(cur, point{num(i + j), num(i + j + 1)})
			}
		case "A":
			if len(cur) == 0 {
				return p, fmt.Errorf("path %q: arc without a start", data)
			}
			cur = append(cur, arcPoints(cur[len(cur)-1], num(i), num(i+3) != 0, num(i+4) != 0, point{num(i + 5), num(i + 6)})...)
		case "Z":
			if len(cur) > 0 {
				cur = append(cur, cur[0])
			}
		default:
			return p, fmt.Errorf("path %q: command %q", data, cmd)
		}
		i += need
	}
	flush()
	for li, l := range p.lines {
		for j := range l {
			l[j] = m.apply(l[j])
		}
		p.lines[li] = l
		pts = append(pts, l...)
	}
	if p.stroked {
		w, err := strconv.ParseFloat(cmpOr(sty["stroke-width"], "1"), 64)
		if err != nil {
			return p, err
		}
		p.half = w / 2 // every transform here keeps lengths (translations, rotations, flips)
	}
	p.box = boxOf(pts, identity, p.half)
	return p, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// arcPoints samples the circular arc of radius r from p0 to p1 (SVG "A r,r 0 large sweep p1"),
// converting it to centre form as the SVG specification's implementation notes (F.6.5) do.
func arcPoints(p0 point, r float64, large, sweep bool, p1 point) []point {
	hx, hy := (p0.x-p1.x)/2, (p0.y-p1.y)/2
	d2 := hx*hx + hy*hy
	if d2 == 0 {
		return nil
	}
	r = math.Max(r, math.Sqrt(d2))
	k := math.Sqrt(math.Max(0, (r*r-d2)/d2))
	if large == sweep {
		k = -k
	}
	cx, cy := k*hy+(p0.x+p1.x)/2, -k*hx+(p0.y+p1.y)/2
	a0 := math.Atan2(p0.y-cy, p0.x-cx)
	da := math.Atan2(p1.y-cy, p1.x-cx) - a0
	switch {
	case sweep && da < 0:
		da += 2 * math.Pi
	case !sweep && da > 0:
		da -= 2 * math.Pi
	}
	const n = 24
	out := make([]point, n)
	for i := range out {
		s, c := math.Sincos(a0 + da*float64(i+1)/n)
		out[i] = point{cx + r*c, cy + r*s}
	}
	return out
}

func boxOf(pts []point, m affine, grow float64) rect {
	r := rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range pts {
		q := m.apply(p)
		r = r.union(rect{q.x, q.y, q.x, q.y})
	}
	return r.grow(grow)
}

// background reports whether p is the white rectangle under the whole plot.
func (d *svgDoc) background(p svgPath) bool {
	const eps = 1e-6
	return p.filled && !p.stroked && math.Abs(p.box.x0) < eps && math.Abs(p.box.y0) < eps &&
		math.Abs(p.box.x1-d.w) < eps && math.Abs(p.box.y1-d.h) < eps
}

// TestPlotsKeepMargin: nothing a plot draws, bar, line, glyph or text, comes nearer the SVG's
// edge than half of plotPad (the other half absorbs the approximate text extents).
func TestPlotsKeepMargin(t *testing.T) {
	for _, f := range testFigures(t) {
		t.Run(f.ID, func(t *testing.T) {
			d, err := parseSVG(string(f.SVG))
			if err != nil {
				t.Fatal(err)
			}
			m := float64(plotPad) / 2
			inner := rect{m, m, d.w - m, d.h - m}
			inside := func(r rect) bool { return inner.contains(r.x0, r.y0) && inner.contains(r.x1, r.y1) }
			for _, p := range d.paths {
				if !d.background(p) && !inside(p.box) {
					t.Errorf("a path %s comes within %.0f pt of the edge of the %.1f × %.1f SVG", p.box, m, d.w, d.h)
				}
			}
			for _, tx := range d.texts {
				if !inside(tx.box) {
					t.Errorf("text %q %s comes within %.0f pt of the edge of the %.1f × %.1f SVG", tx.text, tx.box, m, d.w, d.h)
				}
			}
		})
	}
}

// testFigures returns every figure drawn for testdata/summary.json, and a forest plot of 40
// practitioners (forest-pain-tall) with its axis at the top too.
func testFigures(t *testing.T) []*figure {
	t.Helper()
	p, err := build(load(t))
	if err != nil {
		t.Fatal(err)
	}
	figs := p.figures()
	if len(figs) < 10 {
		t.Fatalf("only %d figures drawn", len(figs))
	}
	tall := forestOf(t, 40)
	tall.ID += "-tall"
	return append(figs, tall)
}

// TestParseSVG checks the reader on a hand-made SVG: a text under gonum's flip and a rotation,
// and a circle drawn as two arcs.
func TestParseSVG(t *testing.T) {
	const svg = `<svg viewBox="0 0 100 50"><g transform="scale(1, -1) translate(0, -50)">
<path d="M40,20A5,5 0 1 1 30,20A5,5 0 1 1 40,20" style="fill:none;stroke:#000000;stroke-width:2" />
<g transform="rotate(90)"><text x="10" y="5" transform="scale(1, -1)" style="` + fontStack +
		`font-variant:normal;font-weight:normal;font-style:normal;font-size:10px">ab</text></g></g></svg>`
	d, err := parseSVG(svg)
	if err != nil {
		t.Fatal(err)
	}
	if d.w != 100 || d.h != 50 || len(d.paths) != 1 || len(d.texts) != 1 {
		t.Fatalf("parsed %+v", d)
	}
	// The circle of radius 5 about (35, 20) in gonum's y-up coordinates is about (35, 30)
	// in the SVG's; the stroke adds 1.
	want := rect{29, 24, 41, 36}
	if got := d.paths[0].box; math.Abs(got.x0-want.x0)+math.Abs(got.y0-want.y0)+math.Abs(got.x1-want.x1)+math.Abs(got.y1-want.y1) > 0.1 {
		t.Errorf("circle's box %s, want %s", got, want)
	}
	// The text runs up from (5, 40) (rotated 90° in gonum's y-up frame: its baseline is the
	// vertical line x = 5, its glyphs to the left of it).
	face := font.DefaultCache.Lookup(sans, 10)
	e, w := face.Extents(), face.Width("ab").Points()
	want = rect{5 - e.Ascent.Points(), 40 - w, 5 + e.Descent.Points(), 40}
	if got := d.texts[0].box; math.Abs(got.x0-want.x0)+math.Abs(got.y0-want.y0)+math.Abs(got.x1-want.x1)+math.Abs(got.y1-want.y1) > 1e-6 {
		t.Errorf("text's box %s, want %s", got, want)
	}
}
