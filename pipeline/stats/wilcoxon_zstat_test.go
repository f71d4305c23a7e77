package stats

import (
	"math"
	"testing"
)

// zStatElementwise is R's W function computed element by element (the definition zStat's
// grouped computation must reproduce exactly).
func zStatElementwise(w wilcoxon, mu float64, correct bool) (z, sigma float64) {
	var xd []float64
	for _, v := range w.d {
		if v-mu != 0 {
			xd = append(xd, v-mu)
		}
	}
	nx := float64(len(xd))
	ranks, groups := absRanks(xd)
	var s, tieSum float64
	for i, v := range xd {
		if v > 0 {
			s += ranks[i]
		}
	}
	for _, t := range groups {
		tf := float64(t)
		tieSum += tf*tf*tf - tf
	}
	zd := s - nx*(nx+1)/4
	sigma = math.Sqrt(nx*(nx+1)*(2*nx+1)/24 - tieSum/48)
	c := 0.0
	if correct {
		switch w.alt {
		case TwoSided:
			c = 0.5 * sign(zd)
		case Greater:
			c = 0.5
		case Less:
			c = -0.5
		}
	}
	return (zd - c) / sigma, sigma
}

// TestZStatGrouped checks that ranking distinct values gives bit for bit what ranking every
// difference gives, on integer scores (many ties), quarter steps and continuous data, at
// shifts that land on, between and beyond the data. The samples come from -seed; the kinds
// are drawn in a fixed order, so a seed gives the same samples every run.
func TestZStatGrouped(t *testing.T) {
	r := newRand(t)
	kinds := []struct {
		name string
		draw func() float64
	}{
		{"integers", func() float64 { return float64(r.IntN(21) - 10) }},
		{"quarters", func() float64 { return float64(r.IntN(49)-24) / 4 }},
		{"normal", func() float64 { return r.NormFloat64() * 3 }},
	}
	for _, k := range kinds {
		for range 20 {
			d := nonZeroSample(1+r.IntN(400), k.draw)
			checkZStatGrouped(t, k.name, d, []float64{0, 0.5, -1, 1.25, 2.5, r.NormFloat64() * 4, -11, 11})
		}
	}
}

// nonZeroSample draws n values other than 0.
func nonZeroSample(n int, draw func() float64) []float64 {
	var d []float64
	for len(d) < n {
		if v := draw(); v != 0 {
			d = append(d, v)
		}
	}
	return d
}

// checkZStatGrouped compares zStat with zStatElementwise on d at every shift mu, for every
// alternative, with and without the continuity correction.
func checkZStatGrouped(t *testing.T, kind string, d, mus []float64) {
	t.Helper()
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	for _, alt := range []Alternative{TwoSided, Less, Greater} {
		w := newWilcoxon(d, alt, true)
		for _, mu := range mus {
			for _, correct := range []bool{true, false} {
				gz, gs := w.zStat(mu, correct)
				ez, es := zStatElementwise(w, mu, correct)
				if !same(gz, ez) || !same(gs, es) {
					t.Fatalf("%s n=%d mu=%g alt=%v correct=%v: grouped (%v, %v), element-wise (%v, %v) (seed %d)",
						kind, len(d), mu, alt, correct, gz, gs, ez, es, *seed)
				}
			}
		}
	}
}
