package stats

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// lmmSimulate draws y = 6 - 0.3 session + practitioner + client + noise for nOuter
// practitioners with clientsPer clients of 3 to 8 sessions each, from a seeded PCG.
func lmmSimulate(seed uint64, nOuter, clientsPer int, sdOuter, sdClient, sigma float64) LMMData {
	rng := rand.New(rand.NewPCG(seed, 1))
	var d LMMData
	var sess []float64
	for o := range nOuter {
		uo := sdOuter * rng.NormFloat64()
		for c := range clientsPer {
			uc := sdClient * rng.NormFloat64()
			for s := 1; s <= 3+rng.IntN(6); s++ {
				d.Y = append(d.Y, 6-0.3*float64(s)+uo+uc+sigma*rng.NormFloat64())
				sess = append(sess, float64(s))
				d.Outer = append(d.Outer, fmt.Sprintf("p%d", o))
				d.Group = append(d.Group, fmt.Sprintf("c%d", c)) // unique within practitioner only
			}
		}
	}
	d.X, d.XNames = [][]float64{sess}, []string{"session_number"}
	return d
}

// lmmPermute returns d's rows in the order perm.
func lmmPermute(d LMMData, perm []int) LMMData {
	out := LMMData{XNames: d.XNames, X: make([][]float64, len(d.X))}
	for _, i := range perm {
		out.Y = append(out.Y, d.Y[i])
		out.Group = append(out.Group, d.Group[i])
		if d.Outer != nil {
			out.Outer = append(out.Outer, d.Outer[i])
		}
		if d.Slope != nil {
			out.Slope = append(out.Slope, d.Slope[i])
		}
		for j := range d.X {
			out.X[j] = append(out.X[j], d.X[j][i])
		}
	}
	return out
}

func lmmClose(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if !(math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-3)) {
		t.Errorf("%s: got %.12g, want %.12g (rel %g)", what, got, want, rel)
	}
}

func TestFitLMMRowOrderInvariance(t *testing.T) {
	t.Parallel()
	const seed = 7
	base := lmmSimulate(seed, 8, 10, 0.8, 1.2, 1)
	slope := lmmPermute(base, lmmIota(len(base.Y)))
	slope.Outer, slope.Slope = nil, slope.X[0]
	for _, tc := range []struct {
		name string
		d    LMMData
		opts LMMOptions
	}{
		{"nested_reml", base, LMMOptions{}},
		{"nested_ml", base, LMMOptions{ML: true}},
		{"slope_reml", slope, LMMOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := FitLMM(t.Context(), tc.d, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			perm := rand.New(rand.NewPCG(seed, 2)).Perm(len(tc.d.Y))
			b, err := FitLMM(t.Context(), lmmPermute(tc.d, perm), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			lmmClose(t, "criterion", b.Criterion, a.Criterion, 1e-12)
			for i := range a.Theta {
				lmmClose(t, fmt.Sprintf("theta[%d]", i), b.Theta[i], a.Theta[i], 1e-6)
			}
			for j := range a.Fixed {
				lmmClose(t, "beta "+a.Fixed[j].Name, b.Fixed[j].Estimate, a.Fixed[j].Estimate, 1e-8)
				lmmClose(t, "df "+a.Fixed[j].Name, b.Fixed[j].DF, a.Fixed[j].DF, 1e-5)
			}
			if a.NGroups != b.NGroups || a.NOuter != b.NOuter || a.NObs != b.NObs {
				t.Errorf("counts differ: %d/%d/%d vs %d/%d/%d", a.NObs, a.NGroups, a.NOuter, b.NObs, b.NGroups, b.NOuter)
			}
		})
	}
}

func lmmIota(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestFitLMMSingular copies one practitioner's clients to three practitioners, so the
// practitioner means are identical and the practitioner variance is estimated as exactly 0:
// the fit must be flagged singular and equal the (1 | client) fit.
func TestFitLMMSingular(t *testing.T) {
	t.Parallel()
	one := lmmSimulate(3, 1, 12, 0, 1.2, 1)
	var d LMMData
	d.X, d.XNames = [][]float64{nil}, one.XNames
	var flat LMMData
	flat.X, flat.XNames = [][]float64{nil}, one.XNames
	for p := range 3 {
		for i := range one.Y {
			d.Y = append(d.Y, one.Y[i])
			d.X[0] = append(d.X[0], one.X[0][i])
			d.Group = append(d.Group, one.Group[i])
			d.Outer = append(d.Outer, fmt.Sprintf("p%d", p))
			flat.Group = append(flat.Group, fmt.Sprintf("p%d/%s", p, one.Group[i]))
		}
	}
	flat.Y, flat.X[0] = d.Y, d.X[0]
	fit, err := FitLMM(t.Context(), d, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !fit.Singular || fit.Theta[1] != 0 || fit.VarOuter != 0 {
		t.Fatalf("want a singular fit with theta[1] = 0, got singular=%v theta=%v", fit.Singular, fit.Theta)
	}
	ref, err := FitLMM(t.Context(), flat, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Singular {
		t.Errorf("(1 | client) fit flagged singular")
	}
	lmmClose(t, "criterion", fit.Criterion, ref.Criterion, 1e-12)
	lmmClose(t, "theta", fit.Theta[0], ref.Theta[0], 1e-6)
	for j := range fit.Fixed {
		lmmClose(t, "se "+fit.Fixed[j].Name, fit.Fixed[j].SE, ref.Fixed[j].SE, 1e-6)
		lmmClose(t, "df "+fit.Fixed[j].Name, fit.Fixed[j].DF, ref.Fixed[j].DF, 1e-4)
	}
}

func TestFitLMMDropsNaNRows(t *testing.T) {
	t.Parallel()
	d := lmmSimulate(5, 5, 6, 0.5, 1, 1)
	full, err := FitLMM(t.Context(), d, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	withNaN := lmmPermute(d, lmmIota(len(d.Y)))
	withNaN.Y = append(withNaN.Y, math.NaN(), 3)
	withNaN.X[0] = append(withNaN.X[0], 2, math.NaN())
	withNaN.Group = append(withNaN.Group, "c0", "c1")
	withNaN.Outer = append(withNaN.Outer, "p0", "p1")
	fit, err := FitLMM(t.Context(), withNaN, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fit.NDropped != 2 || fit.NObs != full.NObs {
		t.Errorf("NObs %d NDropped %d, want %d and 2", fit.NObs, fit.NDropped, full.NObs)
	}
	lmmClose(t, "criterion", fit.Criterion, full.Criterion, 1e-12)
}

func TestFitLMMDegenerate(t *testing.T) {
	t.Parallel()
	good := lmmSimulate(11, 4, 5, 0.5, 1, 1)
	n := len(good.Y)
	constant := func(v float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	labels := func(s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	with := func(f func(d *LMMData)) LMMData {
		d := lmmPermute(good, lmmIota(n))
		f(&d)
		return d
	}
	for _, tc := range []struct {
		name string
		d    LMMData
		want error
	}{
		{"empty", LMMData{}, ErrTooFew},
		{"two rows", LMMData{Y: []float64{1, 2}, Group: []string{"a", "b"}}, ErrTooFew},
		{"single group", with(func(d *LMMData) { d.Outer, d.Group = nil, labels("c") }), ErrTooFew},
		{"single practitioner", with(func(d *LMMData) { d.Outer = labels("p") }), ErrTooFew},
		{"one row per group", with(func(d *LMMData) {
			d.Outer = nil
			for i := range d.Group {
				d.Group[i] = fmt.Sprint(i)
			}
		}), ErrTooFew},
		{"constant y", with(func(d *LMMData) { d.Y = constant(4) }), ErrZeroVariance},
		{"y exactly linear in x", with(func(d *LMMData) {
			for i, x := range d.X[0] {
				d.Y[i] = 2 + 3*x
			}
		}), ErrZeroVariance},
		{"y exactly fitted by the random effects", lmmSimulate(5, 4, 6, 0.5, 1, 0), ErrZeroVariance},
		{"x constant (aliased with the intercept)", with(func(d *LMMData) { d.X[0] = constant(2) }), ErrLMMRankDeficient},
		{"duplicate x column", with(func(d *LMMData) { d.X = append(d.X, d.X[0]); d.XNames = nil }), ErrLMMRankDeficient},
		{"all rows NaN", with(func(d *LMMData) { d.Y = constant(math.NaN()) }), ErrTooFew},
		{"Inf in y", with(func(d *LMMData) { d.Y[3] = math.Inf(1) }), ErrNonFinite},
		{"Inf in x", with(func(d *LMMData) { d.X[0][3] = math.Inf(-1) }), ErrNonFinite},
		{"group length", with(func(d *LMMData) { d.Group = d.Group[1:] }), ErrLength},
		{"x length", with(func(d *LMMData) { d.X[0] = d.X[0][1:] }), ErrLength},
		{"names length", with(func(d *LMMData) { d.XNames = nil; d.XNames = []string{"a", "b"} }), ErrLength},
		{"nested slope", with(func(d *LMMData) { d.Slope = d.X[0] }), ErrDomain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fit, err := FitLMM(t.Context(), tc.d, LMMOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v (fit %v), want %v", err, fit, tc.want)
			}
		})
	}
}

func TestFitLMMRankErrorCarriesCondition(t *testing.T) {
	t.Parallel()
	d := lmmSimulate(11, 4, 5, 0.5, 1, 1)
	d.X = append(d.X, d.X[0])
	d.XNames = nil
	_, err := FitLMM(t.Context(), d, LMMOptions{})
	var re *LMMRankError
	if !errors.As(err, &re) || !(re.Cond > 1e12) {
		t.Fatalf("got %v, want an *LMMRankError with a huge condition number", err)
	}
}

func TestFitLMMNoConvergence(t *testing.T) {
	t.Parallel()
	_, err := FitLMM(t.Context(), lmmSimulate(1, 5, 6, 0.5, 1, 1), LMMOptions{MaxEval: 5})
	var ce *ConvergenceError
	if !errors.As(err, &ce) || !errors.Is(err, ErrNoConvergence) || ce.Iter <= 0 {
		t.Fatalf("got %v, want a *ConvergenceError with its iteration count", err)
	}
}

func TestFitLMMCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := FitLMM(ctx, lmmSimulate(1, 5, 6, 0.5, 1, 1), LMMOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestFitLMMRecoversParameters checks a large simulated nested data set against its true
// parameters (loosely: sampling error only).
func TestFitLMMRecoversParameters(t *testing.T) {
	t.Parallel()
	fit, err := FitLMM(t.Context(), lmmSimulate(2, 60, 40, 0.8, 1.2, 1), LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lmmClose(t, "slope", fit.Fixed[1].Estimate, -0.3, 0.05)
	lmmClose(t, "sigma", fit.Sigma, 1, 0.05)
	lmmClose(t, "var client", fit.VarGroup, 1.44, 0.15)
	lmmClose(t, "var practitioner", fit.VarOuter, 0.64, 0.5)
	if fit.NOuter != 60 || fit.NGroups != 2400 {
		t.Errorf("groups %d/%d, want 60/2400", fit.NOuter, fit.NGroups)
	}
}

func ExampleFitLMM() {
	// Pain before each session for 3 practitioners with 2 clients each.
	d := LMMData{
		Y:      []float64{8, 7, 5, 6, 5, 5, 7, 5, 4, 6, 4, 4, 5, 4, 4, 3, 3, 1},
		X:      [][]float64{{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}},
		XNames: []string{"session_number"},
		Group:  []string{"a", "a", "a", "b", "b", "b", "a", "a", "a", "b", "b", "b", "a", "a", "a", "b", "b", "b"},
		Outer:  []string{"p", "p", "p", "p", "p", "p", "q", "q", "q", "q", "q", "q", "r", "r", "r", "r", "r", "r"},
	}
	fit, err := FitLMM(context.Background(), d, LMMOptions{}) // REML
	if err != nil {
		fmt.Println(err)
		return
	}
	// lme4 1.1-31, lmer(y ~ s + (1 | p/g), REML = TRUE, control = lmerControl(optimizer =
	// "bobyqa", optCtrl = list(rhoend = 1e-12))), gives 6.7777778 (SE 0.85214457) and
	// -1.0000000 (SE 0.17407766), theta (1.586984097, 1.888071673), REMLcrit 47.834127043.
	for _, fe := range fit.Fixed {
		fmt.Printf("%-15s %6.3f se %.3f df %5.2f\n", fe.Name, fe.Estimate, fe.SE, fe.DF)
	}
	fmt.Printf("theta %.6f %.6f, REML criterion %.6f\n", fit.Theta[0], fit.Theta[1], fit.Criterion)
	fmt.Printf("groups %d in %d, singular %v\n", fit.NGroups, fit.NOuter, fit.Singular)
	// Output:
	// (Intercept)      6.778 se 0.852 df  2.86
	// session_number  -1.000 se 0.174 df 11.00
	// theta 1.586984 1.888072, REML criterion 47.834127
	// groups 6 in 3, singular false
}

// TestFitLMMShiftInvariance adds 1000 to y and 500 to x: theta, the criterion and the slope
// must not change, and the intercept must move by 1000 - 500 slope (FitLMM centres the
// columns, so large means cost no precision).
func TestFitLMMShiftInvariance(t *testing.T) {
	t.Parallel()
	d := lmmSimulate(9, 10, 12, 0.7, 1.1, 1)
	a, err := FitLMM(t.Context(), d, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := lmmPermute(d, lmmIota(len(d.Y)))
	for i := range e.Y {
		e.Y[i] += 1000
		e.X[0][i] += 500
	}
	b, err := FitLMM(t.Context(), e, LMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lmmClose(t, "criterion", b.Criterion, a.Criterion, 1e-12)
	for i := range a.Theta {
		lmmClose(t, fmt.Sprintf("theta[%d]", i), b.Theta[i], a.Theta[i], 1e-6)
	}
	slope := a.Fixed[1].Estimate
	lmmClose(t, "slope", b.Fixed[1].Estimate, slope, 1e-8)
	lmmClose(t, "intercept", b.Fixed[0].Estimate, a.Fixed[0].Estimate+1000-500*slope, 1e-8)
	lmmClose(t, "se slope", b.Fixed[1].SE, a.Fixed[1].SE, 1e-6)
	lmmClose(t, "df slope", b.Fixed[1].DF, a.Fixed[1].DF, 1e-5)
}

// FuzzFitLMM builds small data sets from bytes (values, group and practitioner labels,
// NaN and Inf included) for each structure and checks that FitLMM never panics and returns
// either an error or a fit with finite estimates and a non-negative theta diagonal.
func FuzzFitLMM(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}, uint8(0))
	f.Add([]byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, uint8(1))
	f.Add([]byte{0, 255, 3, 128, 7, 1, 250, 2, 6, 6, 6, 4, 200, 100, 50, 25}, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, structure uint8) {
		if len(data) > 300 {
			t.Skip("inputs are kept small: each is a whole fit")
		}
		d := lmmFuzzData(data, structure%3)
		fit, err := FitLMM(t.Context(), d, LMMOptions{MaxEval: 2000})
		if err != nil {
			return
		}
		for _, fe := range fit.Fixed {
			if math.IsNaN(fe.Estimate) || math.IsInf(fe.Estimate, 0) || !(fe.SE > 0) {
				t.Fatalf("fixed effect %+v not finite", fe)
			}
		}
		if !(fit.Sigma > 0) || math.IsNaN(fit.Criterion) || fit.Theta[0] < 0 {
			t.Fatalf("fit %+v", fit)
		}
	})
}

// lmmFuzzData turns each byte into a row: y from the byte (250 gives NaN, 251 +Inf),
// x = byte mod 7, client = byte mod 5, practitioner = byte/5 mod 3.
func lmmFuzzData(data []byte, structure uint8) LMMData {
	var d LMMData
	x := make([]float64, 0, len(data))
	for i, b := range data {
		y := float64(b) / 10
		switch b {
		case 250:
			y = math.NaN()
		case 251:
			y = math.Inf(1)
		}
		d.Y = append(d.Y, y+float64(i%3))
		x = append(x, float64(b%7))
		d.Group = append(d.Group, fmt.Sprint(b%5))
		d.Outer = append(d.Outer, fmt.Sprint(b/5%3))
	}
	d.X = [][]float64{x}
	switch structure {
	case 0:
		d.Outer = nil
	case 2:
		d.Outer, d.Slope = nil, x
	}
	return d
}

// TestLMMCriterionDense checks the per-group evaluation (Schur complements, size classes,
// centring) against the definitions with dense matrices at theta away from the optimum:
// with V = I + Z Lambda Lambda' Z', log|L_theta|^2 = log|V| (determinant lemma),
// log|R_X|^2 = log|X'V^-1 X| and r^2 = (y - X b)'V^-1 (y - X b) at the GLS estimate b.
func TestLMMCriterionDense(t *testing.T) {
	t.Parallel()
	nested := lmmSimulate(21, 3, 4, 0.7, 1, 1)
	flat := lmmPermute(nested, lmmIota(len(nested.Y)))
	flat.Outer = nil
	slope := lmmPermute(flat, lmmIota(len(flat.Y)))
	slope.Slope = slope.X[0]
	for _, tc := range []struct {
		name  string
		d     LMMData
		theta []float64
	}{
		{"intercept", flat, []float64{0.8}},
		{"nested", nested, []float64{1.3, 0.4}},
		{"nested_zero", nested, []float64{0.9, 0}},
		{"slope", slope, []float64{1.1, -0.3, 0.25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newLMMModel(tc.d)
			if err != nil {
				t.Fatal(err)
			}
			w := m.newWork()
			if !m.eval(tc.theta, w) {
				t.Fatal("eval failed")
			}
			ldV, ldX, r2 := lmmDenseCriterion(t, tc.d, tc.theta)
			lmmClose(t, "log|L|^2", w.ldL2, ldV, 1e-10)
			lmmClose(t, "log|R_X|^2", w.ldRX, ldX, 1e-10)
			lmmClose(t, "r^2", w.r2, r2, 1e-10)
		})
	}
}

// lmmDenseCriterion computes log|V|, log|X'V^-1 X| and the GLS r^2 with dense matrices.
func lmmDenseCriterion(t *testing.T, d LMMData, theta []float64) (ldV, ldX, r2 float64) {
	n := len(d.Y)
	codes := func(labels []string) ([]int, int) {
		idx := map[string]int{}
		out := make([]int, n)
		for i, l := range labels {
			if _, ok := idx[l]; !ok {
				idx[l] = len(idx)
			}
			out[i] = idx[l]
		}
		return out, len(idx)
	}
	inner := d.Group
	if d.Outer != nil {
		inner = make([]string, n)
		for i := range inner {
			inner[i] = d.Outer[i] + "\x00" + d.Group[i]
		}
	}
	g, ng := codes(inner)
	var zl *mat.Dense // Z Lambda
	switch {
	case d.Outer != nil:
		o, no := codes(d.Outer)
		zl = mat.NewDense(n, ng+no, nil)
		for i := range n {
			zl.Set(i, g[i], theta[0])
			zl.Set(i, ng+o[i], theta[1])
		}
	case d.Slope != nil:
		zl = mat.NewDense(n, 2*ng, nil)
		for i, s := range d.Slope {
			zl.Set(i, 2*g[i], theta[0]+s*theta[1])
			zl.Set(i, 2*g[i]+1, s*theta[2])
		}
	default:
		zl = mat.NewDense(n, ng, nil)
		for i := range n {
			zl.Set(i, g[i], theta[0])
		}
	}
	v := mat.NewSymDense(n, nil)
	var zz mat.Dense
	zz.Mul(zl, zl.T())
	for i := range n {
		for j := i; j < n; j++ {
			v.SetSym(i, j, zz.At(i, j))
		}
		v.SetSym(i, i, v.At(i, i)+1)
	}
	var ch mat.Cholesky
	if !ch.Factorize(v) {
		t.Fatal("V not positive definite")
	}
	x := mat.NewDense(n, 1+len(d.X), nil)
	for i := range n {
		x.Set(i, 0, 1)
		for j, col := range d.X {
			x.Set(i, j+1, col[i])
		}
	}
	y := mat.NewVecDense(n, slices.Clone(d.Y))
	var vix, viy mat.Dense
	if err := ch.SolveTo(&vix, x); err != nil {
		t.Fatal(err)
	}
	if err := ch.SolveTo(&viy, y); err != nil {
		t.Fatal(err)
	}
	var xvx, xvy mat.Dense
	xvx.Mul(x.T(), &vix)
	xvy.Mul(x.T(), &viy)
	var b mat.Dense
	if err := b.Solve(&xvx, &xvy); err != nil {
		t.Fatal(err)
	}
	var res mat.Dense
	res.Mul(x, &b)
	res.Sub(y, &res)
	var vres mat.Dense
	if err := ch.SolveTo(&vres, &res); err != nil {
		t.Fatal(err)
	}
	return ch.LogDet(), math.Log(mat.Det(&xvx)), mat.Dot(res.ColView(0), vres.ColView(0))
}
