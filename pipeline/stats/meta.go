package stats

import (
	"fmt"
	"math"
)

// Tau2Method is the estimator of the between-study variance τ².
type Tau2Method int

const (
	Tau2REML Tau2Method = iota // restricted maximum likelihood (metafor's default)
	Tau2DL                     // DerSimonian and Laird (1986) method of moments
)

// String returns metafor's name of the method.
func (m Tau2Method) String() string {
	switch m {
	case Tau2REML:
		return "REML"
	case Tau2DL:
		return "DL"
	}
	return fmt.Sprintf("Tau2Method(%d)", int(m))
}

// MetaOptions are the options of MetaAnalysis.
type MetaOptions struct {
	Method Tau2Method
	// KnappHartung uses the Knapp and Hartung (2003) standard error and t tests with k - 1 df
	// (metafor's test = "knha"); otherwise z tests.
	KnappHartung bool
	ConfLevel    float64 // 0 means 0.95
	// Threshold is the convergence threshold of the REML Fisher scoring on the change of τ²;
	// 0 means 1e-12 (metafor's default 1e-5 leaves τ² about 1e-5 off).
	Threshold float64
	// MaxIter bounds the Fisher scoring iterations; 0 means 10000.
	MaxIter int
	// StepAdj multiplies each Fisher scoring step (metafor's stepadj); 0 means 1.
	StepAdj float64
}

// MetaResult is the result of MetaAnalysis; names follow metafor's rma, confint and predict.
type MetaResult struct {
	K            int // number of studies used
	Method       Tau2Method
	KnappHartung bool
	Mu           float64 // pooled estimate (rma's beta, predict's pred)
	SE           float64 // its standard error (Knapp–Hartung when KnappHartung)
	Stat         float64 // Mu / SE: zval, or tval under Knapp–Hartung
	DF           float64 // K - 1 under Knapp–Hartung; +Inf for z tests
	PValue       float64
	CILower      float64 // CI of Mu (also predict's ci.lb)
	CIUpper      float64
	Tau2         float64
	SETau2       float64 // NaN when K = 1
	I2           float64 // percent; NaN when K = 1
	H2           float64 // NaN when K = 1
	QE           float64 // Cochran's Q
	QEp          float64 // P(chi-square_{K-1} >= QE); 1 when K = 1
	Tau2CILower  float64 // Q-profile CI of τ² (confint); NaN when K = 1
	Tau2CIUpper  float64 // the search bound itself when the root lies beyond it
	I2CILower    float64
	I2CIUpper    float64
	H2CILower    float64
	H2CIUpper    float64
	PILower      float64 // prediction interval Mu -/+ crit sqrt(SE² + τ²)
	PIUpper      float64
	ConfLevel    float64
	Iterations   int      // Fisher scoring iterations (REML)
	Warnings     []string // e.g. the k = 1 fallback
}

// MetaAnalysis fits the random-effects model y_i ~ N(μ, v_i + τ²) as metafor's
// rma(yi, vi, method = "REML" or "DL", test = "z" or "knha") (Viechtbauer 2010, J Stat Softw
// 36(3)), with confint()'s Q-profile interval for τ² and predict()'s prediction interval.
//
//   - Fixed-effect weights w = 1/v; QE = Σ w (y - Σwy/Σw)², QEp from the chi-square upper tail.
//   - DL: τ² = max(0, (QE - (k - 1)) / (Σw - Σw²/Σw)).
//   - REML: Fisher scoring τ² += (y'PPy - tr P) / Σ_ij P_ij², P = W - ww'/Σw at w = 1/(v + τ²),
//     starting from the Hedges estimate max(0, var(y) - mean(v)), halving a step that would go
//     below 0 (so a boundary estimate is exactly 0 or within the threshold of it), until the
//     change is below Threshold, as metafor's rma.uni. Where metafor would stop with "Fisher
//     scoring algorithm did not converge", the iteration is rerun with the step adjustment
//     halved (metafor's remedy, stepadj) and Warnings says so.
//   - μ = Σw*y/Σw*, SE = 1/sqrt(Σw*), z tests and CI with the normal quantile; Knapp–Hartung:
//     SE = sqrt(q/Σw*), q = Σw*(y - μ)²/(k - 1) (not truncated at 1; 0 when Σw*(y - μ)² is
//     below machine epsilon, as metafor), t with k - 1 df.
//   - SE of τ²: REML sqrt(2/Σ P_ij²); DL sqrt((2(k-1) + 4τ² tr P + 2τ⁴ Σ P_ij²)/(tr P)²) with P
//     from the fixed-effect weights.
//   - I² = 100 τ²/(τ² + ṽ), H² = (τ² + ṽ)/ṽ, ṽ = (k - 1)Σw/((Σw)² - Σw²) (metafor's typical
//     within-study variance).
//   - Q-profile (Viechtbauer 2007): Q(t) = Σ w_t (y - μ_t)², w_t = 1/(v + t); the limits solve
//     Q(t) = χ²_{k-1, 1-α/2} and χ²_{k-1, α/2} on [0, max(100, 10 τ²)] (Brent, tol 1e-12); a
//     limit below 0 is 0, an upper limit beyond the bound is reported as the bound.
//   - Prediction interval μ -/+ crit sqrt(SE² + τ²), crit the normal or t(k - 1) quantile.
//
// Studies with NaN yi or vi are dropped (metafor's na.omit). Degenerate input: no study wraps
// ErrTooFew; vi <= 0 or ±Inf wraps ErrDomain; lengths differ ErrLength; REML without
// convergence returns a *ConvergenceError. With k = 1 (as metafor) τ² is 0 and not estimated,
// the test is a z test (a warning says so when Knapp–Hartung was asked for), QE = 0, QEp = 1,
// and SETau2, I², H² and their CIs are NaN.
func MetaAnalysis(yi, vi []float64, opts MetaOptions) (MetaResult, error) {
	y, v, err := metaInput(yi, vi)
	if err != nil {
		return MetaResult{}, fmt.Errorf("meta-analysis: %w", err)
	}
	level, err := confLevel(opts.ConfLevel)
	if err != nil {
		return MetaResult{}, fmt.Errorf("meta-analysis: %w", err)
	}
	r := MetaResult{K: len(y), Method: opts.Method, KnappHartung: opts.KnappHartung, ConfLevel: level}
	if r.K == 1 {
		return metaSingle(r, y[0], v[0], level), nil
	}
	fe := newMetaWeights(y, v, 0)
	r.QE = fe.q
	r.QEp = pchisqUpper(fe.q, float64(r.K-1))
	switch opts.Method {
	case Tau2DL:
		r.Tau2 = math.Max(0, (fe.q-float64(r.K-1))/fe.trP)
		r.SETau2 = math.Sqrt(2*float64(r.K-1)+4*r.Tau2*fe.trP+2*r.Tau2*r.Tau2*fe.sumP2) / fe.trP
	case Tau2REML:
		r.Tau2, r.Iterations, err = remlTau2Retry(y, v, opts, &r.Warnings)
		if err != nil {
			return MetaResult{}, fmt.Errorf("meta-analysis: %w", err)
		}
		r.SETau2 = math.Sqrt(2 / newMetaWeights(y, v, r.Tau2).sumP2)
	default:
		return MetaResult{}, fmt.Errorf("meta-analysis: method %d: %w", int(opts.Method), ErrDomain)
	}
	vt := float64(r.K-1) / fe.trP
	r.I2, r.H2 = 100*r.Tau2/(r.Tau2+vt), (r.Tau2+vt)/vt
	r.fixedEffect(newMetaWeights(y, v, r.Tau2), opts.KnappHartung, level)
	r.Tau2CILower, r.Tau2CIUpper = qProfile(y, v, r.Tau2, level)
	r.I2CILower, r.I2CIUpper = 100*r.Tau2CILower/(r.Tau2CILower+vt), 100*r.Tau2CIUpper/(r.Tau2CIUpper+vt)
	r.H2CILower, r.H2CIUpper = (r.Tau2CILower+vt)/vt, (r.Tau2CIUpper+vt)/vt
	return r, nil
}

// metaInput drops studies with a NaN and checks the rest.
func metaInput(yi, vi []float64) (y, v []float64, err error) {
	if len(yi) != len(vi) {
		return nil, nil, fmt.Errorf("%d yi, %d vi: %w", len(yi), len(vi), ErrLength)
	}
	for i := range yi {
		if math.IsNaN(yi[i]) || math.IsNaN(vi[i]) {
			continue
		}
		if math.IsInf(yi[i], 0) || !(vi[i] > 0) || math.IsInf(vi[i], 0) {
			return nil, nil, fmt.Errorf("study %d: yi = %g, vi = %g (need finite yi, 0 < vi < Inf): %w", i, yi[i], vi[i], ErrDomain)
		}
		y, v = append(y, yi[i]), append(v, vi[i])
	}
	if len(y) == 0 {
		return nil, nil, fmt.Errorf("no study with yi and vi: %w", ErrTooFew)
	}
	return y, v, nil
}

// metaSingle is the k = 1 model: μ = y, SE = sqrt(v), z test, τ² = 0.
func metaSingle(r MetaResult, y, v, level float64) MetaResult {
	if r.KnappHartung {
		r.Warnings = append(r.Warnings, "k = 1: Knapp-Hartung not possible, using a z test")
		r.KnappHartung = false
	}
	r.QE, r.QEp = 0, 1
	r.SETau2, r.I2, r.H2 = math.NaN(), math.NaN(), math.NaN()
	r.Tau2CILower, r.Tau2CIUpper = math.NaN(), math.NaN()
	r.I2CILower, r.I2CIUpper, r.H2CILower, r.H2CIUpper = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	r.fixedEffect(newMetaWeights([]float64{y}, []float64{v}, 0), false, level)
	return r
}

// metaWeights holds the sums of one weighting w = 1/(v + tau2).
type metaWeights struct {
	w     []float64
	sumW  float64
	mu    float64 // Σwy/Σw
	q     float64 // Σw(y - mu)²
	trP   float64 // Σw - Σw²/Σw
	sumP2 float64 // Σ_ij P_ij² = Σw² - 2Σw³/Σw + (Σw²)²/(Σw)²
	pyPy  float64 // y'PPy = Σ(w(y - mu))²
}

func newMetaWeights(y, v []float64, tau2 float64) metaWeights {
	m := metaWeights{w: make([]float64, len(y))}
	var sw, swy, sw2, sw3 float64
	for i := range y {
		w := 1 / (v[i] + tau2)
		m.w[i] = w
		sw += w
		swy += w * y[i]
		sw2 += w * w
		sw3 += w * w * w
	}
	m.sumW, m.mu = sw, swy/sw
	for i := range y {
		e := y[i] - m.mu
		m.q += m.w[i] * e * e
		m.pyPy += m.w[i] * m.w[i] * e * e
	}
	m.trP = sw - sw2/sw
	m.sumP2 = sw2 - 2*sw3/sw + sw2*sw2/(sw*sw)
	return m
}

// remlTau2Retry runs remlTau2 and, when Fisher scoring does not converge (it can oscillate
// when the REML curvature is far from its expectation), retries with the step adjustment
// halved, down to 1/64: metafor stops with an error there and suggests a smaller stepadj; the
// estimate found is the same root of the REML score. Each retry adds a warning.
func remlTau2Retry(y, v []float64, opts MetaOptions, warnings *[]string) (float64, int, error) {
	if opts.StepAdj == 0 {
		opts.StepAdj = 1
	}
	if !(opts.StepAdj > 0) || opts.Threshold < 0 || opts.MaxIter < 0 {
		return math.NaN(), 0, fmt.Errorf("stepadj %g, threshold %g, maxiter %d: %w", opts.StepAdj, opts.Threshold, opts.MaxIter, ErrDomain)
	}
	for {
		tau2, iter, err := remlTau2(y, v, opts)
		if err == nil || opts.StepAdj <= 1.0/64 {
			return tau2, iter, err
		}
		opts.StepAdj /= 2
		*warnings = append(*warnings, fmt.Sprintf("fisher scoring did not converge; retried with stepadj = %g", opts.StepAdj))
	}
}

// remlTau2 is metafor's Fisher scoring for the REML estimate of τ².
func remlTau2(y, v []float64, opts MetaOptions) (float64, int, error) {
	threshold, maxIter := opts.Threshold, opts.MaxIter
	if threshold == 0 {
		threshold = 1e-12
	}
	if maxIter == 0 {
		maxIter = 10000
	}
	_, varY := meanVar(y)
	var meanV float64
	for _, x := range v {
		meanV += x
	}
	meanV /= float64(len(v))
	tau2 := math.Max(0, varY-meanV) // Hedges' estimate, metafor's starting value
	change := math.Inf(1)
	iter := 0
	for change > threshold {
		if iter == maxIter {
			return math.NaN(), iter, &ConvergenceError{Method: "reml tau2 fisher scoring", Iter: iter, Change: change}
		}
		iter++
		m := newMetaWeights(y, v, tau2)
		adj := (m.pyPy - m.trP) / m.sumP2 * opts.StepAdj
		if !isFinite(adj) { // weights overflow: sampling variances near 0 or huge data
			return math.NaN(), iter, &ConvergenceError{Method: "reml tau2 fisher scoring (non-finite step)", Iter: iter, Change: adj}
		}
		for tau2+adj < 0 {
			adj /= 2
		}
		old := tau2
		tau2 += adj
		change = math.Abs(old - tau2)
	}
	return math.Max(0, tau2), iter, nil
}

// fixedEffect sets μ, its SE, test, CI and the prediction interval from weights m.
func (r *MetaResult) fixedEffect(m metaWeights, knha bool, level float64) {
	k := float64(len(m.w))
	r.Mu = m.mu
	r.SE = 1 / math.Sqrt(m.sumW)
	alpha := 1 - level
	var crit float64
	if knha {
		s2w := m.q / (k - 1)
		if m.q <= epsilon {
			s2w = 0 // metafor: all yi (essentially) equal
		}
		r.SE = math.Sqrt(s2w / m.sumW)
		r.DF = k - 1
		r.Stat = r.Mu / r.SE
		r.PValue = ptTwoSided(r.Stat, r.DF)
		crit = qt(1-alpha/2, r.DF)
	} else {
		r.DF = math.Inf(1)
		r.Stat = r.Mu / r.SE
		r.PValue = 2 * pnormUpper(math.Abs(r.Stat))
		crit = qnorm(1 - alpha/2)
	}
	r.CILower, r.CIUpper = r.Mu-crit*r.SE, r.Mu+crit*r.SE
	h := crit * math.Sqrt(r.SE*r.SE+r.Tau2)
	r.PILower, r.PIUpper = r.Mu-h, r.Mu+h
}

// qProfile returns the Q-profile confidence limits of τ² (metafor's confint.rma.uni).
func qProfile(y, v []float64, tau2, level float64) (lo, hi float64) {
	df := float64(len(y) - 1)
	alpha := 1 - level
	critU, critL := qchisq(1-alpha/2, df), qchisq(alpha/2, df)
	q := func(t float64) float64 { return newMetaWeights(y, v, t).q }
	tmax := math.Max(100, 10*tau2)
	q0, qmax := q(0), q(tmax)
	solve := func(crit float64) float64 {
		f := func(t float64) float64 { return q(t) - crit }
		root, _ := zeroin(0, tmax, q0-crit, qmax-crit, f, 1e-12, 10000)
		return root
	}
	switch {
	case q0 < critU:
		lo = 0
	case qmax > critU:
		lo = tmax
	default:
		lo = solve(critU)
	}
	switch {
	case q0 < critL:
		hi = 0
	case qmax > critL:
		hi = tmax
	default:
		hi = solve(critL)
	}
	return lo, hi
}

// MeanEffects returns the effect sizes of single-group means, yi = mean and vi = sd²/n, as
// metafor's escalc(measure = "MN"). Errors: lengths differ (ErrLength); n < 1, sd < 0 or a
// non-finite value (ErrDomain). NaN entries give NaN yi/vi (dropped by MetaAnalysis).
func MeanEffects(mean, sd, n []float64) (yi, vi []float64, err error) {
	if len(mean) != len(sd) || len(mean) != len(n) {
		return nil, nil, fmt.Errorf("mean effects: %d means, %d sds, %d ns: %w", len(mean), len(sd), len(n), ErrLength)
	}
	yi, vi = make([]float64, len(mean)), make([]float64, len(mean))
	for i := range mean {
		if math.IsNaN(mean[i]) || math.IsNaN(sd[i]) || math.IsNaN(n[i]) {
			yi[i], vi[i] = math.NaN(), math.NaN()
			continue
		}
		if !(n[i] >= 1) || sd[i] < 0 || math.IsInf(mean[i], 0) || math.IsInf(sd[i], 0) || math.IsInf(n[i], 0) {
			return nil, nil, fmt.Errorf("mean effects: row %d: %w", i, ErrDomain)
		}
		yi[i], vi[i] = mean[i], sd[i]*sd[i]/n[i]
	}
	return yi, vi, nil
}
