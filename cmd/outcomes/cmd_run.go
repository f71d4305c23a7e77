package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cstoutcomes/outcomes/pipeline/analysis"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/notebook"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/publish"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	nightly "github.com/cstoutcomes/outcomes/pipeline/run"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newRunCommand) }

// runHook is pipeline/run's test hook (Options.Hook); only the tests set it.
var runHook func(ctx context.Context, point string)

type runOptions struct {
	wait    time.Duration
	keyFile string
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: ingest the inbox, then summarize and report what changed",
		Long: `Take the workspace lock, ingest each stable file of inbox/ (name order, one lake commit each,
then moved to archive/<date>/, or to rejected/<date>/ with FILE.reason.txt), then summarize,
report, publish (if publish.enabled) and run the notebooks listed in outcomes.yaml: each of
these only when the lake version, the plan or the program changed since it last succeeded.

Files named *.tmp or *.part, dotfiles, and files modified within inbox.settle wait for the next
run. A file whose exact bytes are already in the lake is archived as a duplicate, not ingested
again. A run killed at any point leaves nothing the next run trips over: it marks the killed
run crashed, removes temporary files, and finishes the job.

Each run writes state/runs/<id>.json (see outcomes runs), logs one line per file and step to
stderr, and ends with a one-line summary on stderr (for cron mail). Retention (archive.keep_days,
runs.keep) is applied at the end.

EXIT STATUS
  0 done, nothing needs a person; 1 failed (see the record's error); 2 configuration error;
  3 done, but a person must look (a file rejected, quarantined rows above
  quarantine.alert_share, a public bundle refused); 75 another process holds the lock (try
  later, or --wait); 130 interrupted (SIGINT), 143 terminated (SIGTERM): the file being
  ingested is finished, no other is started, and the record says interrupted.`,
		Example: `  outcomes run
  outcomes --workspace /srv/outcomes run --wait 10m
  outcomes --log-format json run 2>>/var/log/outcomes.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.wait, "wait", 0, "wait up to this long for the workspace lock (default: fail at once with exit 75)")
	f.StringVar(&o.keyFile, "key-file", "", "pseudonymisation key (default $OUTCOMES_KEY_FILE, else <workspace>/state/key)")
	return cmd
}

func runRun(ctx context.Context, g *globalOptions, o runOptions) error {
	g.infoByDefault = true
	w, log, err := g.openWorkspace()
	if err != nil {
		return err
	}
	key, err := w.Key(o.keyFile)
	if err != nil {
		return err
	}
	plan, err := loadPlan(w, "")
	if err != nil {
		return err
	}
	today, err := g.date()
	if err != nil {
		return err
	}
	rec, err := nightly.Run(ctx, nightly.Options{
		Today:          today,
		Workspace:      w,
		Wait:           o.wait,
		Steps:          runSteps(g, w, plan, pseudo.NewHasher(key)),
		ProgramVersion: programVersion(),
		PlanSHA256:     plan.SHA256,
		Logger:         log,
		Terminated:     terminated.Load,
		Hook:           runHook,
	})
	if err == nil {
		fmt.Fprintln(g.stderr, rec.Summary)
	}
	return err
}

// runSteps lists the run's steps: ingest, summarize, report, publish when enabled, and the
// notebooks of outcomes.yaml (paths relative to the workspace). A step whose package is not
// in this build has a nil Do.
func runSteps(g *globalOptions, w *workspace.Workspace, plan *summary.Plan, h *pseudo.Hasher) []nightly.Step {
	steps := []nightly.Step{
		nightly.IngestStep(h),
		{Name: "summarize", Product: "summary", Derived: true, Do: summarizeStep(g, w, plan)},
		{Name: "report", Product: "report", Derived: true, Do: reportStep},
	}
	if w.Config.Publish.Enabled {
		steps = append(steps, nightly.Step{Name: "publish", Product: "public bundle", Derived: true, Do: publishStep(w)})
	}
	for _, nb := range w.Config.Notebooks {
		path := nb
		if !filepath.IsAbs(path) {
			path = filepath.Join(w.Dir, path)
		}
		steps = append(steps, nightly.Step{Name: "notebook " + nb, Product: "notebook " + nb, Derived: true,
			Key: func() (string, error) { return notebookSHA256(path) }, Do: notebookStep(g, w, path)})
	}
	return steps
}

// summarizeStep runs the plan over the lake version the run reached and writes summary.json
// and the tables to reports/<date of that version's commit>/, as `outcomes summarize` does.
func summarizeStep(g *globalOptions, w *workspace.Workspace, plan *summary.Plan) func(context.Context, *nightly.Env) error {
	return func(ctx context.Context, e *nightly.Env) error {
		snap, dopt, err := duckSnapshot(ctx, g, e.Inputs.Snapshot, duck.Options{})
		if err != nil {
			return err
		}
		res, file, err := analysis.Summarize(ctx, plan, analysis.SummarizeOptions{Snapshot: snap, Duck: dopt,
			ProgramVersion: e.Inputs.ProgramVersion, ReportsDir: w.ReportsDir(), Today: e.Today})
		if err != nil {
			return duckError(err)
		}
		e.SetOutput(file)
		e.Count("snapshot", res.Summary.Snapshot)
		return nil
	}
}

// reportStep writes report.html beside the summary that the summarize step wrote or found
// current, as `outcomes report` does.
func reportStep(ctx context.Context, e *nightly.Env) error {
	sum := e.OutputOf("summarize")
	if sum == "" {
		return errors.New("report: the summarize step left no summary")
	}
	out, err := report.Write(sum, filepath.Dir(sum))
	if err != nil {
		return err
	}
	e.SetOutput(out)
	return nil
}

// publishStep makes the public bundle of the summary that summarize wrote or found current,
// in publish/<date>/, as `outcomes publish` does. A refusal (the disclosure audit failed; a
// stale summary) writes nothing and needs a person: exit 3, and the next run tries again.
func publishStep(w *workspace.Workspace) func(context.Context, *nightly.Env) error {
	return func(ctx context.Context, e *nightly.Env) error {
		sum := e.OutputOf("summarize")
		if sum == "" {
			return errors.New("publish: the summarize step left no summary")
		}
		res, err := publish.Run(ctx, publish.Options{
			Summary:        sum,
			Out:            publish.DefaultOut(w.PublishDir(), sum, e.Today.Format(time.DateOnly)),
			MinCell:        w.Config.Disclosure.MinCell,
			LatestSnapshot: e.Inputs.Snapshot,
			ProgramVersion: e.Inputs.ProgramVersion,
			MinCellFrom:    workspace.ConfigFile + ": disclosure.min_cell",
			Logger:         e.Logger,
		})
		if err != nil {
			return err
		}
		e.SetOutput(res.Dir)
		e.Count("cells_withheld_small", int64(res.Primary))
		e.Count("cells_withheld_to_protect", int64(res.Secondary))
		return nil
	}
}

// notebookStep runs the notebook at path with its parameters' defaults over the lake version
// the run reached, into reports/<date of that version's commit>/<notebook name>.html.
func notebookStep(g *globalOptions, w *workspace.Workspace, path string) func(context.Context, *nightly.Env) error {
	return func(ctx context.Context, e *nightly.Env) (err error) {
		nb, err := parseNotebook(path)
		if err != nil {
			return err
		}
		vals, err := nb.Bind(nil)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		db, err := openDuckWith(ctx, g, e.Inputs.Snapshot, duck.Options{})
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, db.Close()) }()
		res, err := notebook.Run(ctx, db, nb, vals, notebook.Options{Logger: e.Logger})
		if err != nil {
			return err
		}
		date, err := analysis.SnapshotDate(ctx, db)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".html"
		out := filepath.Join(w.ReportsDir(), date, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := notebook.WriteFile(out, res, notebook.HTML); err != nil {
			return err
		}
		e.SetOutput(out)
		e.Count("cells", int64(len(res.Cells)))
		return nil
	}
}

// notebookSHA256 returns the hex sha256 of a file's bytes.
func notebookSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
