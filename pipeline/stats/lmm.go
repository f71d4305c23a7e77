package stats

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Linear mixed models fitted by REML or ML, as lme4's lmer with lmerTest's Satterthwaite
// degrees of freedom.
//
// The model is y = X beta + Z b + e with b ~ N(0, sigma^2 Lambda_theta Lambda_theta') and
// e ~ N(0, sigma^2 I) (Bates, Maechler, Bolker and Walker 2015, "Fitting Linear Mixed-Effects
// Models Using lme4", J Stat Softw 67(1), eqs. 2-4). For a fixed theta, beta and sigma are
// profiled out of the likelihood (their section 3.4), leaving a criterion in theta alone:
//
//	REML: log|L_theta|^2 + log|R_X|^2 + (n - p) (1 + log(2 pi r^2(theta) / (n - p)))   (eq. 42)
//	ML:   log|L_theta|^2 + n (1 + log(2 pi r^2(theta) / n))                             (eq. 35)
//
// where L_theta L_theta' = Lambda' Z'Z Lambda + I, R_X'R_X = X'X - R_ZX'R_ZX (the Schur
// complement of the random-effects block, eq. 18) and r^2 the penalised residual sum of
// squares. The three random-effects structures supported here all make Lambda' Z'Z Lambda + I
// block diagonal per group (per practitioner for the nested model, where a practitioner's
// block is its clients' small diagonal blocks bordered by one practitioner row), so the
// criterion is evaluated from per-group sufficient statistics with Schur complements (see
// lmm_criterion.go): the data are read once, and each evaluation costs O(groups), never an
// n x n matrix.

// LMMStructure is the random-effects term of a linear mixed model.
type LMMStructure int

const (
	// LMMIntercept is a random intercept per group: y ~ X + (1 | g). theta has one element,
	// the sd of the intercepts divided by sigma.
	LMMIntercept LMMStructure = iota
	// LMMNested is a random intercept per practitioner and per client within practitioner:
	// y ~ X + (1 | outer/g), which lme4 expands to (1 | g:outer) + (1 | outer). theta is
	// (client-within-practitioner, practitioner), lme4's order (terms sorted by decreasing
	// number of levels; nesting gives at least as many clients as practitioners, and with
	// equally many, one client each, the two variances are not identifiable anyway).
	LMMNested
	// LMMSlope is a correlated random intercept and slope per group: y ~ X + (1 + s | g).
	// theta is the lower Cholesky factor of the random-effects covariance divided by sigma,
	// column-wise: (L11, L21, L22).
	LMMSlope
)

// String returns the lme4 form of the random-effects term.
func (s LMMStructure) String() string {
	switch s {
	case LMMIntercept:
		return "(1 | g)"
	case LMMNested:
		return "(1 | outer/g)"
	case LMMSlope:
		return "(1 + s | g)"
	}
	return fmt.Sprintf("LMMStructure(%d)", int(s))
}

// LMMData holds the rows of one mixed model in column form. All slices that are set must have
// len(Y) elements. The structure follows from the fields set: Outer gives [LMMNested], Slope
// gives [LMMSlope], neither gives [LMMIntercept]; setting both is an error.
//
// Missing values: rows with NaN in Y, in any X column or in Slope are dropped before fitting
// (as lme4's default na.action = na.omit does) and counted in [LMMFit.NDropped]. ±Inf is an
// error. Group labels are taken as given (an empty label is a level like any other).
type LMMData struct {
	Y []float64 // response
	// X holds the fixed-effect covariates, one slice per column (X[j][i] is row i). An
	// intercept is always added as the first fixed effect.
	X      [][]float64
	XNames []string // names of the X columns, used in LMMFit.Fixed; defaults x1, x2, ...
	// Group labels the grouping factor of every row (the client). In the nested model a
	// client is identified by its (Outer, Group) pair, as lme4's outer/g does, so client
	// labels need only be unique within a practitioner.
	Group []string
	Outer []string  // optional outer grouping factor (the practitioner), for (1 | Outer/Group)
	Slope []float64 // optional covariate with a random slope per Group, for (1 + Slope | Group)
}

// LMMOptions are the options of [FitLMM]. The zero value fits by REML.
type LMMOptions struct {
	// ML fits by maximum likelihood instead of REML (lmer's REML = FALSE).
	ML bool
	// MaxEval bounds the number of criterion evaluations of the optimiser; 0 means 20000.
	MaxEval int
	// NoDF skips the Satterthwaite degrees of freedom (DF and P of the fixed effects are then
	// NaN); it saves the derivative evaluations when only estimates are needed.
	NoDF bool
}

// LMMFixedEffect is one row of the fixed-effects table, as lmerTest's summary gives it.
type LMMFixedEffect struct {
	Name     string  // "(Intercept)" or the X column's name
	Estimate float64 // beta
	SE       float64 // sqrt of the diagonal of sigma^2 (R_X'R_X)^-1
	DF       float64 // Satterthwaite degrees of freedom (lmerTest)
	T        float64 // Estimate / SE
	P        float64 // 2 P(T_DF >= |T|)
}

// LMMFit is a fitted linear mixed model. Components that the structure does not have are NaN
// (VarOuter outside [LMMNested]; VarSlope, CovSlope and CorSlope outside [LMMSlope]).
type LMMFit struct {
	Structure LMMStructure
	REML      bool
	Fixed     []LMMFixedEffect
	// Vcov is the covariance matrix of the fixed effects, sigma^2 (R_X'R_X)^-1 (vcov(fit)),
	// row-major p x p in the order of Fixed.
	Vcov []float64

	Theta []float64 // relative covariance factors, as getME(fit, "theta")
	Sigma float64   // residual sd
	// VarResidual is sigma^2: r^2 / (n - p) under REML, r^2 / n under ML.
	VarResidual float64
	// VarGroup is the intercept variance of Group: of the clients within practitioners in the
	// nested model (var_client_key_in_practitioner_key).
	VarGroup float64
	VarOuter float64 // variance of the Outer (practitioner) intercepts
	VarSlope float64 // variance of the random slopes
	CovSlope float64 // covariance of random intercept and slope
	CorSlope float64 // correlation of random intercept and slope

	// Criterion is the REML criterion (REMLcrit) for REML fits and the deviance for ML fits;
	// LogLik = -Criterion / 2.
	Criterion float64
	LogLik    float64

	NObs     int // rows used
	NDropped int // rows dropped for NaN
	NGroups  int // levels of Group (of (Outer, Group) pairs in the nested model)
	NOuter   int // levels of Outer; 0 outside the nested model

	// Singular is lme4's isSingular: a theta with a lower bound of 0 (a diagonal element of
	// a relative covariance factor) is below 1e-4. Such a fit is on the boundary of the
	// parameter space ("boundary (singular) fit").
	Singular bool
	// Evaluations counts the evaluations of the profiled criterion by the optimiser.
	Evaluations int
}

// ErrLMMRankDeficient is matched (errors.Is) by an [LMMRankError].
var ErrLMMRankDeficient = errors.New("stats: fixed-effects design is rank deficient")

// LMMRankError reports a fixed-effects design X whose columns are (numerically) linearly
// dependent; Cond is the condition number of X'X after scaling its columns to unit length
// (Inf when a column is zero or exactly dependent). lme4 would drop columns; FitLMM refuses.
type LMMRankError struct{ Cond float64 }

func (e *LMMRankError) Error() string {
	return fmt.Sprintf("stats: fixed-effects design is rank deficient (condition number %.3g)", e.Cond)
}

// Unwrap makes errors.Is(err, ErrLMMRankDeficient) true.
func (e *LMMRankError) Unwrap() error { return ErrLMMRankDeficient }

// lmmSingularTol is lme4's isSingular tolerance on theta.
const lmmSingularTol = 1e-4

// FitLMM fits a linear mixed model with fixed effects (intercept + d.X) and the random-effects
// structure given by d (see [LMMData]) by REML, or by ML when opts.ML is set, as lme4's lmer
// with lmerTest's Satterthwaite degrees of freedom.
//
// The profiled criterion (see the comment at the top of lmm.go; Bates et al. 2015) is minimised
// over theta by Nelder-Mead and then polished by Newton steps on finite-difference
// derivatives until the step is below 1e-10 (relative), so results match lme4 fitted with a
// tight tolerance (bobyqa, rhoend = 1e-12). The criterion is smooth and even in each column of
// Lambda, so theta is optimised unconstrained and the columns are given lme4's signs (diagonal
// elements >= 0) afterwards; a diagonal element below 1e-7 is set to 0 (a boundary fit). DF are
// computed as lmerTest does (see lmm_satterthwaite.go).
//
// Errors: mismatched lengths, including a missing Group (ErrLength), ±Inf (ErrNonFinite), both
// Outer and Slope set (ErrDomain), fewer rows than fixed effects plus one or than random effects, or a
// grouping factor with fewer than 2 levels or as many levels as rows (ErrTooFew), a response
// fitted exactly by X, or by X and the random effects (a residual variance below 1e-10 of the
// response's; ErrZeroVariance), a rank-deficient X (*LMMRankError), an optimiser that
// does not converge (*ConvergenceError), and ctx's error when ctx is cancelled.
func FitLMM(ctx context.Context, d LMMData, opts LMMOptions) (*LMMFit, error) {
	m, err := newLMMModel(d)
	if err != nil {
		return nil, err
	}
	if err := m.checkRank(); err != nil {
		return nil, err
	}
	m.reml = !opts.ML
	theta, nEval, err := m.optimize(ctx, opts.MaxEval)
	if err != nil {
		return nil, err
	}
	fit, err := m.result(theta)
	if err != nil {
		return nil, err
	}
	fit.Evaluations = nEval
	if !opts.NoDF {
		m.satterthwaite(fit)
	}
	return fit, nil
}

// result evaluates the model at the optimum theta and fills in an LMMFit (without DF and P).
func (m *lmmModel) result(theta []float64) (*LMMFit, error) {
	w := m.newWork()
	if !m.eval(theta, w) {
		return nil, fmt.Errorf("stats: mixed model: criterion not finite at the optimum: %w", ErrZeroVariance)
	}
	fit := &LMMFit{
		Structure: m.structure, REML: m.reml, Theta: append([]float64(nil), theta...),
		NObs: m.n, NDropped: m.dropped, NGroups: m.nInner, NOuter: m.nOuter,
		VarOuter: math.NaN(), VarSlope: math.NaN(), CovSlope: math.NaN(), CorSlope: math.NaN(),
	}
	fit.Criterion = m.criterion(w)
	fit.LogLik = -fit.Criterion / 2
	fit.VarResidual = w.r2 / float64(m.n-m.pREML())
	fit.Sigma = math.Sqrt(fit.VarResidual)
	if vy := m.g0[m.k*m.k-1] / float64(m.n-1); fit.VarResidual <= 1e-10*vy {
		return nil, fmt.Errorf("stats: mixed model: residual variance %.3g of a response variance %.3g: "+
			"the random effects fit the response exactly: %w", fit.VarResidual, vy, ErrZeroVariance)
	}
	m.fillComponents(fit)
	m.fillFixed(fit, w)
	return fit, nil
}

// fillComponents sets the variance components and the singular flag from theta and sigma.
func (m *lmmModel) fillComponents(fit *LMMFit) {
	s2, th := fit.VarResidual, fit.Theta
	fit.VarGroup = s2 * th[0] * th[0]
	switch m.structure {
	case LMMNested:
		fit.VarOuter = s2 * th[1] * th[1]
		fit.Singular = th[0] < lmmSingularTol || th[1] < lmmSingularTol
	case LMMSlope:
		fit.VarSlope = s2 * (th[1]*th[1] + th[2]*th[2])
		fit.CovSlope = s2 * th[0] * th[1]
		fit.CorSlope = fit.CovSlope / math.Sqrt(fit.VarGroup*fit.VarSlope)
		fit.Singular = th[0] < lmmSingularTol || th[2] < lmmSingularTol
	default:
		fit.Singular = th[0] < lmmSingularTol
	}
}

// fillFixed sets the fixed-effects table (without DF and P) and Vcov.
func (m *lmmModel) fillFixed(fit *LMMFit, w *lmmWork) {
	p := m.p
	beta, unsc := m.uncenter(w.beta(), w.unscaledVcov())
	fit.Vcov = make([]float64, p*p)
	for i := range fit.Vcov {
		fit.Vcov[i] = fit.VarResidual * unsc[i]
	}
	fit.Fixed = make([]LMMFixedEffect, p)
	for j := range p {
		se := math.Sqrt(fit.Vcov[j*p+j])
		fit.Fixed[j] = LMMFixedEffect{
			Name: m.names[j], Estimate: beta[j], SE: se, T: beta[j] / se,
			DF: math.NaN(), P: math.NaN(),
		}
	}
}
