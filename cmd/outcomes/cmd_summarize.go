package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/analysis"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newSummarizeCommand) }

// summarizeOptions are the flags of `outcomes summarize`.
type summarizeOptions struct {
	plan string
	asOf int64
	out  string
}

func newSummarizeCommand(g *globalOptions) *cobra.Command {
	var o summarizeOptions
	cmd := &cobra.Command{
		Use:   "summarize",
		Short: "Run the analysis plan over a lake snapshot into summary.json and tables/*.csv",
		Long: `Run the analysis plan over one lake snapshot and write summary.json (every number of the
plan, with the method behind each; docs/summary.md describes it field by field) and one tidy CSV
table per analysis in tables/.

The plan is --plan FILE, else summarize.plan in outcomes.yaml, else the embedded default plan
(plans/default.yaml). An unknown key, outcome, analysis or test in a plan is an error naming it.
The output goes to <workspace>/reports/<date of the snapshot's commit, YYYY-MM-DD>/ (today for
an empty lake) or --out DIR; files are written under temporary names and renamed, so a reader
never sees half a summary. The same snapshot, plan and program give byte-identical output.

EXIT STATUS
  0 done; 1 failed; 2 usage error (a bad plan, an unknown --as-of version); 3 written, but the
  lake has no sessions, so every result is empty.`,
		Example: `  outcomes summarize
  outcomes summarize --as-of 3 --out /tmp/summary-v3
  outcomes summarize --plan plans/headache.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSummarize(cmd.Context(), g, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *summarizeOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.plan, "plan", "", "analysis plan YAML (default: summarize.plan in outcomes.yaml, else the embedded default)")
	f.Int64Var(&o.asOf, "as-of", 0, "summarize lake version `N`, as `outcomes lake log` numbers them; 0 = the latest")
	f.StringVar(&o.out, "out", "", "output directory (default <workspace>/reports/<snapshot date>)")
}

func runSummarize(ctx context.Context, g *globalOptions, o summarizeOptions) error {
	w, err := workspace.Find(g.workspace)
	if err != nil {
		return err
	}
	plan, err := loadPlan(w, o.plan)
	if err != nil {
		return err
	}
	res, file, err := summarizeLake(ctx, g, w, plan, o.asOf, o.out)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "summary of lake version %d written to %s\n", res.Summary.Snapshot, file)
	return emptySummary(res.Summary)
}

// summarizeLake runs the summarize stage over lake version asOf of w (0: the latest) into
// out, or reports/<snapshot date>/ when out is "", and returns the path of summary.json.
func summarizeLake(ctx context.Context, g *globalOptions, w *workspace.Workspace, plan *summary.Plan, asOf int64, out string) (*analysis.Result, string, error) {
	snap, dopt, err := duckSnapshot(ctx, g, asOf, duck.Options{})
	if err != nil {
		return nil, "", err
	}
	today, err := g.date()
	if err != nil {
		return nil, "", err
	}
	res, file, err := analysis.Summarize(ctx, plan, analysis.SummarizeOptions{Snapshot: snap, Duck: dopt,
		ProgramVersion: programVersion(), Dir: out, ReportsDir: w.ReportsDir(), Today: today})
	return res, file, duckError(err)
}

// emptySummary returns an error that needs a person (exit 3) when the summary has no
// session: every number in it is undefined, which is seldom what was meant.
func emptySummary(s *summary.Summary) error {
	switch {
	case s.Population.Sessions > 0:
		return nil
	case s.Snapshot == 0:
		return exit.Attentionf("the lake has no sessions: nothing is ingested yet (outcomes ingest FILE), so the summary is empty")
	}
	return exit.Attentionf("the lake has no sessions in version %d: every row was quarantined, excluded or erased, so the summary is empty", s.Snapshot)
}

// loadPlan reads the plan the flag or the workspace names, or the embedded default. A plan
// that cannot be read or parsed is a usage error (exit 2) naming the file and key.
func loadPlan(w *workspace.Workspace, flag string) (*summary.Plan, error) {
	path, from := flag, "--plan"
	if path == "" {
		path, from = w.Config.Summarize.Plan, workspace.ConfigFile+": summarize.plan"
		if path != "" && !filepath.IsAbs(path) {
			path = filepath.Join(w.Dir, path)
		}
	}
	if path == "" {
		return analysis.DefaultPlan()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, exit.Usagef("%s: %w", from, err)
	}
	p, err := analysis.ParsePlan(filepath.Base(path), b)
	if err != nil {
		return nil, exit.Usagef("%s: %w", from, err)
	}
	return p, nil
}
