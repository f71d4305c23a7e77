package report

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// legendTexts are the legend entries of the figures of testdata/summary.json that have a
// legend, by the start of the figure's id. The last entry of the change distributions, the
// MCID, is there only for measures with an MCID in measures.json.
var legendTexts = map[string][]*regexp.Regexp{
	"trajectory-":     {regexp.MustCompile(`^mean$`), regexp.MustCompile(`^95% CI$`)},
	"change-":         {regexp.MustCompile(`^no change$`), regexp.MustCompile(`^mean change$`), regexp.MustCompile(`^MCID ±`)},
	"quality-commits": {regexp.MustCompile(`^accepted$`), regexp.MustCompile(`^quarantined$`), regexp.MustCompile(`^excluded \(no consent\)$`)},
}

// optionalMCID reports whether the figure's legend may lack its last entry.
func optionalMCID(id string) bool { return strings.HasPrefix(id, "change-") }

// TestLegendsClearOfData: a legend covers no line, bar, band or text of its plot. The legend's
// box is the union of its texts and their thumbnails (the small paths level with a text and
// beside it); every other path must not cross it, every filled shape must not contain it,
// and every other text box must not overlap it.
func TestLegendsClearOfData(t *testing.T) {
	checked := 0
	for _, f := range testFigures(t) {
		var want []*regexp.Regexp
		for prefix, res := range legendTexts {
			if strings.HasPrefix(f.ID, prefix) {
				want = res
			}
		}
		if want == nil {
			continue
		}
		checked++
		t.Run(f.ID, func(t *testing.T) {
			d, err := parseSVG(string(f.SVG))
			if err != nil {
				t.Fatal(err)
			}
			box, legend, found := legendBox(d, want)
			if found != len(want) && !(optionalMCID(f.ID) && found == len(want)-1) {
				t.Fatalf("found %d of the legend's %d entries", found, len(want))
			}
			for i, p := range d.paths {
				if legend[i] || d.background(p) {
					continue
				}
				if p.crosses(box.grow(p.half)) {
					t.Errorf("a path %s crosses the legend %s", p.box, box)
				}
			}
			for _, tx := range d.texts {
				if !matchAny(want, tx.text) && tx.box.intersects(box) {
					t.Errorf("text %q %s overlaps the legend %s", tx.text, tx.box, box)
				}
			}
		})
	}
	if checked < 5 {
		t.Fatalf("only %d figures with a legend", checked)
	}
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// legendBox returns the box of the legend whose texts match want, which paths are its
// thumbnails, and how many of want it found. A thumbnail is a path at most thumbWidth wide
// (plus its stroke) within the height of an entry's text and at most thumbWidth away from it,
// on either side (gonum puts thumbnails right of the text, renderSVG left of it).
func legendBox(d *svgDoc, want []*regexp.Regexp) (rect, map[int]bool, int) {
	box := rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	thumbs := map[int]bool{}
	found := 0
	for _, re := range want {
		for _, tx := range d.texts {
			if !re.MatchString(tx.text) {
				continue
			}
			found++
			box = box.union(tx.box)
			near := rect{tx.box.x0 - float64(thumbWidth) - 10, tx.box.y0 - 1.5, tx.box.x1 + float64(thumbWidth) + 10, tx.box.y1 + 1.5}
			for i, p := range d.paths {
				if near.contains(p.box.x0, p.box.y0) && near.contains(p.box.x1, p.box.y1) && p.box.x1-p.box.x0 <= float64(thumbWidth)+2*p.half+1 {
					thumbs[i] = true
					box = box.union(p.box)
				}
			}
			break
		}
	}
	return box, thumbs, found
}

// crosses reports whether a line of p passes through r or, for a filled path, r lies inside it.
func (p svgPath) crosses(r rect) bool {
	for _, l := range p.lines {
		for i := 1; i < len(l); i++ {
			if segmentMeetsRect(l[i-1], l[i], r) {
				return true
			}
		}
		if len(l) == 1 && r.contains(l[0].x, l[0].y) {
			return true
		}
	}
	return p.filled && p.insideAny(point{(r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2})
}

// insideAny reports whether q is inside one of p's closed lines (even-odd rule).
func (p svgPath) insideAny(q point) bool {
	for _, l := range p.lines {
		in := false
		for i, j := 0, len(l)-1; i < len(l); j, i = i, i+1 {
			a, b := l[i], l[j]
			if (a.y > q.y) != (b.y > q.y) && q.x < (b.x-a.x)*(q.y-a.y)/(b.y-a.y)+a.x {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// segmentMeetsRect clips the segment ab to r (Liang–Barsky) and reports whether anything is left.
func segmentMeetsRect(a, b point, r rect) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, c := range [4][2]float64{{-dx, a.x - r.x0}, {dx, r.x1 - a.x}, {-dy, a.y - r.y0}, {dy, r.y1 - a.y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

func TestSegmentMeetsRect(t *testing.T) {
	r := rect{0, 0, 10, 10}
	for _, tt := range []struct {
		name string
		a, b point
		want bool
	}{
		{"inside", point{2, 2}, point{3, 3}, true},
		{"through", point{-5, 5}, point{15, 5}, true},
		{"diagonal past the corner", point{9, -5}, point{15, 1}, false},
		{"diagonal across the corner", point{8, -1}, point{11, 2}, true},
		{"above", point{-5, -1}, point{15, -1}, false},
		{"vertical beside", point{11, -5}, point{11, 15}, false},
	} {
		if got := segmentMeetsRect(tt.a, tt.b, r); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}

// forestOf draws the forest plot of pain for testdata/summary.json's meta-analysis with k
// made-up practitioners in place of tables/meta_practitioners.csv's.
func forestOf(t *testing.T, k int) *figure {
	t.Helper()
	in := load(t)
	in.Practitioners = nil
	for i := range k {
		in.Practitioners = append(in.Practitioners, PractitionerRow{Measure: "pain", Key: fmt.Sprintf("p%02d", i),
			Clients: 5 + i%7, MeanChange: -3 + 4*float64(i)/float64(k), VI: 0.1 + 0.05*float64(i%5), Included: true})
	}
	pain, _ := in.Summary.Outcomes.Get("pain")
	f, err := forestFigure(in, "pain", info("pain"), pain.MetaAnalysis)
	if err != nil {
		t.Fatal(err)
	}
	if f.Missing != "" {
		t.Fatal(f.Missing)
	}
	return f
}

var tickLabelRE = regexp.MustCompile(`^−?\d+(\.\d+)?$`)

// TestForestTopAxis: a forest plot of more than forestTopAxisRows rows has the x axis's tick
// labels and label above its first practitioner as well as below the pooled estimate; a
// shorter one has them below only.
func TestForestTopAxis(t *testing.T) {
	for _, tt := range []struct {
		k   int
		top bool
	}{{3, false}, {forestTopAxisRows - 1, false}, {forestTopAxisRows, true}, {120, true}} {
		t.Run(fmt.Sprintf("k=%d", tt.k), func(t *testing.T) {
			d, err := parseSVG(string(forestOf(t, tt.k).SVG))
			if err != nil {
				t.Fatal(err)
			}
			// The rows' labels span [first, last] in y.
			first, last := math.Inf(1), math.Inf(-1)
			var axisLabels []float64
			for _, tx := range d.texts {
				if strings.HasPrefix(tx.text, "Practitioner ") || strings.HasPrefix(tx.text, "Pooled ") {
					first, last = math.Min(first, tx.box.y0), math.Max(last, tx.box.y1)
				}
				if strings.HasPrefix(tx.text, "Mean change from first to last") {
					axisLabels = append(axisLabels, tx.baseline)
				}
			}
			// Tick labels by baseline: a row of them above the first practitioner and one
			// below the pooled estimate.
			above, below := map[float64][]string{}, map[float64][]string{}
			for _, tx := range d.texts {
				if !tickLabelRE.MatchString(tx.text) {
					continue
				}
				switch {
				case tx.box.y1 < first:
					above[tx.baseline] = append(above[tx.baseline], tx.text)
				case tx.box.y0 > last:
					below[tx.baseline] = append(below[tx.baseline], tx.text)
				default:
					t.Errorf("tick label %q %s among the rows [%.1f, %.1f]", tx.text, tx.box, first, last)
				}
			}
			if len(below) != 1 {
				t.Fatalf("tick labels below the rows in %d lines, want 1: %v", len(below), below)
			}
			wantAbove, wantLabels := 0, 1
			if tt.top {
				wantAbove, wantLabels = 1, 2
			}
			if len(above) != wantAbove || len(axisLabels) != wantLabels {
				t.Fatalf("%d lines of tick labels above the rows and %d axis labels, want %d and %d", len(above), len(axisLabels), wantAbove, wantLabels)
			}
			for _, top := range above {
				for _, bottom := range below {
					if !slices.Equal(top, bottom) {
						t.Errorf("tick labels above %q, below %q", top, bottom)
					}
				}
			}
			if tt.top && !(axisLabels[0] < first || axisLabels[1] < first) {
				t.Errorf("no axis label above the rows: baselines %v, first row at %.1f", axisLabels, first)
			}
		})
	}
}
