// Package disclosure applies statistical disclosure control to the tables of the public
// bundle (DESIGN.md section 7; measures.json disclosure_control): primary and secondary cell
// suppression, an audit by linear programming that proves what an attacker can and cannot
// work out from the published counts, the published CSV form, and a check that keeps keys,
// fine dates and free text out. It is pure Go; the bundle itself (files, manifest, README)
// is pipeline/publish's.
//
// # Tables
//
// A [Table] crosses one or more dimensions ([Dim]); a dimension's levels may be grouped
// ([Level] with Children, e.g. presenting_complaint within its public_group) and may have a
// grand total. Every combination of levels (leaves, subtotals, totals) is a cell, so the
// table carries its margins, and each parent level gives the linear constraints
//
//	count(…, parent, …) = Σ count(…, child, …)     for every combination of the other levels.
//
// Leaf counts are set with [Table.Set]; margins left unset are summed from the leaves, and a
// margin that is set must equal that sum, else [ErrInconsistent] (a table whose subgroups
// overlap, such as clients seen under two modalities, is not additive and must not be
// modelled as one). Statistics (a mean, a percentage, a p value) are attached to a cell with
// [Table.SetStat] and carry the number of clients behind them.
//
// Several tables are protected and audited as one system when passed together to
// [Suppress] or [Audit]: cells of different tables with the same non-total levels (by
// dimension name) are one cell, e.g. the modality totals of complaint × modality and of
// age_band × modality. Pass together every table of a bundle that counts the same units
// (clients of the course analysis, say), so that differencing between them is covered.
//
// # Primary suppression
//
// A count 1..MinCell−1 (default 10, measures.json min_individuals_per_published_cell; a
// threshold below 3 is refused with [ErrConfig]) is sensitive and suppressed. Zeros are
// published (measures.json zero_may_be_shown: true): a zero says that no client of the
// project falls in that cell, which the association may state, and a published zero does
// not help to recover a suppressed count beyond what the audit already accounts for (it is a
// known value in the attacker's equations). A zero does disclose something about a group
// when the cells are outcomes of one population (0 non-responders means "all responded");
// publish must not build such tables over small groups, or must set SuppressZeros, which
// makes zeros sensitive too. A statistic is suppressed when it was computed from fewer than
// MinCell clients (measures.json suppress_statistics_when_n_below) or when its cell's count
// is suppressed (a percentage over a hidden count can give the count away).
//
// # Protection and secondary suppression
//
// The protection level P (Config.Protection, default ⌈MinCell/2⌉ = 5) says how uncertain an
// attacker must stay. For a suppressed cell, its feasible interval [lo, hi] is the least and
// the greatest value it takes in any table of non-negative counts that keeps every
// constraint and every published count. Suppress guarantees, for every sensitive cell with
// true count x,
//
//	hi ≥ x + P   and   lo ≤ max(0, x − P)
//
// (the upper and lower protection levels of τ-Argus; Hundepool et al. 2012, Statistical
// Disclosure Control, Wiley, ch. 4–5), and for every other suppressed cell hi − lo ≥ P.
//
// Complementary cells are chosen by the protection subproblem of Kelly, Golden & Assad (1992,
// "Cell suppression: disclosure protection for sensitive tabular data", Networks 22,
// 397–417) and Fischetti & Salazar-González (2000, "Models and algorithms for optimizing cell
// suppression in tabular data with linear constraints", JASA 95, 916–928), applied cell by
// cell as in Kelly, Golden & Assad's heuristic (sdcTable's SIMPLEHEURISTIC likewise checks
// its result by solving the attacker's problems; τ-Argus's optimal and modular methods solve
// the same protection problem exactly by branch and cut):
//
//  1. Suppress the sensitive cells.
//  2. Visit the suppressed cells, sensitive first, larger counts first. For each, compute its
//     interval (two LPs); if it falls short of the requirement above in a direction, solve
//     the LP: find the cheapest change y of the whole table with y_v = +P (or −min(P, x)),
//     Ay = 0 for every constraint, and x + y ≥ 0, where changing a published cell j costs
//     (x_j + 1)·|y_j| and changing a suppressed cell costs nothing; suppress every cell that
//     y changes. The attacker cannot tell x from x + y, so v's interval now reaches x_v ± P.
//     The cost makes the LP prefer small cells and cells already suppressed ("smallest
//     counts first"; τ-Argus's default cost is the cell value) and avoid totals.
//  3. Repeat the visit until a pass finds every cell protected. Suppressing more cells only
//     widens intervals, so protection found earlier is never lost. If a pass adds nothing and
//     a cell still falls short (rounding), the cells that share a constraint with it are
//     suppressed; with everything suppressed every interval is unbounded (any cell can grow
//     with one leaf under it and all their totals), so the loop ends.
//  4. Publish again every complementary cell the others make redundant: visit them, larger
//     counts first, publish each and keep it published if every suppressed cell still meets
//     its requirement (a usual last step of suppression heuristics; on random tables it
//     gives back about 7% of the complementary cells).
//  5. Audit the published tables ([Audit]); Suppress fails rather than return a table that
//     does not pass.
//
// The LPs of steps 2–4 are solved by a dense two-phase tableau simplex in this package; the
// final audit by gonum's, an implementation independent of it. The heuristic is not optimal (the optimal problem is NP-hard; sdcTable's OPT and τ-Argus's
// optimal method solve it by branch and cut for small tables).
//
// # What the audit proves, and what it does not
//
// [Audit] needs only the published tables (it is what publish verify runs on a bundle read
// back with [ReadCSV]): it rebuilds the constraints from the table structure, substitutes the
// published counts, and computes each suppressed cell's interval with gonum's simplex
// (gonum.org/v1/gonum/optimize/convex/lp, started from a feasible basis this package finds,
// so gonum recomputes and decides every optimum), rounding bounds inward to integers. It
// fails ([ErrUnsafe], via [Report.Err]) when a published count is 1..MinCell−1 or a suppressed
// cell's interval is narrower than P. It proves:
//
//   - no suppressed count can be recovered exactly, nor narrowed to fewer than P+1 values, by
//     any linear reasoning (sums and differences of rows, columns, totals and subtotals, in
//     any combination) over the published counts of all the tables audited together, with
//     counts known to be non-negative;
//   - with the true values (as Suppress has them), every sensitive count lies at least P
//     inside its interval on each side, or its interval reaches 0.
//
// It does not cover:
//
//   - integer reasoning beyond rounding the LP bounds: for a plain 2-D table with margins
//     (a transportation problem, whose constraint matrix is totally unimodular) the LP
//     bounds are the integer bounds; for hierarchical and 3-D tables an attacker solving
//     integer programs can in principle narrow an interval further than the LP does;
//   - tables not passed together (audit every table of a bundle that shares cells with
//     another in one call), earlier or later releases (publish must audit a new release
//     together with the published tables it overlaps, measures.json "successive releases"),
//     and tables built from overlapping groups that are not additive;
//   - the statistics' values themselves: a published mean or percentage is not fed to the
//     attacker's equations (a percentage with a published denominator reveals its
//     numerator; publish should publish such numerators as counts in an audited table);
//   - outside knowledge (an attacker who knows some clients' cells), and rounding of counts
//     (measures.json round_counts_below_overall_level_to), which is publish's.
//
// # Published form
//
// [WriteCSV] writes one row per cell: the dimensions (a level as its path "group/leaf", the
// grand total as [TotalLevel]), [CountColumn], then the statistics. A suppressed count or
// statistic is [Marker] ("*", the convention of NHS Digital quoted in measures.json); an
// undefined statistic is empty. [ReadCSV] reads it back with the table's structure, so the
// audit can be rerun on the bundle alone.
//
// # Content check
//
// [Check] (run by Suppress on every table) refuses a table, dimension or statistic named
// like an identifier or free text (practitioner_key, client_id, notes), a level that is not
// a short code, that contains 32 hex digits (a client_key or practitioner_key, DESIGN.md
// section 5), or that names a day or a time; months and quarters are refused unless
// Config.DateGranularity allows them (default year, measures.json
// publish_granularity_default; month is the finest ever allowed).
package disclosure
