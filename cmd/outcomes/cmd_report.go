package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newReportCommand) }

// reportOptions are the flags of `outcomes report`.
type reportOptions struct {
	summary string
	out     string
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write report.html from a summary: results, plots, safety, data quality, methods",
		Long: `Write report.html from summary.json and the tables beside it (outcomes summarize): one
self-contained file with inline CSS and SVG plots, no script and no external request, readable on
a phone and printable. It reads nothing else, so every number in it is traceable to the summary.

The summary is --summary FILE, else the newest <workspace>/reports/<date>/summary.json. The
report goes to --out DIR, else beside the summary, with each plot also as plots/<name>.svg; it is
written under temporary names and renamed.

EXIT STATUS
  0 written; 1 failed; 2 usage error (no summary found, an unreadable --summary, or a file that
  is not a summary.json).`,
		Example: `  outcomes report
  outcomes report --summary reports/2026-11-24/summary.json --out /tmp/report`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(g, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *reportOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.summary, "summary", "", "summary.json to report (default: the newest in <workspace>/reports)")
	f.StringVar(&o.out, "out", "", "output directory (default: the summary's directory)")
}

func runReport(g *globalOptions, o reportOptions) error {
	path, from := o.summary, "--summary"
	if path == "" {
		w, err := workspace.Find(g.workspace)
		if err != nil {
			return err
		}
		if path, err = latestSummary(w.ReportsDir()); err != nil {
			return err
		}
		from = "newest summary"
	}
	if _, err := os.Stat(path); err != nil {
		return exit.Usagef("%s: %w", from, err)
	}
	out := o.out
	if out == "" {
		out = filepath.Dir(path)
	}
	file, err := report.Write(path, out)
	if errors.Is(err, summary.ErrNotSummary) {
		return exit.Mark(err, exit.ErrUsage)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "report written to %s\n", file)
	return nil
}

// latestSummary returns the summary.json of the newest reports/<date> directory that has one.
func latestSummary(reports string) (string, error) {
	entries, err := os.ReadDir(reports)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	slices.Sort(dirs)
	for _, d := range slices.Backward(dirs) {
		p := filepath.Join(reports, d, summary.FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", exit.Usagef("no %s in %s: run `outcomes summarize` first, or give --summary FILE", summary.FileName, reports)
}
