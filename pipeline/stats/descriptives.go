package stats

import (
	"fmt"
	"math"
	"slices"
)

// Descriptives summarises one numeric sample.
type Descriptives struct {
	N         int
	Mean      float64
	SD        float64 // sample standard deviation, denominator n - 1; NaN when N = 1
	SE        float64 // SD / sqrt(N); NaN when N = 1
	CILower   float64 // Mean - qt(0.975, N-1) SE; NaN when N = 1
	CIUpper   float64 // Mean + qt(0.975, N-1) SE; NaN when N = 1
	Min       float64 // type-7 quantile 0
	P10       float64 // type-7 quantile 0.10
	Q1        float64 // type-7 quantile 0.25
	Median    float64 // type-7 quantile 0.50 (equal to R's median)
	Q3        float64 // type-7 quantile 0.75
	P90       float64 // type-7 quantile 0.90
	Max       float64 // type-7 quantile 1
	IQR       float64 // Q3 - Q1 (R's IQR, type 7)
	ConfLevel float64
}

// Describe returns n, mean, sd, se, a 95% t-based confidence interval for the mean and type-7
// quantiles of x; it matches describe() of the reference (make_reference.R), that is R's mean,
// sd, qt(0.975, n - 1) * sd / sqrt(n), quantile(type = 7), median and IQR.
//
// The mean uses two passes (R's mean.default adds the mean of the residuals), the variance the
// corrected two-pass algorithm of Chan, Golub and LeVeque (1983, eq. 1.7). NaN values are
// missing and are dropped first. Degenerate input: no values left gives an error wrapping
// ErrTooFew; ±Inf an error wrapping ErrNonFinite; with n = 1, SD, SE and the CI are NaN (as
// in R) and all quantiles equal the value.
func Describe(x []float64) (Descriptives, error) {
	v, err := dropNaN(x)
	if err != nil {
		return Descriptives{}, fmt.Errorf("describe: %w", err)
	}
	if len(v) == 0 {
		return Descriptives{}, fmt.Errorf("describe: no non-missing values: %w", ErrTooFew)
	}
	slices.Sort(v)
	n := len(v)
	mean, variance := meanVar(v)
	d := Descriptives{N: n, Mean: mean, SD: math.Sqrt(variance), ConfLevel: 0.95}
	d.SE = d.SD / math.Sqrt(float64(n))
	d.CILower, d.CIUpper = math.NaN(), math.NaN()
	if n > 1 {
		h := qt(0.975, float64(n-1)) * d.SE
		d.CILower, d.CIUpper = mean-h, mean+h
	}
	q := func(p float64) float64 { return quantileSorted(v, p) }
	d.Min, d.P10, d.Q1, d.Median, d.Q3, d.P90, d.Max = q(0), q(0.1), q(0.25), q(0.5), q(0.75), q(0.9), q(1)
	d.IQR = d.Q3 - d.Q1
	return d, nil
}

// Quantile returns the p quantile of x by R's quantile(type = 7): on the sorted sample
// x(1) <= ... <= x(n), h = 1 + (n - 1) p, q = x(floor h) + (h - floor h)(x(ceil h) - x(floor h)),
// with R's arithmetic (1 - f) x(lo) + f x(hi) and no interpolation when x(lo) == x(hi)
// (Hyndman and Fan 1996, definition 7). NaN values are dropped. Errors: p outside [0, 1]
// (ErrDomain), no values (ErrTooFew), ±Inf (ErrNonFinite).
func Quantile(x []float64, p float64) (float64, error) {
	if !(p >= 0 && p <= 1) {
		return math.NaN(), fmt.Errorf("quantile: p = %g: %w", p, ErrDomain)
	}
	v, err := dropNaN(x)
	if err != nil {
		return math.NaN(), fmt.Errorf("quantile: %w", err)
	}
	if len(v) == 0 {
		return math.NaN(), fmt.Errorf("quantile: %w", ErrTooFew)
	}
	slices.Sort(v)
	return quantileSorted(v, p), nil
}

// quantileSorted is R's type-7 quantile of the sorted, non-empty s, with R's arithmetic:
// index = 1 + (n - 1) p (1-based), lo = floor(index), hi = ceiling(index).
func quantileSorted(s []float64, p float64) float64 {
	index := 1 + float64(len(s)-1)*p
	lo := math.Floor(index)
	hi := math.Ceil(index)
	qs := s[int(lo)-1]
	if index > lo && s[int(hi)-1] != qs {
		h := index - lo
		qs = (1-h)*qs + h*s[int(hi)-1]
	}
	return qs
}
