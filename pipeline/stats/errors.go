package stats

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with detail (fmt.Errorf("...: %w", ErrX)), so callers
// branch with errors.Is.
var (
	// ErrTooFew: fewer observations than the method needs (after missing values are dropped).
	ErrTooFew = errors.New("stats: not enough observations")
	// ErrConstant: the data are essentially constant, so a test statistic is undefined
	// (R's "data are essentially constant").
	ErrConstant = errors.New("stats: data are essentially constant")
	// ErrZeroVariance: a standard deviation that must be positive is zero (effect sizes).
	ErrZeroVariance = errors.New("stats: zero variance")
	// ErrLength: paired inputs differ in length.
	ErrLength = errors.New("stats: lengths differ")
	// ErrNonFinite: an input is ±Inf (NaN means missing and is dropped where documented).
	ErrNonFinite = errors.New("stats: non-finite value")
	// ErrDomain: an argument is outside its domain (conf level not in (0, 1), x > n,
	// negative count or variance, ...).
	ErrDomain = errors.New("stats: argument out of domain")
	// ErrNoConvergence: an iterative method did not converge; the returned error is a
	// *ConvergenceError.
	ErrNoConvergence = errors.New("stats: no convergence")
)

// ConvergenceError reports an iterative method that stopped without converging. It matches
// ErrNoConvergence with errors.Is.
type ConvergenceError struct {
	Method string  // what was iterating, e.g. "reml tau2"
	Iter   int     // iterations done
	Change float64 // last change of the iterate
}

func (e *ConvergenceError) Error() string {
	return fmt.Sprintf("stats: %s did not converge after %d iterations (last change %g)", e.Method, e.Iter, e.Change)
}

// Unwrap makes errors.Is(err, ErrNoConvergence) true.
func (e *ConvergenceError) Unwrap() error { return ErrNoConvergence }
