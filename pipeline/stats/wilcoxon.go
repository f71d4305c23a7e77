package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// WilcoxonMethod chooses between the exact null distribution and the normal approximation.
type WilcoxonMethod int

const (
	// WilcoxonAuto is R's exact = NULL: exact when n < 50 and there are no ties or zeros.
	WilcoxonAuto WilcoxonMethod = iota
	// WilcoxonExact is R's exact = TRUE: exact at any n unless there are ties or zeros.
	WilcoxonExact
	// WilcoxonNormal is R's exact = FALSE: always the normal approximation.
	WilcoxonNormal
)

// WilcoxonOptions are the options of WilcoxonSignedRank.
type WilcoxonOptions struct {
	Alternative Alternative
	ConfLevel   float64 // 0 means 0.95
	Method      WilcoxonMethod
	// NoCorrection switches off the continuity correction of the normal approximation
	// (R's correct = FALSE). The zero value is R's default, correct = TRUE.
	NoCorrection bool
}

// WilcoxonResult is the result of WilcoxonSignedRank, with R's htest names in comments.
type WilcoxonResult struct {
	Statistic float64 // V, the sum of the ranks of the positive differences
	PValue    float64 // NaN when every difference is 0
	// Estimate is the Hodges–Lehmann (pseudo)median; the midrange when every difference is
	// the same non-zero value; NaN when every difference is 0.
	Estimate  float64
	ConfLow   float64 // NaN when the CI cannot be computed
	ConfHigh  float64
	ConfLevel float64 // achieved level when the requested one is not achievable; 0 when no CI
	N         int     // number of non-zero differences
	Zeros     int     // zero differences dropped
	Exact     bool    // exact distribution used (else the normal approximation)
	// Warnings are R's warnings, same text: the fallback from the exact method ("cannot compute
	// exact p-value with ties", "... with zeroes", and the same for the confidence interval),
	// "requested conf.level not achievable", "cannot compute confidence interval when all
	// observations are zero or tied".
	Warnings []string
}

// WilcoxonSignedRank is the Wilcoxon (1945) signed-rank test for paired data with the
// Hodges–Lehmann (1963) estimate and confidence interval, exactly as R 4.2's
// wilcox.test(x, y, paired = TRUE, conf.int = TRUE) (wilcox.test.default, tol.root = 1e-4):
//
//  1. d = x - y over complete pairs (a NaN drops the pair); zero differences are removed for
//     the test, the estimate and the CI; n counts the rest.
//  2. V = sum of the average ranks of |d| over d > 0.
//  3. Exact (n < 50 under WilcoxonAuto, no ties, no zeros): p from the signed-rank null
//     distribution (R's psignrank, counts by the recursion of csignrank), two-sided
//     min(1, 2 P(V' >= V)) or min(1, 2 P(V' <= V)); the CI from the sorted Walsh averages
//     w = (d_i + d_j)/2, i <= j: [w(qu), w(N - qu + 1)], qu = qsignrank(α/2, n) (1 if 0);
//     estimate = median of w.
//  4. Otherwise the normal approximation: z = (V - n(n+1)/4 - c) / σ,
//     σ² = n(n+1)(2n+1)/24 - Σ(t³ - t)/48 over tie groups, continuity correction c = 0.5 sign
//     (two-sided), +0.5 (greater), -0.5 (less). The CI limits are the roots of the corrected
//     z of d - μ as a function of μ on [min d, max d] at the normal quantiles, and the estimate
//     the root of the uncorrected z = 0, all by Brent's method with tolerance 1e-4 (a port of
//     R's zeroin, so the results are R's to its digits; they lie within 1e-4 of the Walsh
//     average where the step function crosses). α is doubled until the ends bracket the
//     quantiles, as R does, with the warning "requested conf.level not achievable".
//
// Degenerate input: no complete pair wraps ErrTooFew; length mismatch ErrLength; ±Inf
// ErrNonFinite. All differences equal (σ of d - min d is 0): NaN limits, ConfLevel 0, the
// midrange as estimate and R's warning. All differences 0: n = 0, V = 0, Estimate NaN, NaN
// limits (-Inf or +Inf on the open side of a one-sided interval), ConfLevel 0, and PValue
// NaN for two-sided (z = 0/0; one-sided the correction makes z = ∓Inf and p = 1, as in R),
// with R's warnings about zeroes. These are results, not errors, as in R.
//
// When the exact interval cannot reach the requested level, ConfLevel is the achieved one
// as R reports it, 1 - signif(achieved α, 2), rounded as R's signif does (see signif): for
// n = 4 the achieved α is 0.125 and ConfLevel 0.88.
func WilcoxonSignedRank(x, y []float64, opts WilcoxonOptions) (WilcoxonResult, error) {
	d, err := pairDiffs(x, y)
	if err != nil {
		return WilcoxonResult{}, fmt.Errorf("wilcoxon signed-rank: %w", err)
	}
	if len(d) == 0 {
		return WilcoxonResult{}, fmt.Errorf("wilcoxon signed-rank: no complete pairs: %w", ErrTooFew)
	}
	if err := opts.Alternative.valid(); err != nil {
		return WilcoxonResult{}, fmt.Errorf("wilcoxon signed-rank: %w", err)
	}
	level, err := confLevel(opts.ConfLevel)
	if err != nil {
		return WilcoxonResult{}, fmt.Errorf("wilcoxon signed-rank: %w", err)
	}
	nz := slices.DeleteFunc(slices.Clone(d), func(v float64) bool { return v == 0 })
	n := len(nz)
	w := newWilcoxon(nz, opts.Alternative, !opts.NoCorrection)
	v, ties := signedRankSum(nz)
	r := WilcoxonResult{Statistic: v, N: n, Zeros: len(d) - n, ConfLevel: level}
	tryExact := opts.Method == WilcoxonExact || (opts.Method == WilcoxonAuto && n < 50)
	if tryExact && !ties && r.Zeros == 0 {
		r.Exact = true
		r.PValue = signRankPValue(v, n, opts.Alternative)
		w.exactCI(&r, level)
		return r, nil
	}
	r.PValue = w.normalPValue(v)
	w.normalCI(&r, level)
	if tryExact && ties {
		r.Warnings = append(r.Warnings, "cannot compute exact p-value with ties",
			"cannot compute exact confidence interval with ties")
	}
	if tryExact && r.Zeros > 0 {
		r.Warnings = append(r.Warnings, "cannot compute exact p-value with zeroes",
			"cannot compute exact confidence interval with zeroes")
	}
	return r, nil
}

// wilcoxon holds the non-zero differences and the options of one test. The differences are
// also kept as their distinct values with counts: scores are integers on short scales, so a
// million differences have a few dozen values, and re-ranking d - μ for every step of the
// root search (zStat) works on those instead of on every difference.
type wilcoxon struct {
	d       []float64
	vals    []float64 // distinct values of d, ascending
	counts  []int     // how often each occurs
	alt     Alternative
	correct bool
}

func newWilcoxon(d []float64, alt Alternative, correct bool) wilcoxon {
	w := wilcoxon{d: d, alt: alt, correct: correct}
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		w.vals = append(w.vals, sorted[i])
		w.counts = append(w.counts, j-i)
		i = j
	}
	return w
}

// signedRankSum returns V, the sum of the average ranks of |d| over the positive d, and
// whether |d| has ties.
func signedRankSum(d []float64) (v float64, ties bool) {
	ranks, groups := absRanks(d)
	for i, x := range d {
		if x > 0 {
			v += ranks[i]
		}
	}
	for _, t := range groups {
		if t > 1 {
			ties = true
		}
	}
	return v, ties
}

// absRanks returns the average ranks of |d| (R's rank(abs(d))) and the sizes of the tie groups.
func absRanks(d []float64) (ranks []float64, groups []int) {
	n := len(d)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		x, y := math.Abs(d[a]), math.Abs(d[b])
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	ranks = make([]float64, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && math.Abs(d[idx[j]]) == math.Abs(d[idx[i]]) {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of ranks i+1 .. j
		for k := i; k < j; k++ {
			ranks[idx[k]] = avg
		}
		groups = append(groups, j-i)
		i = j
	}
	return ranks, groups
}

// zStat returns the (optionally corrected) normal statistic of d - mu and sigma, as the W
// function inside R's wilcox.test: zeros of d - mu dropped, re-ranked, ties recounted. It
// ranks the distinct values of d - mu, merging those of equal magnitude (v - mu and
// -(v' - mu)), which gives every difference the average rank rank(abs(d - mu)) gives it;
// the sums are of half-integers, exact in float64, so the result is the element-wise one.
func (w wilcoxon) zStat(mu float64, correct bool) (z, sigma float64) {
	type group struct {
		abs      float64
		pos, neg int
	}
	gs := make([]group, 0, len(w.vals))
	for i, v := range w.vals {
		x := v - mu
		switch {
		case x > 0:
			gs = append(gs, group{abs: x, pos: w.counts[i]})
		case x < 0:
			gs = append(gs, group{abs: -x, neg: w.counts[i]})
		}
	}
	slices.SortFunc(gs, func(a, b group) int { return cmp.Compare(a.abs, b.abs) })
	var s, tieSum, nx float64
	for i := 0; i < len(gs); {
		g := gs[i]
		j := i + 1
		for ; j < len(gs) && gs[j].abs == g.abs; j++ {
			g.pos += gs[j].pos
			g.neg += gs[j].neg
		}
		t := float64(g.pos + g.neg)
		s += (nx + (t+1)/2) * float64(g.pos) // average rank of the group, for each positive
		tieSum += t*t*t - t
		nx += t
		i = j
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

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// normalPValue is step 5 of the README: the corrected z of V and its normal tail(s).
func (w wilcoxon) normalPValue(v float64) float64 {
	z, _ := w.zStat(0, w.correct)
	switch w.alt {
	case Less:
		return pnorm(z)
	case Greater:
		return pnormUpper(z)
	}
	return 2 * math.Min(pnorm(z), pnormUpper(z))
}

// normalCI sets the CI and estimate of the normal approximation (README step 6 and 7).
func (w wilcoxon) normalCI(r *WilcoxonResult, level float64) {
	if len(w.d) == 0 { // every difference is 0: R gives NaN for the estimate too
		r.ConfLow, r.ConfHigh, r.ConfLevel, r.Estimate = w.noCI()
		return
	}
	mumin, mumax := slices.Min(w.d), slices.Max(w.d)
	wmin, sigma := w.zStat(mumin, w.correct)
	if sigma == 0 {
		r.Warnings = append(r.Warnings, "cannot compute confidence interval when all observations are zero or tied")
	}
	wmax := math.NaN()
	if isFinite(wmin) {
		wmax, _ = w.zStat(mumax, w.correct)
	}
	if !isFinite(wmax) {
		r.ConfLow, r.ConfHigh, r.ConfLevel, _ = w.noCI()
		r.Estimate = (mumin + mumax) / 2
		return
	}
	alpha := w.bracketAlpha(wmin, wmax, 1-level)
	if alpha >= 1 || 1-level < alpha*0.75 {
		r.ConfLevel = 1 - math.Min(1, alpha)
		r.Warnings = append(r.Warnings, "requested conf.level not achievable")
	}
	root := func(zq float64) float64 {
		if alpha >= 1 {
			return medianOf(w.d)
		}
		f := func(mu float64) float64 { z, _ := w.zStat(mu, w.correct); return z - zq }
		x, _ := zeroin(mumin, mumax, wmin-zq, wmax-zq, f, 1e-4, 1000)
		return x
	}
	switch w.alt {
	case TwoSided:
		r.ConfLow, r.ConfHigh = root(qnorm(1-alpha/2)), root(qnorm(alpha/2))
	case Greater:
		r.ConfLow, r.ConfHigh = root(qnorm(1-alpha)), math.Inf(1)
	case Less:
		r.ConfLow, r.ConfHigh = math.Inf(-1), root(qnorm(alpha))
	}
	// The estimate is the root of the statistic without continuity correction.
	f0 := func(mu float64) float64 { z, _ := w.zStat(mu, false); return z }
	r.Estimate, _ = zeroin(mumin, mumax, f0(mumin), f0(mumax), f0, 1e-4, 1000)
}

// bracketAlpha doubles alpha until the statistic at the ends of [min d, max d] brackets the
// normal quantiles of the interval, as R does. For "less" R compares with qnorm(alpha/2), not
// qnorm(alpha), and so does this.
func (w wilcoxon) bracketAlpha(wmin, wmax, alpha float64) float64 {
	for {
		var widen bool
		switch w.alt {
		case TwoSided:
			widen = wmin-qnorm(1-alpha/2) < 0 || wmax-qnorm(alpha/2) > 0
		case Greater:
			widen = wmin-qnorm(1-alpha) < 0
		case Less:
			widen = wmax-qnorm(alpha/2) > 0
		}
		if !widen {
			return alpha
		}
		alpha *= 2
	}
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// noCI returns R's interval when none can be computed: NaN limits (infinite on the open side
// of a one-sided interval) and level 0.
func (w wilcoxon) noCI() (lo, hi, level, est float64) {
	lo, hi = math.NaN(), math.NaN()
	if w.alt == Less {
		lo = math.Inf(-1)
	}
	if w.alt == Greater {
		hi = math.Inf(1)
	}
	return lo, hi, 0, math.NaN()
}

// exactCI sets the exact CI from the Walsh averages and the Hodges–Lehmann estimate.
func (w wilcoxon) exactCI(r *WilcoxonResult, level float64) {
	n := len(w.d)
	walsh := make([]float64, 0, n*(n+1)/2)
	for i := range n {
		for j := i; j < n; j++ {
			walsh = append(walsh, w.d[i]+w.d[j])
		}
	}
	slices.Sort(walsh)
	for i := range walsh {
		walsh[i] /= 2
	}
	nw := len(walsh)
	alpha := 1 - level
	var achieved float64
	switch w.alt {
	case TwoSided:
		qu := max(qsignrank(alpha/2, n), 1)
		ql := nw - qu
		achieved = 2 * psignrank(float64(qu-1), n, true)
		r.ConfLow, r.ConfHigh = walsh[qu-1], walsh[ql]
	case Greater:
		qu := max(qsignrank(alpha, n), 1)
		achieved = psignrank(float64(qu-1), n, true)
		r.ConfLow, r.ConfHigh = walsh[qu-1], math.Inf(1)
	case Less:
		qu := max(qsignrank(alpha, n), 1)
		ql := nw - qu
		achieved = psignrank(float64(qu-1), n, true)
		r.ConfLow, r.ConfHigh = math.Inf(-1), walsh[ql]
	}
	if achieved-alpha > alpha/2 {
		r.Warnings = append(r.Warnings, "requested conf.level not achievable")
		r.ConfLevel = 1 - signif(achieved, 2)
	}
	r.Estimate = medianOf(walsh)
}

// signRankPValue is the exact p-value of V for n non-zero, untied differences.
func signRankPValue(v float64, n int, alt Alternative) float64 {
	switch alt {
	case Less:
		return psignrank(v, n, true)
	case Greater:
		return psignrank(v-1, n, false)
	}
	var p float64
	if v > float64(n*(n+1))/4 {
		p = psignrank(v-1, n, false)
	} else {
		p = psignrank(v, n, true)
	}
	return math.Min(2*p, 1)
}

// signRankCounts returns c[k] = the number of subsets of {1..n} with sum k, k = 0..n(n+1)/2
// (R's csignrank), as float64 (exact below 2^53).
func signRankCounts(n int) []float64 {
	u := n * (n + 1) / 2
	c := make([]float64, u+1)
	c[0] = 1
	top := 0
	for j := 1; j <= n; j++ {
		top += j
		for i := top; i >= j; i-- {
			c[i] += c[i-j]
		}
	}
	return c
}

// psignrank is R's psignrank(q, n, lower.tail): P(V <= q) or P(V > q) under the null.
func psignrank(q float64, n int, lower bool) float64 {
	x := math.Floor(q + 1e-7)
	u := float64(n * (n + 1) / 2)
	if x < 0 {
		if lower {
			return 0
		}
		return 1
	}
	if x >= u {
		if lower {
			return 1
		}
		return 0
	}
	c := signRankCounts(n)
	f := math.Exp(-float64(n) * math.Ln2)
	var p float64
	if x <= u/2 {
		for i := 0; i <= int(x); i++ {
			p += c[i] * f
		}
	} else {
		x = u - x
		for i := 0; i < int(x); i++ {
			p += c[i] * f
		}
		lower = !lower
	}
	if lower {
		return p
	}
	return 0.5 - p + 0.5
}

// qsignrank is R's qsignrank(p, n) (lower tail).
func qsignrank(p float64, n int) int {
	c := signRankCounts(n)
	f := math.Exp(-float64(n) * math.Ln2)
	u := n * (n + 1) / 2
	var s float64
	q := 0
	if p <= 0.5 {
		p -= 10 * epsilon
		for {
			s += c[q] * f
			if s >= p {
				break
			}
			q++
		}
		return q
	}
	p = 1 - p + 10*epsilon
	for {
		s += c[q] * f
		if s > p {
			return u - q
		}
		q++
	}
}

// medianOf returns the median of x (R's median: mean of the two middle values when even).
func medianOf(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
