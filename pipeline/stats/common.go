package stats

import (
	"fmt"
	"math"
)

// Alternative is the alternative hypothesis of a test, named as in R.
type Alternative int

const (
	TwoSided Alternative = iota // "two.sided"
	Less                        // "less": the true location is below the null value
	Greater                     // "greater": the true location is above the null value
)

// String returns R's name of the alternative.
func (a Alternative) String() string {
	switch a {
	case TwoSided:
		return "two.sided"
	case Less:
		return "less"
	case Greater:
		return "greater"
	}
	return fmt.Sprintf("Alternative(%d)", int(a))
}

// ParseAlternative parses R's names "two.sided", "less" and "greater".
func ParseAlternative(s string) (Alternative, error) {
	switch s {
	case "two.sided", "":
		return TwoSided, nil
	case "less":
		return Less, nil
	case "greater":
		return Greater, nil
	}
	return 0, fmt.Errorf("alternative %q: %w", s, ErrDomain)
}

func (a Alternative) valid() error {
	if a < TwoSided || a > Greater {
		return fmt.Errorf("alternative %d: %w", int(a), ErrDomain)
	}
	return nil
}

// confLevel returns level, or 0.95 when level is 0, and checks 0 < level < 1.
func confLevel(level float64) (float64, error) {
	if level == 0 {
		return 0.95, nil
	}
	if !(level > 0 && level < 1) {
		return 0, fmt.Errorf("confidence level %g not in (0, 1): %w", level, ErrDomain)
	}
	return level, nil
}

// dropNaN returns the non-NaN values of x (a new slice) and an error if any value is ±Inf.
func dropNaN(x []float64) ([]float64, error) {
	out := make([]float64, 0, len(x))
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("value %d is %v: %w", i, v, ErrNonFinite)
		}
		out = append(out, v)
	}
	return out, nil
}

// pairDiffs returns x[i] - y[i] over the pairs where neither is NaN.
func pairDiffs(x, y []float64) ([]float64, error) {
	if len(x) != len(y) {
		return nil, fmt.Errorf("x has %d values, y has %d: %w", len(x), len(y), ErrLength)
	}
	d := make([]float64, 0, len(x))
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		if math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("pair %d: %w", i, ErrNonFinite)
		}
		d = append(d, x[i]-y[i])
	}
	return d, nil
}

// meanVar returns the mean and the sample variance (denominator n - 1) by the corrected
// two-pass algorithm (Chan, Golub and LeVeque 1983, eq. 1.7), as gonum's stat.MeanVariance
// and R's var. With n = 1 the variance is NaN.
func meanVar(x []float64) (mean, variance float64) {
	n := float64(len(x))
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	mean = s / n
	// R's mean adds a second pass correction, as here.
	var c float64
	for _, v := range x {
		c += v - mean
	}
	mean += c / n
	if n < 2 {
		return mean, math.NaN()
	}
	var ss, comp float64
	for _, v := range x {
		d := v - mean
		ss += d * d
		comp += d
	}
	variance = (ss - comp*comp/n) / (n - 1)
	return mean, variance
}
