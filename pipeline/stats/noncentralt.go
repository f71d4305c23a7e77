package stats

import (
	"fmt"
	"math"
)

// NoncentralTCDF returns P(T <= t) for the noncentral t distribution with df degrees of freedom
// and noncentrality ncp, as R's pt(t, df, ncp).
//
// Method: algorithm AS 243 (Lenth 1989, Applied Statistics 38(1), 185–189) with the changes of
// R's nmath/pnt.c: the twin series of Guenther (1978) in the incomplete beta ratios
// I_x(j + 1/2, df/2) and I_x(j + 1, df/2), x = t²/(t² + df), weighted by the Poisson
// probabilities of ncp²/2, summed until the error bound is below 1e-12 (at most 1000 terms),
// plus Φ(-ncp); negative t uses P(T <= t; ncp) = 1 - P(T <= -t; -ncp). For df > 4e5 or
// |ncp| > 37.62 (where exp(-ncp²/2) underflows) it uses the normal approximation of
// Abramowitz and Stegun 26.7.10, as R does. With ncp = 0 it is the central t CDF.
//
// Edge cases: NaN arguments, infinite ncp or df <= 0 give NaN; t = ±Inf gives 0 or 1;
// df = +Inf is the normal limit (through the df > 4e5 branch).
func NoncentralTCDF(t, df, ncp float64) float64 {
	switch {
	case math.IsNaN(t) || math.IsNaN(df) || math.IsNaN(ncp) || !(df > 0) || math.IsInf(ncp, 0):
		return math.NaN()
	case ncp == 0:
		return ptLower(t, df)
	case math.IsInf(t, -1):
		return 0
	case math.IsInf(t, 1):
		return 1
	}
	tt, del, negdel := t, ncp, false
	if t < 0 {
		if ncp > 40 {
			return 0
		}
		tt, del, negdel = -t, -ncp, true
	}
	var tnc float64
	if df > 4e5 || del*del > 2*math.Ln2*1021 {
		s := 1 / (4 * df)
		z := (tt*(1-s) - del) / math.Sqrt(1+tt*tt*2*s)
		if negdel {
			return pnormUpper(z)
		}
		return pnorm(z)
	}
	x := 1 / (1 + df/(tt*tt)) // t²/(t² + df), = 1 when t² overflows, 0 when it underflows
	if x > 0 {
		tnc = pntSeries(tt, df, del, x)
	}
	tnc += pnorm(-del)
	tnc = math.Min(tnc, 1)
	if negdel {
		return 1 - tnc
	}
	return tnc
}

// pntSeries is the series part of AS 243 for t > 0 (R's pnt.c, "initialize twin series").
func pntSeries(tt, df, del, x float64) float64 {
	const (
		itrmax = 1000
		errmax = 1e-12
	)
	lambda := del * del
	p := 0.5 * math.Exp(-0.5*lambda)
	if p == 0 {
		return 0
	}
	q := math.Sqrt(2/math.Pi) * p * del
	s := 0.5 - p
	if s < 1e-7 {
		s = -0.5 * math.Expm1(-0.5*lambda)
	}
	a := 0.5
	b := 0.5 * df
	rxb := math.Pow(df/(tt*tt+df), b) // (1 - x)^b, accurately for t² << df
	lgb, _ := math.Lgamma(b)
	lgb5, _ := math.Lgamma(0.5 + b)
	albeta := 0.5*math.Log(math.Pi) + lgb - lgb5
	xodd := regIncBeta(a, b, x)
	godd := 2 * rxb * math.Exp(a*math.Log(x)-albeta)
	tnc := b * x
	xeven := 1 - rxb
	if tnc < epsilon {
		xeven = tnc
	}
	geven := tnc * rxb
	tnc = p*xodd + q*xeven
	for it := 1; it <= itrmax; it++ {
		a++
		xodd -= godd
		xeven -= geven
		godd *= x * (a + b - 1) / a
		geven *= x * (a + b - 0.5) / (a + 0.5)
		p *= lambda / float64(2*it)
		q *= lambda / float64(2*it+1)
		tnc += p*xodd + q*xeven
		s -= p
		if s < -1e-10 || (s <= 0 && it > 1) {
			break
		}
		if math.Abs(2*s*(xodd-godd)) < errmax {
			break
		}
	}
	return tnc
}

// ncpLimits returns the confidence limits of the noncentrality parameter of an observed t
// with df degrees of freedom: lower solves NoncentralTCDF(t, df, ncp) = 1 - α/2 and upper
// solves it = α/2 (the CDF decreases in ncp). Like ncp_limits() of the reference
// (make_reference.R: uniroot(tol = 1e-13, extendInt = "downX") on [t - w, t + w],
// w = 2 + |t|/2), each root is bracketed on that interval, widened downhill if needed, and
// found by Brent's method (zeroin) to 1e-13.
func ncpLimits(t, df, level float64) (lower, upper float64, err error) {
	alpha := 1 - level
	lower, err = ncpRoot(t, df, 1-alpha/2)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	upper, err = ncpRoot(t, df, alpha/2)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	return lower, upper, nil
}

func ncpRoot(t, df, p float64) (float64, error) {
	const maxit = 10000
	f := func(ncp float64) float64 { return NoncentralTCDF(t, df, ncp) - p }
	w := 2 + math.Abs(t)/2
	lo, hi := t-w, t+w
	flo, fhi := f(lo), f(hi)
	// f decreases in ncp: widen until f(lo) >= 0 >= f(hi), in steps that double.
	step := 0.01 * math.Max(1e-4, math.Abs(lo))
	for it := 0; flo < 0; it++ {
		if it == maxit || math.IsNaN(flo) {
			return math.NaN(), &ConvergenceError{Method: "noncentral t lower bracket", Iter: it}
		}
		lo -= step
		step *= 2
		flo = f(lo)
	}
	step = 0.01 * math.Max(1e-4, math.Abs(hi))
	for it := 0; fhi > 0; it++ {
		if it == maxit || math.IsNaN(fhi) {
			return math.NaN(), &ConvergenceError{Method: "noncentral t upper bracket", Iter: it}
		}
		hi += step
		step *= 2
		fhi = f(hi)
	}
	root, ok := zeroin(lo, hi, flo, fhi, f, 1e-13, maxit)
	if !ok {
		return math.NaN(), &ConvergenceError{Method: "noncentral t root", Iter: maxit}
	}
	return root, nil
}

// EffectSizeOptions are the options of CohensDz and HedgesG.
type EffectSizeOptions struct {
	ConfLevel float64 // 0 means 0.95
}

// CohensDzResult is the result of CohensDz.
type CohensDzResult struct {
	N         int
	MeanDiff  float64 // mean of d = x - y
	SDDiff    float64 // sd of d (n - 1)
	Dz        float64 // MeanDiff / SDDiff
	T         float64 // Dz sqrt(N)
	DF        float64 // N - 1
	NCPLower  float64 // solves pt(T, DF, ncp) = 1 - α/2
	NCPUpper  float64 // solves pt(T, DF, ncp) = α/2
	CILower   float64 // NCPLower / sqrt(N)
	CIUpper   float64 // NCPUpper / sqrt(N)
	ConfLevel float64
}

// CohensDz returns Cohen's (1988) standardised mean difference for paired data,
// d_z = mean(d)/sd(d) with d = x - y over the complete pairs (a NaN drops the pair), and its
// confidence interval by inverting the noncentral t distribution of t = d_z sqrt(n) with
// n - 1 df (Steiger and Fouladi 1997; Cumming and Finch 2001): the limits of the noncentrality
// divided by sqrt(n). Matches cohens_dz() of the reference (make_reference.R).
//
// Errors: fewer than 2 pairs wraps ErrTooFew; sd(d) = 0 wraps ErrZeroVariance (d_z undefined);
// ErrLength, ErrNonFinite as PairedTTest; a root search that fails returns a
// *ConvergenceError.
func CohensDz(x, y []float64, opts EffectSizeOptions) (CohensDzResult, error) {
	d, err := pairDiffs(x, y)
	if err != nil {
		return CohensDzResult{}, fmt.Errorf("cohen's d_z: %w", err)
	}
	level, err := confLevel(opts.ConfLevel)
	if err != nil {
		return CohensDzResult{}, fmt.Errorf("cohen's d_z: %w", err)
	}
	n := len(d)
	if n < 2 {
		return CohensDzResult{}, fmt.Errorf("cohen's d_z: %d complete pairs, need 2: %w", n, ErrTooFew)
	}
	mean, v := meanVar(d)
	s := math.Sqrt(v)
	if !(s > 0) {
		return CohensDzResult{}, fmt.Errorf("cohen's d_z: sd of the differences is 0: %w", ErrZeroVariance)
	}
	r := CohensDzResult{N: n, MeanDiff: mean, SDDiff: s, Dz: mean / s, DF: float64(n - 1), ConfLevel: level}
	sqn := math.Sqrt(float64(n))
	r.T = r.Dz * sqn
	r.NCPLower, r.NCPUpper, err = ncpLimits(r.T, r.DF, level)
	if err != nil {
		return CohensDzResult{}, fmt.Errorf("cohen's d_z: %w", err)
	}
	r.CILower, r.CIUpper = r.NCPLower/sqn, r.NCPUpper/sqn
	return r, nil
}

// HedgesGResult is the result of HedgesG.
type HedgesGResult struct {
	N1, N2    int
	DF        float64 // N1 + N2 - 2
	MeanX     float64
	MeanY     float64
	SDPooled  float64 // sqrt(((N1 - 1) s1² + (N2 - 1) s2²) / DF)
	D         float64 // (MeanX - MeanY) / SDPooled (Cohen's d)
	J         float64 // 1 - 3/(4 DF - 1)
	G         float64 // J D
	T         float64 // D / sqrt(1/N1 + 1/N2)
	NCPLower  float64
	NCPUpper  float64
	DCILower  float64 // NCPLower sqrt(1/N1 + 1/N2)
	DCIUpper  float64
	GCILower  float64 // J DCILower
	GCIUpper  float64
	ConfLevel float64
}

// HedgesG returns Hedges' g for two independent groups x and y (NaN values dropped): Cohen's d
// with the pooled SD times the small-sample correction J = 1 - 3/(4 df - 1), df = n1 + n2 - 2
// (Hedges 1981; Hedges and Olkin 1985, eq. 5.10), and confidence intervals for d and g by
// inverting the noncentral t distribution of t = d / sqrt(1/n1 + 1/n2) with df degrees of
// freedom, the g limits being J times the d limits. Matches hedges_g() of the reference
// (make_reference.R).
//
// Errors: a group with fewer than 2 values wraps ErrTooFew; a pooled SD of 0 wraps
// ErrZeroVariance; ±Inf ErrNonFinite; a failed root search a *ConvergenceError.
func HedgesG(x, y []float64, opts EffectSizeOptions) (HedgesGResult, error) {
	a, err := dropNaN(x)
	if err != nil {
		return HedgesGResult{}, fmt.Errorf("hedges' g: x: %w", err)
	}
	b, err := dropNaN(y)
	if err != nil {
		return HedgesGResult{}, fmt.Errorf("hedges' g: y: %w", err)
	}
	level, err := confLevel(opts.ConfLevel)
	if err != nil {
		return HedgesGResult{}, fmt.Errorf("hedges' g: %w", err)
	}
	if len(a) < 2 || len(b) < 2 {
		return HedgesGResult{}, fmt.Errorf("hedges' g: groups of %d and %d, need 2 each: %w", len(a), len(b), ErrTooFew)
	}
	n1, n2 := float64(len(a)), float64(len(b))
	mx, vx := meanVar(a)
	my, vy := meanVar(b)
	df := n1 + n2 - 2
	sp := math.Sqrt(((n1-1)*vx + (n2-1)*vy) / df)
	if !(sp > 0) {
		return HedgesGResult{}, fmt.Errorf("hedges' g: pooled sd is 0: %w", ErrZeroVariance)
	}
	r := HedgesGResult{N1: len(a), N2: len(b), DF: df, MeanX: mx, MeanY: my, SDPooled: sp, ConfLevel: level}
	r.D = (mx - my) / sp
	r.J = 1 - 3/(4*df-1)
	r.G = r.J * r.D
	k := math.Sqrt(1/n1 + 1/n2)
	r.T = r.D / k
	r.NCPLower, r.NCPUpper, err = ncpLimits(r.T, df, level)
	if err != nil {
		return HedgesGResult{}, fmt.Errorf("hedges' g: %w", err)
	}
	r.DCILower, r.DCIUpper = r.NCPLower*k, r.NCPUpper*k
	r.GCILower, r.GCIUpper = r.J*r.NCPLower*k, r.J*r.NCPUpper*k
	return r, nil
}
