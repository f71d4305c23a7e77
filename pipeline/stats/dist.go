package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Distribution helpers on top of gonum's mathext. Tail probabilities are computed from the
// tail itself (regularised incomplete beta or gamma of the tail), never as 1 - CDF, so that
// p-values far below machine epsilon keep their relative accuracy.

// ptUpper returns P(T_df >= t) for Student's t.
func ptUpper(t, df float64) float64 {
	switch {
	case math.IsNaN(t) || math.IsNaN(df):
		return math.NaN()
	case math.IsInf(t, 1):
		return 0
	case math.IsInf(t, -1):
		return 1
	case t == 0:
		return 0.5
	case math.IsInf(df, 1):
		return pnormUpper(t)
	}
	tail := 0.5 * regIncBeta(df/2, 0.5, df/(df+t*t))
	if t > 0 {
		return tail
	}
	return 1 - tail
}

// ptLower returns P(T_df <= t).
func ptLower(t, df float64) float64 { return ptUpper(-t, df) }

// ptTwoSided returns 2 P(T_df >= |t|).
func ptTwoSided(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		return 0
	}
	if math.IsInf(df, 1) {
		return 2 * pnormUpper(math.Abs(t))
	}
	return regIncBeta(df/2, 0.5, df/(df+t*t))
}

// qt returns the p quantile of Student's t with df degrees of freedom (R's qt).
func qt(p, df float64) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(df) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p == 0.5:
		return 0
	case math.IsInf(df, 1):
		return qnorm(p)
	}
	if p > 0.5 {
		x := invRegIncBeta(df/2, 0.5, 2*(1-p))
		return math.Sqrt(df * (1 - x) / x)
	}
	x := invRegIncBeta(df/2, 0.5, 2*p)
	return -math.Sqrt(df * (1 - x) / x)
}

// pnorm returns Φ(z); pnormUpper returns 1 - Φ(z) = Φ(-z) computed from erfc.
func pnorm(z float64) float64      { return 0.5 * math.Erfc(-z/math.Sqrt2) }
func pnormUpper(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// qnorm returns the p quantile of the standard normal (R's qnorm).
func qnorm(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	}
	return mathext.NormalQuantile(p)
}

// pchisqUpper returns P(X >= q) for a chi-square with df degrees of freedom.
func pchisqUpper(q, df float64) float64 {
	if math.IsNaN(q) || math.IsNaN(df) {
		return math.NaN()
	}
	if q <= 0 {
		return 1
	}
	if math.IsInf(q, 1) {
		return 0
	}
	return gammaIncRegComp(df/2, q/2)
}

// qchisq returns the p quantile of a chi-square with df degrees of freedom.
func qchisq(p, df float64) float64 { return 2 * qgamma(p, df/2) }

// qgamma returns the p quantile of the Gamma(shape, 1) distribution (R's qgamma with rate 1).
// gonum's inverse is polished by Newton steps on the regularised incomplete gamma.
func qgamma(p, shape float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1 || !(shape > 0):
		return math.NaN()
	case p == 0:
		return 0
	case p == 1:
		return math.Inf(1)
	}
	x := gammaIncRegInv(shape, p)
	lg, _ := math.Lgamma(shape)
	for range 4 {
		if !(x > 0) || math.IsInf(x, 0) {
			break
		}
		var f float64
		if p < 0.5 {
			f = gammaIncReg(shape, x) - p
		} else {
			f = (1 - p) - gammaIncRegComp(shape, x)
		}
		dens := math.Exp((shape-1)*math.Log(x) - x - lg)
		if dens == 0 || f == 0 {
			break
		}
		step := f / dens
		if math.Abs(step) > 0.5*x {
			break
		}
		x -= step
		if math.Abs(step) <= 1e-15*x {
			break
		}
	}
	return x
}

// qbeta returns the p quantile of the Beta(a, b) distribution (R's qbeta), gonum's inverse
// polished by Newton steps on the regularised incomplete beta.
func qbeta(p, a, b float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1 || !(a > 0) || !(b > 0):
		return math.NaN()
	case p == 0:
		return 0
	case p == 1:
		return 1
	}
	x := invRegIncBeta(a, b, p)
	lb := mathext.Lbeta(a, b)
	for range 4 {
		if !(x > 0 && x < 1) {
			break
		}
		var f float64
		if p < 0.5 {
			f = regIncBeta(a, b, x) - p
		} else {
			f = (1 - p) - regIncBeta(b, a, 1-x)
		}
		dens := math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) - lb)
		if dens == 0 || f == 0 {
			break
		}
		step := f / dens
		if math.Abs(step) > 0.5*math.Min(x, 1-x) {
			break
		}
		x -= step
		if math.Abs(step) <= 1e-15*x {
			break
		}
	}
	return x
}

// pbinomLower returns P(X <= x) for X ~ Binomial(n, p); pbinomUpper returns P(X > x).
func pbinomLower(x, n int, p float64) float64 {
	switch {
	case x < 0:
		return 0
	case x >= n:
		return 1
	}
	return regIncBeta(float64(n-x), float64(x+1), 1-p)
}

func pbinomUpper(x, n int, p float64) float64 {
	switch {
	case x < 0:
		return 1
	case x >= n:
		return 0
	}
	return regIncBeta(float64(x+1), float64(n-x), p)
}

// dbinom returns P(X = x) for X ~ Binomial(n, p), 0 < p < 1.
func dbinom(x, n int, p float64) float64 {
	if x < 0 || x > n {
		return 0
	}
	return math.Exp(lchoose(n, x) + float64(x)*math.Log(p) + float64(n-x)*math.Log1p(-p))
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// ppoisLower returns P(X <= x) for X ~ Poisson(m); ppoisUpper returns P(X > x).
func ppoisLower(x int, m float64) float64 {
	if x < 0 {
		return 0
	}
	if m == 0 {
		return 1
	}
	return gammaIncRegComp(float64(x+1), m)
}

func ppoisUpper(x int, m float64) float64 {
	if x < 0 {
		return 1
	}
	if m == 0 {
		return 0
	}
	return gammaIncReg(float64(x+1), m)
}

// dpois returns P(X = x) for X ~ Poisson(m).
func dpois(x int, m float64) float64 {
	if x < 0 {
		return 0
	}
	if m == 0 {
		if x == 0 {
			return 1
		}
		return 0
	}
	lg, _ := math.Lgamma(float64(x + 1))
	return math.Exp(float64(x)*math.Log(m) - m - lg)
}

// The Cephes special functions in gonum's mathext panic outside their domain. These wrappers
// return NaN there instead, so that no data can reach a panic.

func validShape(a float64) bool { return a > 0 && !math.IsInf(a, 1) }

func regIncBeta(a, b, x float64) float64 {
	if !validShape(a) || !validShape(b) || !(x >= 0 && x <= 1) {
		return math.NaN()
	}
	return mathext.RegIncBeta(a, b, x)
}

func invRegIncBeta(a, b, y float64) float64 {
	if !validShape(a) || !validShape(b) || !(y >= 0 && y <= 1) {
		return math.NaN()
	}
	return mathext.InvRegIncBeta(a, b, y)
}

func gammaIncReg(a, x float64) float64 {
	switch {
	case !validShape(a) || !(x >= 0):
		return math.NaN()
	case math.IsInf(x, 1):
		return 1
	}
	return mathext.GammaIncReg(a, x)
}

func gammaIncRegComp(a, x float64) float64 {
	switch {
	case !validShape(a) || !(x >= 0):
		return math.NaN()
	case math.IsInf(x, 1):
		return 0
	}
	return mathext.GammaIncRegComp(a, x)
}

func gammaIncRegInv(a, y float64) float64 {
	if !validShape(a) || !(y >= 0 && y <= 1) {
		return math.NaN()
	}
	return mathext.GammaIncRegInv(a, y)
}
