// Package publish makes the association's public bundle from a summary (DESIGN.md section 7,
// issue 7): tables of counts and statistics under disclosure control, the public report, a
// README and a manifest, written atomically; and [Verify], which checks a bundle on its own.
// The disclosure rule itself (suppression, audit, CSV form, content check) is
// pipeline/disclosure's; this package decides what is published and how it is grouped.
//
// # What is published
//
// [Build] reads only the summary and the tables beside it ([report.Load]) and measures.json
// (embedded in package schemas) for the levels of each dimension: presenting_complaint within
// its public_group (a group level is named "<group>_group", since the group headache holds
// the code headache), modality, adverse_event. The tables, one CSV each:
//
//	course_<measure>_by_complaint   clients with a course change, by complaint (within its
//	course_<measure>_by_modality    group) or modality of the first session, crossed with
//	                                responder / non_responder (/ not_evaluable) when the
//	                                measure has a responder rule; each row total carries the
//	                                course statistics: mean_first, mean_last, mean_change,
//	                                ci_low, ci_high, p, wilcoxon_p, dz, and responder_share
//	                                with its Wilson CI
//	adverse_events_by_modality      sessions by severity (none; any_adverse_event over mild,
//	adverse_events_by_complaint     moderate, severe, serious; not_recorded) and modality or
//	                                complaint, with the rate per 1,000 sessions and its CI
//	sessions_by_year                sessions by the year of session_date
//
// and report-public.html: the report of pipeline/report rendered over a copy of the summary
// in which every withheld statistic is null with an undefined_reason that starts
// "suppressed:" (the report shows the reason in place of the number), and a subgroup whose
// count is withheld is absent; a note under the masthead says so. The renderer is not
// changed: suppression is expressed in the summary data it already understands.
//
// Not published: any client_key or practitioner_key, and the meta-analysis per practitioner
// (tables/meta_practitioners.csv; measures.json allows practitioner-level outputs only with
// the practitioners' consent, which the lake does not record; the pooled estimate is
// published); free text and source file names (the commits are summed into one row);
// session dates finer than a year (the population's first and last dates keep their year;
// sessions by month become sessions by year); adverse events by type; within-session results
// by subgroup (they count sessions, and the summary does not say how many clients are behind
// them); the distribution of course changes and of sessions per client (the tails are
// single clients; the quartiles, minimum and maximum of sessions per client are kept); the
// violations by rule; trajectory points of fewer than min_cell clients.
//
// # Disclosure control
//
// Tables that count the same units and share margins are protected in one
// disclosure.Suppress call and audited together: for each measure, its two course tables
// (which share the status margins and the grand total); and the three session tables. The
// threshold is min_cell (default 10, at least 3); the protection level is ⌈min_cell/2⌉.
//
//   - Course tables treat zeros as sensitive (SuppressZeros): their cells are the outcomes of
//     one group of clients, so "0 non-responders" would say something about each of them. The
//     not_evaluable level exists only when some client is not evaluable.
//   - A statistic is withheld when computed from fewer than min_cell clients or when it sits
//     on a withheld count. A responder share reveals both its counts once one is known, so it
//     is also withheld when either the responders or the non-responders are: the tables are
//     built and suppressed twice, the second time with those shares marked (the suppression
//     pattern depends on the counts only).
//   - Session tables apply the threshold to session counts, and a count of sessions at or
//     above it that comes from fewer than min_cell clients (the summary's clients_by_severity
//     and clients_any_adverse_event) is a primary suppression too (disclosure's
//     MarkSensitive); the rates of a level are published only when a lower bound of the
//     clients behind them reaches min_cell (the most clients with a course change of any
//     measure whose first session had that level).
//   - Counts that the public report prints but no audited table holds (deterioration, and
//     the within-session responders) are shown only when each, and what it leaves of its row,
//     is 0 or at least min_cell.
//   - README.txt lists which cells are withheld but not which were small: knowing that a cell
//     is complementary tells an attacker it is at least min_cell.
//
// # What the bundle guarantees
//
//   - Every count from 1 to min_cell−1 is withheld, and no withheld count can be recovered, or
//     narrowed to fewer than protection+1 values, by linear reasoning over the published
//     counts of its audit group (disclosure.Audit; the package doc of disclosure says what
//     this covers and what it does not). [Run] refuses ([ErrRefused]) rather than write a
//     bundle that fails the audit or the content check.
//   - No file holds a run of 32 hex digits (what a pseudonymous key looks like), other than
//     the plan's SHA-256 and the manifest's hashes; tables pass disclosure.Check.
//   - The same summary, tables and program give byte-identical files: nothing depends on the
//     clock or on map order; the directory's name is the only date (the summary's directory,
//     i.e. the snapshot's commit date, by [DefaultOut]).
//   - The bundle appears whole or not at all: it is written into a temporary directory beside
//     the target and renamed over it.
//   - manifest.json lists every other file with its size and SHA-256, the plan and its hash,
//     the lake snapshot, the summary's schema version, both program versions, the rule and
//     the audit groups, so [Verify] can recheck the hashes and rerun the audit and the content
//     check from the bundle alone.
//
// [Run] also refuses ([ErrStale]) a summary of a lake snapshot older than the latest unless
// Options.AllowStale is set. It is what both `outcomes publish` and the nightly run call.
//
// # What it does not do
//
//   - Successive releases are not audited together: each bundle is protected on its own, so
//     differencing two releases (a client added between them) is not covered; measures.json
//     asks for it, and disclosure.Audit can take the tables of both releases once publish
//     keeps the last release to compare with.
//   - Counts are not rounded (measures.json round_counts_below_overall_level_to: 5): rounding
//     breaks the additivity the suppression and its audit rely on; cell suppression with a
//     protection level is used instead.
package publish
