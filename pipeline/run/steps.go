package run

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

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/analysis"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/notebook"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/publish"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

// Steps lists the nightly run's steps for w: ingest, summarize (with plan), report, publish
// when publish.enabled, and the notebooks of outcomes.yaml (paths relative to the workspace).
func Steps(w *workspace.Workspace, plan *summary.Plan, h *pseudo.Hasher) []Step {
	steps := []Step{IngestStep(h), SummarizeStep(plan), ReportStep()}
	if w.Config.Publish.Enabled {
		steps = append(steps, PublishStep())
	}
	for _, nb := range w.Config.Notebooks {
		path := nb
		if !filepath.IsAbs(path) {
			path = filepath.Join(w.Dir, path)
		}
		steps = append(steps, NotebookStep(nb, path))
	}
	return steps
}

// SummarizeStep runs the plan over the lake version the run reached and writes summary.json
// and the tables to reports/<date of that version's commit>/, as `outcomes summarize` does
// (analysis.Summarize).
func SummarizeStep(plan *summary.Plan) Step {
	return Step{Name: "summarize", Product: "summary", Derived: true, Do: func(ctx context.Context, e *Env) error {
		snap, dopt, err := e.duck(ctx)
		if err != nil {
			return err
		}
		res, file, err := analysis.Summarize(ctx, plan, analysis.SummarizeOptions{Snapshot: snap, Duck: dopt,
			ProgramVersion: e.Inputs.ProgramVersion, ReportsDir: e.Workspace.ReportsDir(), Today: e.Today})
		if err != nil {
			return duckError(err)
		}
		e.SetOutput(file)
		e.Count("snapshot", res.Summary.Snapshot)
		return nil
	}}
}

// ReportStep writes report.html beside the summary that the summarize step wrote or found
// current, as `outcomes report` does.
func ReportStep() Step {
	return Step{Name: "report", Product: "report", Derived: true, Do: func(ctx context.Context, e *Env) error {
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
	}}
}

// PublishStep makes the public bundle of the summary that summarize wrote or found current,
// in publish/<date>/, as `outcomes publish` does. A refusal (the disclosure audit failed; a
// stale summary) writes nothing and needs a person: exit 3, and the next run tries again.
func PublishStep() Step {
	return Step{Name: "publish", Product: "public bundle", Derived: true, Do: func(ctx context.Context, e *Env) error {
		sum := e.OutputOf("summarize")
		if sum == "" {
			return errors.New("publish: the summarize step left no summary")
		}
		w := e.Workspace
		res, err := publish.Run(ctx, publish.Options{
			Summary:        sum,
			Out:            publish.DefaultOut(w.PublishDir(), sum, e.Today.Format(time.DateOnly)),
			MinCell:        w.Config.Disclosure.MinCell,
			MinCellFrom:    workspace.ConfigFile + ": disclosure.min_cell",
			LatestSnapshot: e.Inputs.Snapshot,
			ProgramVersion: e.Inputs.ProgramVersion,
			Logger:         e.Logger,
		})
		if err != nil {
			return err
		}
		e.SetOutput(res.Dir)
		e.Count("cells_withheld_small", int64(res.Primary))
		e.Count("cells_withheld_to_protect", int64(res.Secondary))
		return nil
	}}
}

// NotebookStep runs the notebook at path (named name in outcomes.yaml) with its parameters'
// defaults over the lake version the run reached, into reports/<date of that version's
// commit>/<notebook name>.html. The notebook's sha256 is an input of the step.
func NotebookStep(name, path string) Step {
	return Step{Name: "notebook " + name, Product: "notebook " + name, Derived: true,
		Key: func() (string, error) { return fileSHA256(path) },
		Do:  func(ctx context.Context, e *Env) error { return e.runNotebook(ctx, path) }}
}

func (e *Env) runNotebook(ctx context.Context, path string) (err error) {
	nb, err := notebook.Load(path)
	if err != nil {
		return err
	}
	vals, err := nb.Bind(nil)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	snap, dopt, err := e.duck(ctx)
	if err != nil {
		return err
	}
	db, err := duck.Open(ctx, snap, dopt)
	if err != nil {
		return duckError(err)
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
	out := filepath.Join(e.Workspace.ReportsDir(), date, name)
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

// duck returns the lake version the derived step must use (Inputs.Snapshot) and the
// workspace's DuckDB settings.
func (e *Env) duck(ctx context.Context) (duck.Snapshot, duck.Options, error) {
	snap, err := duck.SnapshotOf(ctx, e.Lake, e.Inputs.Snapshot)
	cfg := e.Workspace.Config.Duck
	return snap, duck.Options{Threads: cfg.Threads, MemoryLimit: cfg.MemoryLimit, Logger: e.Logger}, err
}

// duckError makes a bad duckdb setting of the workspace a configuration error (exit 2).
func duckError(err error) error {
	if errors.Is(err, duck.ErrOption) {
		return exit.Usagef("%s: duckdb settings: %w", workspace.ConfigFile, err)
	}
	return err
}

// fileSHA256 returns the hex sha256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
