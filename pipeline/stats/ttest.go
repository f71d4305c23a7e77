package stats

import (
	"fmt"
	"math"
)

// TTestOptions are the options of PairedTTest and WelchTTest.
type TTestOptions struct {
	Alternative Alternative
	ConfLevel   float64 // 0 means 0.95
	Mu          float64 // null value of the mean difference (R's mu), default 0
}

// TTest is the result of a t-test, with R's htest names in the comments.
type TTest struct {
	Statistic   float64 // t = (Estimate - Mu) / StdErr ("statistic")
	DF          float64 // degrees of freedom ("parameter")
	PValue      float64 // "p.value"
	Estimate    float64 // mean difference, or MeanX - MeanY for Welch
	StdErr      float64 // "stderr"
	ConfLow     float64 // -Inf for Alternative Less
	ConfHigh    float64 // +Inf for Alternative Greater
	ConfLevel   float64
	Alternative Alternative
}

// PairedTTestResult is the result of PairedTTest.
type PairedTTestResult struct {
	TTest
	N int // number of complete pairs
}

// WelchTTestResult is the result of WelchTTest.
type WelchTTestResult struct {
	TTest
	NX, NY       int
	MeanX, MeanY float64 // R's "estimate" (mean of x, mean of y)
}

// PairedTTest is R's t.test(x, y, paired = TRUE, alternative, mu, conf.level): with
// d = x - y over the complete pairs (pairs with a NaN are dropped), n = len(d),
// Estimate = mean(d), StdErr = sd(d)/sqrt(n), t = (Estimate - mu)/StdErr, df = n - 1.
// p: two-sided 2 P(T >= |t|), less P(T <= t), greater P(T >= t), each from the tail itself
// (regularised incomplete beta), so tiny p-values keep their digits. CI: mu + (t -/+ qt) StdErr
// as in R, one-sided intervals open at -Inf or +Inf.
//
// Errors, as R's stop(): fewer than 2 pairs wraps ErrTooFew ("not enough 'x' observations");
// StdErr < 10 eps |mean(d)| wraps ErrConstant ("data are essentially constant"), so constant
// non-zero differences are an error. Length mismatch wraps ErrLength, ±Inf ErrNonFinite.
// When every difference is exactly 0 the rule does not fire (as in R) and Statistic, PValue and
// the CI are NaN.
func PairedTTest(x, y []float64, opts TTestOptions) (PairedTTestResult, error) {
	d, err := pairDiffs(x, y)
	if err != nil {
		return PairedTTestResult{}, fmt.Errorf("paired t-test: %w", err)
	}
	level, err := checkTTestOptions(opts)
	if err != nil {
		return PairedTTestResult{}, fmt.Errorf("paired t-test: %w", err)
	}
	n := len(d)
	if n < 2 {
		return PairedTTestResult{}, fmt.Errorf("paired t-test: %d complete pairs, need 2: %w", n, ErrTooFew)
	}
	mean, v := meanVar(d)
	se := math.Sqrt(v / float64(n))
	if se < 10*epsilon*math.Abs(mean) {
		return PairedTTestResult{}, fmt.Errorf("paired t-test: all differences equal: %w", ErrConstant)
	}
	res := PairedTTestResult{N: n}
	res.TTest = tTest(mean, se, float64(n-1), level, opts)
	return res, nil
}

// WelchTTest is R's t.test(x, y, var.equal = FALSE): se^2 = s_x^2/n_x + s_y^2/n_y,
// t = (mean_x - mean_y - mu)/se, Welch–Satterthwaite df = se^4 / ((s_x^2/n_x)^2/(n_x - 1) +
// (s_y^2/n_y)^2/(n_y - 1)) (Welch 1947), p and CI as in PairedTTest with that df. NaN values
// are missing and dropped.
//
// Errors, as R's stop(): n_x < 2 or n_y < 2 wrap ErrTooFew ("not enough 'x' / 'y'
// observations"); se < 10 eps max(|mean_x|, |mean_y|) wraps ErrConstant; ±Inf ErrNonFinite.
// Two groups that are each constant at 0 give NaN statistic, p and CI, as in R.
func WelchTTest(x, y []float64, opts TTestOptions) (WelchTTestResult, error) {
	a, err := dropNaN(x)
	if err != nil {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: x: %w", err)
	}
	b, err := dropNaN(y)
	if err != nil {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: y: %w", err)
	}
	level, err := checkTTestOptions(opts)
	if err != nil {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: %w", err)
	}
	if len(a) < 2 {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: x has %d observations, need 2: %w", len(a), ErrTooFew)
	}
	if len(b) < 2 {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: y has %d observations, need 2: %w", len(b), ErrTooFew)
	}
	nx, ny := float64(len(a)), float64(len(b))
	mx, vx := meanVar(a)
	my, vy := meanVar(b)
	sx2, sy2 := vx/nx, vy/ny
	se := math.Sqrt(sx2 + sy2)
	df := math.Pow(se, 4) / (sx2*sx2/(nx-1) + sy2*sy2/(ny-1))
	if se < 10*epsilon*math.Max(math.Abs(mx), math.Abs(my)) {
		return WelchTTestResult{}, fmt.Errorf("welch t-test: %w", ErrConstant)
	}
	res := WelchTTestResult{NX: len(a), NY: len(b), MeanX: mx, MeanY: my}
	res.TTest = tTest(mx-my, se, df, level, opts)
	return res, nil
}

const epsilon = 2.220446049250313e-16 // R's .Machine$double.eps

func checkTTestOptions(opts TTestOptions) (float64, error) {
	if err := opts.Alternative.valid(); err != nil {
		return 0, err
	}
	if math.IsNaN(opts.Mu) || math.IsInf(opts.Mu, 0) {
		return 0, fmt.Errorf("mu = %g: %w", opts.Mu, ErrDomain)
	}
	return confLevel(opts.ConfLevel)
}

// tTest finishes a t-test from the estimate, its standard error and df, with R's arithmetic.
func tTest(est, se, df, level float64, opts TTestOptions) TTest {
	t := (est - opts.Mu) / se
	r := TTest{Statistic: t, DF: df, Estimate: est, StdErr: se, ConfLevel: level, Alternative: opts.Alternative}
	switch opts.Alternative {
	case Less:
		r.PValue = ptLower(t, df)
		r.ConfLow, r.ConfHigh = math.Inf(-1), opts.Mu+(t+qt(level, df))*se
	case Greater:
		r.PValue = ptUpper(t, df)
		r.ConfLow, r.ConfHigh = opts.Mu+(t-qt(level, df))*se, math.Inf(1)
	default:
		r.PValue = ptTwoSided(t, df)
		q := qt(1-(1-level)/2, df)
		r.ConfLow, r.ConfHigh = opts.Mu+(t-q)*se, opts.Mu+(t+q)*se
	}
	if math.IsNaN(t) {
		r.PValue, r.ConfLow, r.ConfHigh = math.NaN(), math.NaN(), math.NaN()
	}
	return r
}
