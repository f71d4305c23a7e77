package stats

import (
	"flag"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

var seed = flag.Uint64("seed", 1, "seed of the randomised property tests")

// newRand returns the seeded source of a property test and logs the seed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	t.Logf("seed %d (rerun with -seed)", *seed)
	return rand.New(rand.NewPCG(*seed, 1))
}

// pairSample draws n pairs on a 0..10 scale, so ties and zero differences occur as in our data.
func pairSample(r *rand.Rand, n int) (x, y []float64) {
	shift := float64(r.IntN(5)) - 2
	for range n {
		b := float64(r.IntN(11))
		a := math.Min(10, math.Max(0, math.Round(b+shift+r.NormFloat64()*2)))
		x, y = append(x, a), append(y, b)
	}
	return x, y
}

func shufflePairs(r *rand.Rand, x, y []float64) ([]float64, []float64) {
	xs, ys := slices.Clone(x), slices.Clone(y)
	r.Shuffle(len(xs), func(i, j int) {
		xs[i], xs[j] = xs[j], xs[i]
		ys[i], ys[j] = ys[j], ys[i]
	})
	return xs, ys
}

func inUnit(p float64) bool { return p >= 0 && p <= 1 }

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return scalar.EqualWithinAbsOrRel(a, b, 1e-12, 1e-10)
}

func TestPropertyPairedTests(t *testing.T) {
	r := newRand(t)
	for it := range 300 {
		x, y := pairSample(r, 2+r.IntN(80))
		xs, ys := shufflePairs(r, x, y)
		alt := Alternative(it % 3)

		tt, err := PairedTTest(x, y, TTestOptions{Alternative: alt})
		if err == nil && math.IsNaN(tt.Statistic) && tt.Estimate != 0 {
			t.Fatalf("paired t NaN statistic with estimate %g", tt.Estimate)
		}
		if err == nil && !math.IsNaN(tt.Statistic) { // NaN only when every difference is 0
			if !inUnit(tt.PValue) || !(tt.ConfLow <= tt.Estimate && tt.Estimate <= tt.ConfHigh) {
				t.Fatalf("paired t %v on %v %v: p %g, CI [%g, %g], estimate %g", alt, x, y, tt.PValue, tt.ConfLow, tt.ConfHigh, tt.Estimate)
			}
			ts, _ := PairedTTest(xs, ys, TTestOptions{Alternative: alt})
			if !near(tt.Statistic, ts.Statistic) || !near(tt.PValue, ts.PValue) || !near(tt.ConfLow, ts.ConfLow) {
				t.Fatalf("paired t depends on row order: %+v vs %+v", tt, ts)
			}
		}

		w, err := WilcoxonSignedRank(x, y, WilcoxonOptions{Alternative: alt})
		if err != nil {
			t.Fatalf("wilcoxon on %v %v: %v", x, y, err)
		}
		if w.N > 0 && !inUnit(w.PValue) {
			t.Fatalf("wilcoxon p = %g", w.PValue)
		}
		// R's intervals contain the estimate when the (achieved) level is at least 1/2; below
		// that a one-sided continuity-corrected limit can pass the uncorrected estimate.
		if w.ConfLevel >= 0.5 && !(w.ConfLow-2e-4 <= w.Estimate && w.Estimate <= w.ConfHigh+2e-4) {
			t.Fatalf("wilcoxon %v on %v %v: CI [%g, %g] misses estimate %g", alt, x, y, w.ConfLow, w.ConfHigh, w.Estimate)
		}
		ws, _ := WilcoxonSignedRank(xs, ys, WilcoxonOptions{Alternative: alt})
		if !near(w.Statistic, ws.Statistic) || !near(w.PValue, ws.PValue) || !near(w.Estimate, ws.Estimate) ||
			!near(w.ConfLow, ws.ConfLow) || !near(w.ConfHigh, ws.ConfHigh) {
			t.Fatalf("wilcoxon depends on row order: %+v vs %+v", w, ws)
		}

		dz, err := CohensDz(x, y, EffectSizeOptions{})
		if err == nil && !(dz.CILower <= dz.Dz && dz.Dz <= dz.CIUpper) {
			t.Fatalf("d_z CI [%g, %g] misses %g", dz.CILower, dz.CIUpper, dz.Dz)
		}

		s, err := SignTest(x, y, LowerIsBetter, ProportionOptions{})
		if err == nil && (!inUnit(s.PValue) || !(s.ConfLow <= s.Estimate && s.Estimate <= s.ConfHigh)) {
			t.Fatalf("sign test %+v", s)
		}
	}
}

func TestPropertyTwoGroups(t *testing.T) {
	r := newRand(t)
	for range 200 {
		a, b := pairSample(r, 2+r.IntN(60))
		b = b[:2+r.IntN(len(b)-1)]
		w, err := WelchTTest(a, b, TTestOptions{})
		if err != nil {
			continue
		}
		if !inUnit(w.PValue) || !(w.ConfLow <= w.Estimate && w.Estimate <= w.ConfHigh) {
			t.Fatalf("welch %+v", w)
		}
		sw, _ := WelchTTest(b, a, TTestOptions{})
		if !near(w.Statistic, -sw.Statistic) || !near(w.PValue, sw.PValue) || !near(w.DF, sw.DF) {
			t.Fatalf("welch not antisymmetric: %+v vs %+v", w, sw)
		}
		g, err := HedgesG(a, b, EffectSizeOptions{})
		if err == nil && !(g.GCILower <= g.G && g.G <= g.GCIUpper && g.DCILower <= g.D && g.D <= g.DCIUpper) {
			t.Fatalf("hedges g %+v", g)
		}
	}
}

func TestPropertyProportions(t *testing.T) {
	for _, n := range []int{1, 2, 7, 30, 103, 448} {
		for x := 0; x <= n; x++ {
			for _, alt := range []Alternative{TwoSided, Less, Greater} {
				opts := ProportionOptions{Alternative: alt}
				w, err := Wilson(x, n, opts)
				if err != nil || !inUnit(w.PValue) || !(w.ConfLow <= w.Estimate && w.Estimate <= w.ConfHigh) || !inUnit(w.ConfLow) || !inUnit(w.ConfHigh) {
					t.Fatalf("wilson(%d, %d, %v) = %+v, %v", x, n, alt, w, err)
				}
				c, err := ClopperPearson(x, n, opts)
				if err != nil || !inUnit(c.PValue) || !(c.ConfLow <= c.Estimate && c.Estimate <= c.ConfHigh) {
					t.Fatalf("clopper-pearson(%d, %d, %v) = %+v, %v", x, n, alt, c, err)
				}
				// The same counts as events in a time base: the interval contains the rate.
				p, err := PoissonRate(x, float64(n)/10, PoissonOptions{Alternative: alt, Rate0: 5})
				if err != nil || !inUnit(p.PValue) || !(p.ConfLow <= p.Estimate && p.Estimate <= p.ConfHigh) {
					t.Fatalf("poisson(%d, %g, %v) = %+v, %v", x, float64(n)/10, alt, p, err)
				}
			}
		}
	}
}

func TestPropertyPAdjust(t *testing.T) {
	r := newRand(t)
	for range 200 {
		p := make([]float64, 1+r.IntN(20))
		for i := range p {
			switch r.IntN(6) {
			case 0:
				p[i] = math.NaN()
			case 1:
				p[i] = 1
			default:
				p[i] = math.Round(r.Float64()*40) / 40 // ties
			}
		}
		perm := r.Perm(len(p))
		q := make([]float64, len(p))
		for i, j := range perm {
			q[i] = p[j]
		}
		for name, adj := range map[string]func([]float64) []float64{"holm": AdjustHolm, "bh": AdjustBH} {
			a, b := adj(p), adj(q)
			for i, j := range perm {
				if !near(b[i], a[j]) {
					t.Fatalf("%s not permutation-equivariant on %v", name, p)
				}
			}
			for i := range p {
				if math.IsNaN(p[i]) != math.IsNaN(a[i]) || (!math.IsNaN(p[i]) && (a[i] < p[i] || a[i] > 1)) {
					t.Fatalf("%s(%v) = %v", name, p, a)
				}
			}
		}
	}
}

func TestPropertyMeta(t *testing.T) {
	r := newRand(t)
	for it := range 200 {
		k := 1 + r.IntN(15)
		yi, vi := make([]float64, k), make([]float64, k)
		tau := r.Float64()
		for i := range yi {
			vi[i] = 0.05 + r.Float64()*0.5
			yi[i] = -1 + tau*r.NormFloat64() + math.Sqrt(vi[i])*r.NormFloat64()
		}
		opts := MetaOptions{Method: Tau2Method(it % 2), KnappHartung: it%3 == 0}
		m, err := MetaAnalysis(yi, vi, opts)
		if err != nil {
			t.Fatalf("meta %v %v: %v", yi, vi, err)
		}
		if !inUnit(m.PValue) || !inUnit(m.QEp) || !(m.CILower <= m.Mu && m.Mu <= m.CIUpper) ||
			!(m.PILower <= m.CILower && m.CIUpper <= m.PIUpper) || m.Tau2 < 0 {
			t.Fatalf("meta %+v", m)
		}
		if k > 1 && !(m.I2 >= 0 && m.I2 < 100 && m.H2 >= 1 && m.Tau2CILower <= m.Tau2CIUpper) {
			t.Fatalf("meta heterogeneity %+v", m)
		}
		perm := r.Perm(k)
		ys, vs := make([]float64, k), make([]float64, k)
		for i, j := range perm {
			ys[i], vs[i] = yi[j], vi[j]
		}
		ms, _ := MetaAnalysis(ys, vs, opts)
		for _, pair := range [][2]float64{{m.Mu, ms.Mu}, {m.SE, ms.SE}, {m.PValue, ms.PValue}, {m.Tau2CIUpper, ms.Tau2CIUpper}} {
			if !(math.IsNaN(pair[0]) && math.IsNaN(pair[1])) && !scalar.EqualWithinAbsOrRel(pair[0], pair[1], 1e-9, 1e-7) {
				t.Fatalf("meta depends on study order: %+v vs %+v", m, ms)
			}
		}
		if !scalar.EqualWithinAbsOrRel(m.Tau2, ms.Tau2, 1e-9, 1e-7) {
			t.Fatalf("meta tau2 depends on study order: %g vs %g", m.Tau2, ms.Tau2)
		}
	}
}
