// Package report turns a summary (summary.json and the tables/*.csv beside it, written by
// pipeline/analysis) into report.html: the document researchers and the association's board
// read (DESIGN.md section 7).
//
// It reads nothing else: not the lake, not the sources, not the clock. Every number in the
// report is a number of summary.json or of a table beside it, formatted for reading; a
// statistic that summary.json leaves null is shown with its undefined_reason, never as a
// number. The measure reference embedded in pipeline/measures supplies only the MCIDs
// marked on the change distributions.
//
// # The document
//
// [Write] renders one self-contained HTML file with html/template (every value escaped):
// inline CSS with a print stylesheet and a viewport for phones, plots as inline SVG, no script
// and no reference to anything outside the file (no fonts, images or links). Its sections, in
// order, each an element with a stable id that the browser test looks for:
//
//	headline      population, snapshot, plan, and one sentence per measure with its 95% CI
//	measure-<m>   one page per measure: the paired statistics (course, and within-session
//	              for pain with the warning that sessions are clustered within clients),
//	              the mixed model, the meta-analysis, subgroups, and the plots
//	safety        adverse events by severity and type, rates with exact Poisson CIs
//	quality       rows accepted and quarantined per commit, rules broken, missingness
//	multiplicity  the confirmatory tests, named in words (not by the plan's ids), with adjusted p
//	methods       every method of the summary with its citations, in one table
//	footer        program version, plan hash, snapshot
//
// # Plots
//
// Plots are drawn with gonum.org/v1/plot into SVG (vg/vgsvg, no embedded fonts, no random
// ids), so the same summary gives byte-identical HTML. Write also saves each plot as
// plots/<figure id>.svg beside the report, for papers and slides. Colours are the Okabe–Ito palette,
// chosen so that series also differ in lightness, marker or dash and survive greyscale
// printing. Every plot is drawn inside a blank margin (plotPad): no bar, line or text touches
// the SVG's edge. A legend is drawn in a strip above the data area, never over data. A forest
// plot of more than forestTopAxisRows rows (taller than about one screen) repeats its x axis
// at the top. Each plot has a caption saying what is shown, n and the method. Practitioners
// appear only as "Practitioner A", "B", ... in the order of their estimate within one plot;
// the pseudonymous practitioner_key never reaches the HTML.
//
// The trajectory and change-distribution plots read tables/trajectory.csv and
// tables/changes.csv, which analysis.Write writes beside summary.json ([analysis.ReportTables]);
// for a summary written before those tables existed the report says so in place of the plot.
package report
