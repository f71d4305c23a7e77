package stats

import (
	"fmt"
	"math"
	"sort"
)

// ProportionOptions are the options of Wilson and ClopperPearson.
type ProportionOptions struct {
	Alternative Alternative
	ConfLevel   float64 // 0 means 0.95
	P0          float64 // null proportion; 0 means 0.5 (R's default p = 0.5)
	// Correct applies Yates' continuity correction in Wilson (prop.test's correct = TRUE).
	// The Wilson score interval proper is Correct = false.
	Correct bool
}

func (o ProportionOptions) check() (level, p0 float64, err error) {
	if err := o.Alternative.valid(); err != nil {
		return 0, 0, err
	}
	p0 = o.P0
	if p0 == 0 {
		p0 = 0.5
	}
	if !(p0 > 0 && p0 < 1) {
		return 0, 0, fmt.Errorf("null proportion %g not in (0, 1): %w", o.P0, ErrDomain)
	}
	level, err = confLevel(o.ConfLevel)
	return level, p0, err
}

func checkCount(x, n int) error {
	if n < 1 || x < 0 || x > n {
		return fmt.Errorf("x = %d of n = %d: need 0 <= x <= n, n >= 1: %w", x, n, ErrDomain)
	}
	return nil
}

// WilsonResult is the result of Wilson (R's prop.test for one proportion).
type WilsonResult struct {
	Statistic float64 // Pearson chi-square of H0: p = P0, 1 df
	DF        float64 // 1
	PValue    float64
	Estimate  float64 // x / n
	ConfLow   float64
	ConfHigh  float64
	ConfLevel float64
	// Warnings lists R's warnings: "Chi-squared approximation may be incorrect" when an
	// expected count n P0 or n (1 - P0) is below 5.
	Warnings []string
}

// Wilson returns the Wilson (1927) score interval for a proportion and the chi-square test of
// p = P0, as R's prop.test(x, n, p, alternative, conf.level, correct). With z the normal
// quantile, p̂ = x/n (shifted by -/+ 0.5/n for the lower/upper limit when Correct; the shift
// is min(0.5, |x - n P0|)):
//
//	limits = (p̂ + z²/(2n) -/+ z sqrt(p̂(1 - p̂)/n + z²/(4n²))) / (1 + z²/n),
//
// the lower limit exactly 0 when the shifted p̂ <= 0 and the upper exactly 1 when it is >= 1
// (so x = 0 gives 0 and x = n gives 1). Statistic = (|x - n P0| - c)² / (n P0 (1 - P0)),
// p two-sided from the chi-square upper tail, one-sided from the normal tail of
// sign(p̂ - P0) sqrt(Statistic). Errors: x < 0, x > n, n < 1, P0 or ConfLevel outside (0, 1)
// wrap ErrDomain.
func Wilson(x, n int, opts ProportionOptions) (WilsonResult, error) {
	if err := checkCount(x, n); err != nil {
		return WilsonResult{}, fmt.Errorf("wilson: %w", err)
	}
	level, p0, err := opts.check()
	if err != nil {
		return WilsonResult{}, fmt.Errorf("wilson: %w", err)
	}
	nf, xf := float64(n), float64(x)
	est := xf / nf
	yates := 0.0
	if opts.Correct {
		yates = math.Min(0.5, math.Abs(xf-nf*p0))
	}
	zp := level
	if opts.Alternative == TwoSided {
		zp = (1 + level) / 2
	}
	z := qnorm(zp)
	z22n := z * z / (2 * nf)
	upper := func(pc float64) float64 {
		if pc >= 1 {
			return 1
		}
		return (pc + z22n + z*math.Sqrt(pc*(1-pc)/nf+z22n/(2*nf))) / (1 + 2*z22n)
	}
	lower := func(pc float64) float64 {
		if pc <= 0 {
			return 0
		}
		return (pc + z22n - z*math.Sqrt(pc*(1-pc)/nf+z22n/(2*nf))) / (1 + 2*z22n)
	}
	r := WilsonResult{DF: 1, Estimate: est, ConfLevel: level}
	pl, pu := math.Max(lower(est-yates/nf), 0), math.Min(upper(est+yates/nf), 1)
	switch opts.Alternative {
	case Less:
		r.ConfLow, r.ConfHigh = 0, pu
	case Greater:
		r.ConfLow, r.ConfHigh = pl, 1
	default:
		r.ConfLow, r.ConfHigh = pl, pu
	}
	e1, e2 := nf*p0, nf*(1-p0)
	d := math.Abs(xf-e1) - yates
	r.Statistic = d*d/e1 + d*d/e2
	switch opts.Alternative {
	case TwoSided:
		r.PValue = pchisqUpper(r.Statistic, 1)
	default:
		zs := math.Sqrt(r.Statistic)
		if est < p0 {
			zs = -zs
		} else if est == p0 {
			zs = 0
		}
		if opts.Alternative == Less {
			r.PValue = pnorm(zs)
		} else {
			r.PValue = pnormUpper(zs)
		}
	}
	if e1 < 5 || e2 < 5 {
		r.Warnings = append(r.Warnings, "Chi-squared approximation may be incorrect")
	}
	return r, nil
}

// BinomialResult is the result of ClopperPearson and SignTest (R's binom.test).
type BinomialResult struct {
	Successes int
	Trials    int
	PValue    float64
	Estimate  float64 // Successes / Trials
	ConfLow   float64
	ConfHigh  float64
	ConfLevel float64
}

// ClopperPearson returns the exact (Clopper and Pearson 1934) interval and the exact binomial
// test of p = P0, as R's binom.test(x, n, p, alternative, conf.level):
// CI = [qbeta(α/2, x, n - x + 1), qbeta(1 - α/2, x + 1, n - x)] (α instead of α/2 one-sided),
// lower limit 0 when x = 0 and upper 1 when x = n. Two-sided p: the sum of P(X = i) over all i
// with P(X = i) <= P(X = x)(1 + 1e-7), computed as R does from two binomial tails (incomplete
// beta, no cancellation), 1 when x = n P0; one-sided p: P(X <= x) or P(X >= x).
// Opts.Correct is ignored. Errors: as Wilson (ErrDomain).
func ClopperPearson(x, n int, opts ProportionOptions) (BinomialResult, error) {
	if err := checkCount(x, n); err != nil {
		return BinomialResult{}, fmt.Errorf("clopper-pearson: %w", err)
	}
	level, p0, err := opts.check()
	if err != nil {
		return BinomialResult{}, fmt.Errorf("clopper-pearson: %w", err)
	}
	r := BinomialResult{Successes: x, Trials: n, Estimate: float64(x) / float64(n), ConfLevel: level}
	r.PValue = binomPValue(x, n, p0, opts.Alternative)
	alpha := 1 - level
	lo := func(a float64) float64 {
		if x == 0 {
			return 0
		}
		return qbeta(a, float64(x), float64(n-x+1))
	}
	hi := func(a float64) float64 {
		if x == n {
			return 1
		}
		return qbeta(1-a, float64(x+1), float64(n-x))
	}
	switch opts.Alternative {
	case Less:
		r.ConfLow, r.ConfHigh = 0, hi(alpha)
	case Greater:
		r.ConfLow, r.ConfHigh = lo(alpha), 1
	default:
		r.ConfLow, r.ConfHigh = lo(alpha/2), hi(alpha/2)
	}
	return r, nil
}

// binomPValue is binom.test's p-value.
func binomPValue(x, n int, p float64, alt Alternative) float64 {
	switch alt {
	case Less:
		return pbinomLower(x, n, p)
	case Greater:
		return pbinomUpper(x-1, n, p)
	}
	const relErr = 1 + 1e-7
	d := dbinom(x, n, p) * relErr
	m := float64(n) * p
	var pv float64
	switch {
	case float64(x) == m:
		return 1
	case float64(x) < m:
		// R counts y = #{i >= ceil(m): dbinom(i) <= d}. The binomial probabilities do not
		// increase beyond ceil(m), so those i are exactly i0..n, i0 found by bisection.
		i0 := int(math.Ceil(m))
		i0 += sort.Search(n-i0+1, func(j int) bool { return dbinom(i0+j, n, p) <= d })
		y := n - i0 + 1
		pv = pbinomLower(x, n, p) + pbinomUpper(n-y, n, p)
	default:
		// y = #{i <= floor(m): dbinom(i) <= d} = the prefix 0..y-1 (non-decreasing up to floor(m)).
		fm := int(math.Floor(m))
		y := sort.Search(fm+1, func(i int) bool { return dbinom(i, n, p) > d })
		pv = pbinomLower(y-1, n, p) + pbinomUpper(x-1, n, p)
	}
	return math.Min(1, pv)
}

// Direction says which change of a paired outcome counts as an improvement.
type Direction int

const (
	LowerIsBetter  Direction = iota // improved when x < y (pain: x later, y earlier)
	HigherIsBetter                  // improved when x > y (sleep quality)
)

// SignTestResult is the result of SignTest.
type SignTestResult struct {
	BinomialResult     // Successes = Improved, Trials = Improved + Worsened
	Improved, Worsened int
	Ties               int // complete pairs with x == y, dropped
}

// SignTest is the sign test for paired data (Dixon and Mood 1946): among complete pairs
// (NaN in either drops the pair), count improvements (x < y for LowerIsBetter, x > y for
// HigherIsBetter) and worsenings, drop ties, and run binom.test(improved, improved + worsened)
// with p = 0.5 (ClopperPearson with P0 = 0.5, so the CI is for the proportion improved).
// Errors: no pair with a change wraps ErrTooFew (R: "'n' must be a positive integer >= 'x'");
// length mismatch ErrLength; ±Inf ErrNonFinite.
func SignTest(x, y []float64, better Direction, opts ProportionOptions) (SignTestResult, error) {
	d, err := pairDiffs(x, y)
	if err != nil {
		return SignTestResult{}, fmt.Errorf("sign test: %w", err)
	}
	var r SignTestResult
	for _, v := range d {
		switch {
		case v == 0:
			r.Ties++
		case (v < 0) == (better == LowerIsBetter):
			r.Improved++
		default:
			r.Worsened++
		}
	}
	if r.Improved+r.Worsened == 0 {
		return SignTestResult{}, fmt.Errorf("sign test: no pair changed (%d ties): %w", r.Ties, ErrTooFew)
	}
	opts.P0 = 0.5
	opts.Correct = false
	b, err := ClopperPearson(r.Improved, r.Improved+r.Worsened, opts)
	if err != nil {
		return SignTestResult{}, fmt.Errorf("sign test: %w", err)
	}
	r.BinomialResult = b
	return r, nil
}

// McNemarResult is the result of McNemar.
type McNemarResult struct {
	Statistic float64 // NaN when b = c = 0
	DF        float64 // 1
	PValue    float64 // NaN when b = c = 0
}

// McNemar is McNemar's (1947) test of a paired 2x2 table [[a, b], [c, d]] (rows: status at
// the first occasion, columns: at the second), as R's mcnemar.test(table, correct):
// Statistic = (|b - c| - 1)² / (b + c) when correct and b != c (Edwards 1948), otherwise
// (b - c)² / (b + c); p = P(chi-square_1 >= Statistic) from the upper tail. With b = c = 0
// the statistic and p are NaN, as in R (no error). Errors: a negative count wraps ErrDomain.
func McNemar(table [2][2]int, correct bool) (McNemarResult, error) {
	for i := range 2 {
		for j := range 2 {
			if table[i][j] < 0 {
				return McNemarResult{}, fmt.Errorf("mcnemar: count %d at [%d][%d]: %w", table[i][j], i, j, ErrDomain)
			}
		}
	}
	b, c := float64(table[0][1]), float64(table[1][0])
	num := math.Abs(b - c)
	if correct && b != c {
		num--
	}
	r := McNemarResult{DF: 1, Statistic: num * num / (b + c)}
	r.PValue = pchisqUpper(r.Statistic, 1)
	return r, nil
}

// PoissonOptions are the options of PoissonRate.
type PoissonOptions struct {
	Alternative Alternative
	ConfLevel   float64 // 0 means 0.95
	Rate0       float64 // null rate per unit of time base (R's r); 0 means 1
}

// PoissonResult is the result of PoissonRate.
type PoissonResult struct {
	Events    int
	TimeBase  float64 // R's T
	PValue    float64
	Estimate  float64 // Events / TimeBase
	ConfLow   float64
	ConfHigh  float64
	ConfLevel float64
}

// PoissonRate is the exact Poisson test and confidence interval of a rate, as R's
// poisson.test(x, T, r, alternative, conf.level) for one sample (Garwood 1936):
// Estimate = x/T, CI = [qgamma(α/2, x) / T (0 when x = 0), qgamma(1 - α/2, x + 1) / T].
// Two-sided p for the rate r with m = r T: the sum of P(X = i) over all i with
// P(X = i) <= P(X = x)(1 + 1e-7), from two Poisson tails as R computes it; 1 when x = m.
// To report a rate per 1,000 sessions pass TimeBase = sessions / 1000.
// Errors: x < 0, TimeBase <= 0 or not finite, Rate0 < 0, or Rate0 T above 1e15 wrap
// ErrDomain.
func PoissonRate(x int, timeBase float64, opts PoissonOptions) (PoissonResult, error) {
	if x < 0 || !(timeBase > 0) || math.IsInf(timeBase, 0) {
		return PoissonResult{}, fmt.Errorf("poisson rate: x = %d, T = %g: %w", x, timeBase, ErrDomain)
	}
	if err := opts.Alternative.valid(); err != nil {
		return PoissonResult{}, fmt.Errorf("poisson rate: %w", err)
	}
	r0 := opts.Rate0
	if r0 == 0 {
		r0 = 1
	}
	if !(r0 > 0) || math.IsInf(r0, 0) {
		return PoissonResult{}, fmt.Errorf("poisson rate: null rate %g: %w", opts.Rate0, ErrDomain)
	}
	level, err := confLevel(opts.ConfLevel)
	if err != nil {
		return PoissonResult{}, fmt.Errorf("poisson rate: %w", err)
	}
	if m := r0 * timeBase; m > maxPoissonMean {
		return PoissonResult{}, fmt.Errorf("poisson rate: null expected count %g above %g: %w", m, maxPoissonMean, ErrDomain)
	}
	res := PoissonResult{Events: x, TimeBase: timeBase, Estimate: float64(x) / timeBase, ConfLevel: level}
	alpha := 1 - level
	lo := func(a float64) float64 {
		if x == 0 {
			return 0
		}
		return qgamma(a, float64(x)) / timeBase
	}
	hi := func(a float64) float64 { return qgamma(1-a, float64(x+1)) / timeBase }
	switch opts.Alternative {
	case Less:
		res.ConfLow, res.ConfHigh = 0, hi(alpha)
	case Greater:
		res.ConfLow, res.ConfHigh = lo(alpha), math.Inf(1)
	default:
		res.ConfLow, res.ConfHigh = lo(alpha/2), hi(alpha/2)
	}
	res.PValue = poissonPValue(x, r0*timeBase, opts.Alternative)
	return res, nil
}

// maxPoissonMean bounds the expected count r0 T, so that the search for the far tail stays
// within int and float64 integer range.
const maxPoissonMean = 1e15

// poissonPValue is poisson.test's p-value for x events with mean m.
func poissonPValue(x int, m float64, alt Alternative) float64 {
	switch alt {
	case Less:
		return ppoisLower(x, m)
	case Greater:
		return ppoisUpper(x-1, m)
	}
	const relErr = 1 + 1e-7
	d0 := dpois(x, m)
	d := d0 * relErr
	var pv float64
	switch {
	case float64(x) == m:
		return 1
	case float64(x) < m:
		// R: N = ceil(2m - x), doubled while dpois(N) > d; y = #{ceil(m) <= i <= N:
		// dpois(i) <= d}. dpois does not increase beyond ceil(m), so those i are i0..N.
		nn := int(math.Ceil(2*m - float64(x)))
		for dpois(nn, m) > d0 {
			nn *= 2
		}
		i0 := int(math.Ceil(m))
		i0 += sort.Search(nn-i0+1, func(j int) bool { return dpois(i0+j, m) <= d })
		y := nn - i0 + 1
		pv = ppoisLower(x, m) + ppoisUpper(nn-y, m)
	default:
		fm := int(math.Floor(m))
		y := sort.Search(fm+1, func(i int) bool { return dpois(i, m) > d })
		pv = ppoisLower(y-1, m) + ppoisUpper(x-1, m)
	}
	return math.Min(1, pv)
}
