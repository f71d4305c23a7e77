package publish

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// readme writes README.txt: what the bundle holds, the marker, the threshold and the
// protection, and which cells were suppressed. It says which cells are suppressed, never
// which of them were small (primary) and which were complementary: knowing that a cell is
// complementary tells an attacker it is at least the threshold, which narrows the others.
func readme(s *summary.Summary, groups []*protectedGroup, tables []file, minCell int) ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("CST Outcomes: public bundle\n")
	p("===========================\n\n")
	p("Made from lake snapshot %d with the analysis plan %q (SHA-256 %s).\n", s.Snapshot, planName(s), s.PlanSHA256)
	p("Sessions from %s.\n\n", yearRange(s.Population))
	p("Files\n-----\n\n")
	p("  %-34s the results for the public, rendered from the summary with every withheld value\n", ReportFile)
	p("  %-34s shown as suppressed or left out\n", "")
	p("  %-34s every file with its SHA-256, the plan, the snapshot and the rule below\n", ManifestFile)
	for _, g := range groups {
		for _, t := range g.Result.Tables {
			p("  %-34s %s\n", t.Name()+".csv", describe(t, g.Unit))
		}
	}
	p("\nEach table has one row per cell, margins included: a column per dimension (a level as\n")
	p("\"group/level\" inside a group, %q for a total), then %q, then statistics.\n\n", disclosure.TotalLevel, disclosure.CountColumn)
	p("The marker %s\n-------------\n\n", disclosure.Marker)
	p("%q in place of a number means: withheld for confidentiality. An empty statistic means it\n", disclosure.Marker)
	p("is undefined (too little data, no variance), not withheld.\n\n")
	p("The rule\n--------\n\n")
	p("- Threshold: every count from 1 to %d is withheld (measures.json disclosure_control;\n", minCell-1)
	p("  the project's default is 10, after the ONS 10-threshold rule). Zeros are shown, except in\n")
	p("  the course tables by response status, where a zero (\"no non-responders\") would tell\n")
	p("  something about everyone in a row (manifest.json: suppress_zeros).\n")
	p("- Every mean, percentage, confidence interval and test result computed from fewer than %d\n", minCell)
	p("  clients, or sitting on a withheld count, is withheld; a responder share is withheld with\n")
	p("  either of its two counts.\n")
	p("- Secondary suppression: further cells are withheld so that no withheld count can be worked\n")
	p("  out, nor narrowed to fewer than %d+1 values, from the totals, subtotals and the other\n", protection(minCell))
	p("  tables of the same group, by any sums and differences (protection level %d; the\n", protection(minCell))
	p("  heuristic of Kelly, Golden and Assad 1992 with linear-programming checks, checked by an\n")
	p("  audit of every withheld cell's feasible interval; `outcomes publish verify` reruns it).\n")
	p("- Tables that count the same people or sessions are protected and audited together\n")
	p("  (manifest.json audit_groups).\n")
	p("- Not published: any client or practitioner identifier or pseudonymous key, results per\n")
	p("  practitioner, free text, dates finer than a year, adverse events by type, within-session\n")
	p("  results by subgroup (the summary does not say how many clients those sessions come from),\n")
	p("  and the distribution of course changes and of sessions per client.\n")
	p("- Session counts (adverse events, sessions by year) are withheld below %d sessions; their\n", minCell)
	p("  rates are published only where at least %d clients are known to be behind them.\n\n", minCell)
	p("What was withheld\n-----------------\n\n")
	for _, g := range groups {
		p("%s (%s): %d cells withheld, %d of them small counts and %d to protect those.\n",
			g.Name, g.Unit, g.Result.Primary+g.Result.Secondary, g.Result.Primary, g.Result.Secondary)
	}
	p("\n")
	for _, f := range tables {
		cells, err := suppressedCells(f.data)
		if err != nil {
			return nil, fmt.Errorf("publish: %s: %w", f.name, err)
		}
		if len(cells) == 0 {
			p("%s: nothing withheld.\n", f.name)
			continue
		}
		p("%s: counts withheld in %d cells:\n", f.name, len(cells))
		for _, c := range cells {
			p("  %s\n", c)
		}
	}
	return b.Bytes(), nil
}

func planName(s *summary.Summary) string {
	if s.Plan == nil {
		return ""
	}
	return s.Plan.Name
}

func yearRange(p summary.Population) string {
	if p.FirstDate == nil || p.LastDate == nil || len(*p.FirstDate) < 4 || len(*p.LastDate) < 4 {
		return "no dates"
	}
	return (*p.FirstDate)[:4] + " to " + (*p.LastDate)[:4]
}

// describe says in a line what a table counts.
func describe(t *disclosure.Table, unit string) string {
	return unit + " by " + strings.Join(t.Dims(), " and ")
}

// suppressedCells lists the cells of a published CSV whose count is the marker, as
// "dim=level, dim=level".
func suppressedCells(data []byte) ([]string, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	head := rows[0]
	ci := -1
	for i, h := range head {
		if h == disclosure.CountColumn {
			ci = i
		}
	}
	if ci < 0 {
		return nil, fmt.Errorf("no %s column", disclosure.CountColumn)
	}
	var out []string
	for _, r := range rows[1:] {
		if r[ci] != disclosure.Marker {
			continue
		}
		var parts []string
		for i := range ci {
			parts = append(parts, head[i]+"="+r[i])
		}
		out = append(out, strings.Join(parts, ", "))
	}
	return out, nil
}
