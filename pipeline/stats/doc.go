// Package stats holds the statistical methods of the summarize stage: descriptives, paired and
// two-sample tests, effect sizes with confidence intervals, proportions and rates, multiplicity
// adjustment, random-effects meta-analysis and linear mixed models. Each method reproduces a
// named R function; the shared reference cases (shared/reference, computed by R with the
// commands recorded in each case) pin the numbers down, and reference_test.go checks every one
// of them within the tolerance the case states.
//
// The functions take plain []float64 (NaN marks a missing value where a doc comment says so),
// options structs whose zero value means R's defaults, and return result structs with exported
// fields. Degenerate input returns an error wrapping one of the sentinel errors (ErrTooFew,
// ErrConstant, ErrZeroVariance, ...); nothing panics on data.
//
// # Descriptives and tests
//
//   - [Describe], [Quantile]: mean, sd, se, t-based CI, R's quantile(type = 7).
//   - [PairedTTest], [WelchTTest]: R's t.test (paired; var.equal = FALSE, Welch 1947).
//
// # Linear mixed models
//
// See lmm.go.
package stats
