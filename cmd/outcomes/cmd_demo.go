package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/internal/lock"
	"github.com/cstoutcomes/outcomes/pipeline/analysis"
	"github.com/cstoutcomes/outcomes/pipeline/ingest"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newDemoCommand) }

// demoMarker is the file that marks a directory as a demo workspace, which demo may replace.
const demoMarker = ".outcomes-demo"

// Default size of the demo: it runs in about 10 seconds on a 2-core machine (README.md).
const (
	defaultDemoClients = 2000
	defaultDemoDir     = "outcomes-demo"
)

// demoOptions are the flags of `outcomes demo`.
type demoOptions struct {
	clients int
	seed    uint64
	out     string
}

func newDemoCommand(g *globalOptions) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on synthetic data and write a report",
		Long: `Create a fresh demo workspace, generate five synthetic practice exports in different formats
(CSV, an Excel-on-Windows CSV, JSON Lines with realistic errors, Parquet and xlsx), ingest them,
summarize the lake with the default plan and write the report; then print the report's path and
what happened. The data is made up: no real person is in it.

The workspace is --out DIR (default ./outcomes-demo). An existing directory is replaced only if
an earlier demo made it (it holds a .outcomes-demo file); any other directory is left alone.
The rows quarantined from the export with errors are expected: the demo still exits 0.

EXIT STATUS
  0 done; 1 failed; 2 usage error (--out is a directory demo did not make, a bad flag).`,
		Example: `  outcomes demo
  outcomes demo --clients 500 --seed 7 --out /tmp/demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			today, err := g.date()
			if err != nil {
				return err
			}
			return runDemo(cmd.Context(), g, o, today)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *demoOptions) AddFlags(f *pflag.FlagSet) {
	f.IntVar(&o.clients, "clients", defaultDemoClients, "clients over all exports (at least 20)")
	f.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic data")
	f.StringVar(&o.out, "out", defaultDemoDir, "the demo workspace directory")
}

// demoExport is one synthetic practice export of the demo.
type demoExport struct {
	name     string
	kind     string // as printed
	format   source.Format
	share    float64 // of the clients
	badShare float64
	dialect  synth.CSVDialect
}

var demoExports = []demoExport{
	{name: "practice-1.csv", kind: "CSV", format: source.FormatCSV, share: 0.35},
	{name: "practice-2-excel.csv", kind: "Excel CSV (;, BOM, CRLF)", format: source.FormatCSV, share: 0.15, dialect: synth.ExcelOnWindows},
	{name: "practice-3.jsonl", kind: "JSON Lines, with errors", format: source.FormatJSONL, share: 0.2, badShare: 0.05},
	{name: "practice-4.parquet", kind: "Parquet", format: source.FormatParquet, share: 0.2},
	{name: "practice-5.xlsx", kind: "Excel xlsx", format: source.FormatXLSX, share: 0.1},
}

func runDemo(ctx context.Context, g *globalOptions, o demoOptions, now time.Time) error {
	if o.clients < 20 {
		return exit.Usagef("--clients %d: want at least 20", o.clients)
	}
	w, err := freshDemoWorkspace(o.out)
	if err != nil {
		return err
	}
	dg := *g
	dg.workspace = w.Dir
	files, err := generateDemoExports(ctx, w, o, now, g.stdout)
	if err != nil {
		return err
	}
	reps, err := ingestDemo(ctx, &dg, w, files, now)
	if err != nil {
		return err
	}
	sum, file, err := summarizeAndReport(ctx, &dg, w)
	if err != nil {
		return err
	}
	printDemoSummary(g.stdout, reps, sum, file)
	return nil
}

// freshDemoWorkspace replaces dir by a new workspace if it is absent or an earlier demo's.
func freshDemoWorkspace(dir string) (*workspace.Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err == nil {
		if _, err := os.Stat(filepath.Join(abs, demoMarker)); err != nil {
			return nil, exit.Usagef("--out %s: exists and is not a demo workspace (no %s file): choose another directory or remove it yourself", dir, demoMarker)
		}
		if err := os.RemoveAll(abs); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	w, err := workspace.Init(abs)
	if err != nil {
		return nil, err
	}
	marker := "This workspace was made by `outcomes demo` from synthetic data; the next demo may replace it.\n"
	return w, os.WriteFile(filepath.Join(abs, demoMarker), []byte(marker), 0o644)
}

// generateDemoExports writes the demo's exports into <workspace>/exports.
func generateDemoExports(ctx context.Context, w *workspace.Workspace, o demoOptions, now time.Time, out io.Writer) ([]string, error) {
	dir := filepath.Join(w.Dir, "exports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Demo workspace %s (synthetic data: no real person is in it)\n", w.Dir)
	fmt.Fprintf(out, "Generated %d practice exports in %s:\n", len(demoExports), dir)
	var files []string
	for i, e := range demoExports {
		cfg := synth.Config{Clients: max(1, int(e.share*float64(o.clients))), Seed: o.seed + uint64(i),
			BadShare: e.badShare, Today: now, CSV: e.dialect,
			// Each practice has its own practitioners: without a prefix, P001 of every export
			// would be one practitioner and later exports would replace earlier rows.
			PractitionerPrefix: fmt.Sprintf("%c-", 'A'+i)}
		path := filepath.Join(dir, e.name)
		st, err := synth.WriteFile(ctx, path, e.format, cfg)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "  %-22s %-26s %6d rows, %5d clients\n", e.name, e.kind, st.Rows, st.Clients)
		files = append(files, path)
	}
	return files, nil
}

// ingestDemo ingests the exports into the demo lake, one commit each.
func ingestDemo(ctx context.Context, g *globalOptions, w *workspace.Workspace, files []string, now time.Time) ([]*ingest.Report, error) {
	log, err := g.logger()
	if err != nil {
		return nil, err
	}
	key, err := w.Key("")
	if err != nil {
		return nil, err
	}
	lk, err := lock.Acquire(ctx, w.LockPath(), 0)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	l, err := lake.Open(ctx, w.LakeDir(), lake.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	opt := ingest.Options{Lake: l, Hasher: pseudo.NewHasher(key), Logger: log}
	opt.Validate.Today = now
	opt.Validate.DateFormat = w.Config.Ingest.DateFormat
	var reps []*ingest.Report
	for _, f := range files {
		rep, err := ingest.File(ctx, f, opt)
		if err != nil {
			return nil, err
		}
		if rep.Status == ingest.Rejected {
			return nil, fmt.Errorf("demo: %s rejected: %s", f, rep.Error)
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

// summarizeAndReport summarizes the demo lake with the default plan into reports/<date> and
// writes the report there.
func summarizeAndReport(ctx context.Context, g *globalOptions, w *workspace.Workspace) (*summary.Summary, string, error) {
	plan, err := analysis.DefaultPlan()
	if err != nil {
		return nil, "", err
	}
	res, sum, err := summarizeLake(ctx, g, w, plan, 0, "")
	if err != nil {
		return nil, "", err
	}
	file, err := report.Write(sum, filepath.Dir(sum))
	return res.Summary, file, err
}

// printDemoSummary prints the counts, the headline and where the report is.
func printDemoSummary(out io.Writer, reps []*ingest.Report, s *summary.Summary, file string) {
	var read, acc, quar, excl int64
	for _, r := range reps {
		read, acc, quar, excl = read+r.RowsRead, acc+r.RowsAccepted, quar+r.RowsQuarantined, excl+r.RowsExcluded
	}
	fmt.Fprintf(out, "Ingested %d rows: %d accepted, %d quarantined, %d excluded (no research consent).\n", read, acc, quar, excl)
	if quar > 0 {
		fmt.Fprintf(out, "  The quarantined rows are expected: practice-3.jsonl was generated with realistic errors\n"+
			"  (the report's data quality section lists them by rule).\n")
	}
	fmt.Fprintf(out, "Summary of lake snapshot %d: %d sessions of %d clients and %d practitioners.\n",
		s.Snapshot, s.Population.Sessions, s.Population.Clients, s.Population.Practitioners)
	if replaced := acc - int64(s.Population.Sessions); replaced > 0 {
		fmt.Fprintf(out, "  %d accepted rows had the practitioner, client and session number of a row of an earlier export\n"+
			"  (the synthetic practices reuse ids): the later row replaces the earlier, as in a re-export.\n", replaced)
	}
	for _, e := range s.Outcomes {
		fmt.Fprintf(out, "  %s\n", report.Headline(e.Key, e.Value))
	}
	fmt.Fprintf(out, "Report: %s\n", file)
}
