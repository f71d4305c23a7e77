// Package analysis runs an analysis plan over a lake snapshot and writes summary.json and the
// tidy tables (DESIGN.md section 6; docs/summary.md describes every field and its method).
//
// A [summary.Plan] (plans/default.yaml embedded, or a file) names the outcomes, the analyses
// of each, the subgroups, min_clients for the meta-analysis, Knapp–Hartung, the multiplicity method with
// its confirmatory tests, and the seed; [ParsePlan] rejects an unknown key, outcome, analysis,
// subgroup or test with an error naming it ([ErrPlan]).
//
// [Run] queries the views of a [duck.DB] (sessions, clients, quarantine, commits; every query
// ends in ORDER BY on a unique key) and hands plain vectors to pipeline/stats:
//
//   - within_session (pain): pain_after − pain_before over sessions with both;
//   - course: last − first recorded value per client (clients with ≥ 2), pain via pain_before;
//   - the paired block of both: paired t (R t.test), Wilcoxon signed-rank with Hodges–Lehmann
//     (R wilcox.test), Cohen's d_z with a noncentral-t CI, responders and deterioration by the
//     rules of measures.json (pipeline/measures, exact arithmetic) with Wilson CIs;
//   - mixed_model: value ~ session_number + (1 | practitioner/client) by REML (lme4, lmerTest);
//   - meta_analysis: REML random-effects pooling of practitioners' mean course change (metafor);
//   - safety: adverse events by severity and type, rate per 1,000 sessions, exact Poisson CI;
//   - data_quality: quarantine by rule and column, missingness, sessions per client and month,
//     rows per commit;
//   - multiplicity: Holm or Benjamini–Hochberg over the confirmatory tests.
//
// Degenerate data never fail the summary: a statistic that is undefined (n < 2, zero variance,
// one practitioner, k < 2, no data) is null and its block's undefined_reason says why; no
// number is made up.
//
// # Determinism
//
// The same snapshot, plan and program give byte-identical output: the [summary.Summary] types fix
// the key order ([summary.Ordered] for keyed levels, sorted by byte order), floats are written by
// [summary.Float] with strconv.FormatFloat(x, 'g', -1, 64) and NaN as null, rows are read in a
// fixed order, and nothing depends on the clock or the source files' row order.
//
// [Write] puts summary.json and tables/*.csv in a directory atomically; [summary.Read] reads
// summary.json back into the same types for the report. The types live in pipeline/summary,
// which links neither DuckDB nor the statistics, so that readers of a summary need neither.
package analysis
