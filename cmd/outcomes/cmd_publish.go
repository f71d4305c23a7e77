package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/publish"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newPublishCommand) }

// publishOptions are the flags of `outcomes publish`.
type publishOptions struct {
	threshold  int
	out        string
	summary    string
	allowStale bool
}

// AddFlags adds the flags of the command to f.
func (o *publishOptions) AddFlags(f *pflag.FlagSet) {
	f.IntVar(&o.threshold, "threshold", 0, "withhold counts below K (at least 3; default disclosure.min_cell of outcomes.yaml, 10)")
	f.StringVar(&o.out, "out", "", "bundle directory (default <workspace>/publish/<date of the summary>)")
	f.StringVar(&o.summary, "summary", "", "summary.json to publish (default: the newest in <workspace>/reports)")
	f.BoolVar(&o.allowStale, "allow-stale", false, "publish a summary of a lake snapshot older than the latest")
}

func newPublishCommand(g *globalOptions) *cobra.Command {
	var o publishOptions
	cmd := &cobra.Command{
		Use:   "publish [--threshold K] [--out DIR] [--summary FILE] [--allow-stale]",
		Short: "Write the public bundle: suppressed tables, report-public.html, README.txt, manifest.json",
		Long: `Write the association's public bundle from a summary (DESIGN.md section 7): the results as
tables of counts and statistics with disclosure control (every count from 1 to K-1 withheld,
then further cells so that no withheld count can be worked out from the totals; statistics of
fewer than K clients withheld), marked "*"; report-public.html, the report over the same
withheld values; README.txt, which explains the rule and lists what was withheld; and
manifest.json, with every file's SHA-256, the plan, the lake snapshot and the versions.

The bundle holds no client or practitioner key, no result per practitioner, no free text and
no date finer than a year. The same summary gives byte-identical files. The bundle is built in
a temporary directory and renamed into place, replacing an older bundle of the same name.

The summary is --summary FILE, else the newest <workspace>/reports/<date>/summary.json; the
bundle goes to --out DIR, else <workspace>/publish/<date>.

  outcomes publish verify DIR   checks a bundle on its own (see its help)

EXIT STATUS
  0 written; 1 failed; 2 usage error (a threshold below 3, no summary, a file that is not a
  summary.json);
  3 refused, nothing written: the disclosure audit failed, or the summary was made from a
    lake snapshot older than the latest (run summarize, or give --allow-stale).`,
		Example: `  outcomes publish
  outcomes publish --threshold 20 --out /tmp/bundle
  outcomes publish --summary reports/2026-11-24/summary.json --allow-stale
  outcomes publish verify publish/2026-11-24`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd.Context(), g, o)
		},
	}
	o.AddFlags(cmd.Flags())
	cmd.AddCommand(newPublishVerifyCommand(g))
	return cmd
}

func newPublishVerifyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify DIR",
		Short: "Check a public bundle: every file's SHA-256, and the disclosure audit of its tables",
		Long: `Check a public bundle on its own, with nothing but its files: every file of manifest.json is
there with its SHA-256 and there is no other; each group of tables, read back from the CSVs,
passes the disclosure audit again (no published count from 1 to K-1; every withheld cell's
feasible interval, by linear programming over the published counts, at least the protection
level wide) and the content check (no keys, fine dates or free text); and no file holds a
value that looks like a pseudonymous key. Every problem is listed.

EXIT STATUS
  0 the bundle is intact and safe; 1 a problem (each one is printed) or an unreadable bundle;
  2 no such bundle: DIR does not exist or is not a directory.`,
		Example: `  outcomes publish verify publish/2026-11-24`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkBundleDir(args[0]); err != nil {
				return err
			}
			if err := publish.Verify(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: every file matches the manifest and every table passes the disclosure audit\n", args[0])
			return nil
		},
	}
}

// checkBundleDir tells a mistyped bundle path (exit 2) apart from a bundle that fails
// verification (exit 1): only a directory can be a bundle.
func checkBundleDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return exit.Usagef("no such bundle: %s", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return exit.Usagef("no such bundle: %s is a file, and a bundle is a directory", dir)
	}
	return nil
}

func runPublish(ctx context.Context, g *globalOptions, o publishOptions) error {
	if o.threshold != 0 && o.threshold < disclosure.LowestMinCell {
		return exit.Usagef("--threshold %d: allowed: %d or more", o.threshold, disclosure.LowestMinCell)
	}
	opt, err := publishPlan(ctx, g, o)
	if err != nil {
		return err
	}
	res, err := publish.Run(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "published lake snapshot %d to %s: %d files, %d cells withheld (%d small, %d to protect them), threshold %d\n",
		res.Manifest.Snapshot, res.Dir, len(res.Manifest.Files)+1, res.Primary+res.Secondary, res.Primary, res.Secondary, res.Manifest.Disclosure.MinCell)
	return nil
}

// publishPlan resolves the summary, the bundle directory, the threshold and the latest lake
// snapshot from the flags and the workspace.
func publishPlan(ctx context.Context, g *globalOptions, o publishOptions) (publish.Options, error) {
	opt := publish.Options{Summary: o.summary, Out: o.out, MinCell: o.threshold, AllowStale: o.allowStale, ProgramVersion: programVersion()}
	var err error
	if opt.Logger, err = g.logger(); err != nil {
		return opt, err
	}
	w, err := workspace.Find(g.workspace)
	if err != nil {
		// A summary outside any workspace can still be published, stale or not.
		if o.summary != "" && o.out != "" && o.allowStale {
			return opt, checkSummary(opt.Summary, "--summary")
		}
		return opt, err
	}
	if opt.MinCell == 0 {
		opt.MinCell = w.Config.Disclosure.MinCell
	}
	from := "--summary"
	if opt.Summary == "" {
		if opt.Summary, err = latestSummary(w.ReportsDir()); err != nil {
			return opt, err
		}
		from = "newest summary"
	}
	if err := checkSummary(opt.Summary, from); err != nil {
		return opt, err
	}
	if opt.Out == "" {
		today, err := g.date()
		if err != nil {
			return opt, err
		}
		opt.Out = publish.DefaultOut(w.PublishDir(), opt.Summary, today.Format(time.DateOnly))
	}
	err = withLake(ctx, g, func(l *lake.Lake) error {
		st, err := l.Status(ctx)
		if err == nil {
			opt.LatestSnapshot = st.Version
		}
		return err
	})
	return opt, err
}

func checkSummary(path, from string) error {
	if _, err := os.Stat(path); err != nil {
		return exit.Usagef("%s: %w", from, err)
	}
	return nil
}
