// Package stats holds the statistical methods of the summarize stage: descriptives, paired and
// two-sample tests, effect sizes with confidence intervals, proportions and rates, multiplicity
// adjustment, random-effects meta-analysis and linear mixed models. Reading data, choosing
// which analyses to run and formatting the results are left to the summarize stage.
//
// Each method reproduces a named R function (R 4.2, metafor 3.8). The R reference cases in
// testdata/reference (data, the exact R call of each case, expected values and tolerances,
// and the scripts make_reference*.R that compute them; its README.md is the specification)
// are run by reference_test.go, which fails on any case whose method has no runner unless
// the test's futureRunners list names the method as future work (such cases are skipped with
// the reason). Set OUTCOMES_REFERENCE_DIR to another folder of the same layout (e.g. a fresh
// run of the scripts) to run its cases instead; the reference test of pipeline/analysis
// follows the same variable. Property tests check invariants (a CI contains its estimate, p
// in [0, 1], results do not depend on row order) on seeded random data.
//
// # Conventions
//
//   - Inputs are plain []float64. NaN marks a missing value: one-sample and two-group methods
//     drop it, paired methods drop the pair. ±Inf is an error (ErrNonFinite).
//   - Options structs have zero values that mean R's defaults (two-sided, 95%, ...).
//   - Results are structs with exported fields named after R's output; NaN appears only
//     where a doc comment says so (where R itself returns NaN rather than stopping).
//   - Degenerate input returns an error wrapping a sentinel: ErrTooFew, ErrConstant,
//     ErrZeroVariance, ErrLength, ErrNonFinite, ErrDomain, or a *ConvergenceError
//     (ErrNoConvergence). Nothing panics on data.
//   - Tail probabilities come from the tail itself (incomplete beta or gamma), never 1 - CDF,
//     so p-values like 1e-90 keep their relative accuracy. Conditions R reports as warnings
//     (e.g. the Wilcoxon fallback to the normal approximation) are returned in a Warnings
//     field with R's text.
//
// # Methods
//
// Descriptives and tests:
//
//   - [Describe], [Quantile]: mean, sd (n - 1), se, t-based 95% CI; quantiles by R's
//     quantile(type = 7) (Hyndman and Fan 1996); variance by the corrected two-pass algorithm
//     (Chan, Golub and LeVeque 1983).
//   - [PairedTTest], [WelchTTest]: R's t.test (paired = TRUE; var.equal = FALSE with the
//     Welch 1947 / Satterthwaite df), R's "not enough observations" and "data are essentially
//     constant" conditions as errors.
//   - [WilcoxonSignedRank]: R 4.2's wilcox.test(paired = TRUE, conf.int = TRUE) (Wilcoxon 1945;
//     Hodges and Lehmann 1963): exact psignrank/qsignrank and Walsh averages, or the normal
//     approximation with continuity and tie correction and R's uniroot (Brent 1973 zeroin,
//     ported from R) for the estimate and CI.
//
// Effect sizes:
//
//   - [CohensDz]: d_z = mean(d)/sd(d) for paired data (Cohen 1988), CI by inverting the
//     noncentral t (Steiger and Fouladi 1997).
//   - [HedgesG]: pooled-SD d with the correction J = 1 - 3/(4 df - 1) (Hedges 1981; Hedges and
//     Olkin 1985), CI by inverting the noncentral t.
//   - [NoncentralTCDF]: R's pt(t, df, ncp), algorithm AS 243 (Lenth 1989) as in R's nmath/pnt.c.
//
// Proportions, counts and rates:
//
//   - [Wilson]: Wilson (1927) score interval and chi-square test, R's prop.test(x, n, correct).
//   - [ClopperPearson]: exact interval (Clopper and Pearson 1934) and exact binomial test, R's
//     binom.test.
//   - [SignTest]: sign test for paired data (Dixon and Mood 1946) as binom.test on the
//     improved/worsened counts.
//   - [McNemar]: McNemar (1947) test with optional Edwards (1948) continuity correction, R's
//     mcnemar.test.
//   - [PoissonRate]: exact Poisson test and CI of a rate (Garwood 1936), R's poisson.test.
//
// Multiplicity:
//
//   - [AdjustHolm] (Holm 1979) and [AdjustBH] (Benjamini and Hochberg 1995), R's p.adjust,
//     NaN (NA) kept and not counted.
//
// Meta-analysis:
//
//   - [MetaAnalysis]: random-effects model as metafor's rma (Viechtbauer 2010) with REML
//     (Fisher scoring) or DerSimonian–Laird (1986) τ², optional Knapp–Hartung (2003) test,
//     I² and H² (Higgins and Thompson 2002, metafor's definition), Q-profile CI of τ²
//     (Viechtbauer 2007) and prediction interval (Riley, Higgins and Deeks 2011).
//   - [MeanEffects]: yi = mean and vi = sd²/n, metafor's escalc(measure = "MN").
//
// # Linear mixed models
//
// [FitLMM] fits y ~ X + (1 | g), (1 | outer/g) (clients nested in practitioners) or
// (1 + s | g) by REML or ML as lme4's lmer, with lmerTest's Satterthwaite df and p (Bates,
// Maechler, Bolker and Walker 2015, JSS 67(1); Kuznetsova, Brockhoff and Christensen 2017,
// JSS 82(13)). It minimises the criterion profiled over beta and sigma in theta (Nelder-Mead,
// then Newton polishing), evaluated from per-group sufficient statistics by a Schur
// complement per practitioner, so the rows are read once and no n x n matrix is formed;
// 1,000,000 rows fit in well under a second (bench/lmm). Rows with NaN are dropped; the fit
// reports theta, the variance components, the criterion and lme4's isSingular. See lmm.go.
package stats
