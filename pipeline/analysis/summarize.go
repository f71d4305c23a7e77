package analysis

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// SummarizeOptions say what [Summarize] reads and where it writes.
type SummarizeOptions struct {
	// Snapshot is the lake version to summarise (duck.SnapshotOf), opened with Duck
	// (Materialize is set: the plan runs many queries over the same views).
	Snapshot duck.Snapshot
	Duck     duck.Options
	// ProgramVersion is recorded in summary.json.
	ProgramVersion string
	// Dir is the output directory; "" means ReportsDir/<UTC date of the snapshot's commit,
	// YYYY-MM-DD>, or ReportsDir/<Today> for an empty lake.
	Dir        string
	ReportsDir string
	Today      time.Time
}

// Summarize is the summarize stage: it opens DuckDB over the snapshot, runs the plan, chooses
// the directory and writes summary.json and the tables there ([Write]). It returns the result
// and the path of summary.json. An error opening DuckDB is returned as duck.Open gives it
// (duck.ErrOption for a bad setting); an error writing is prefixed "write summary".
func Summarize(ctx context.Context, plan *summary.Plan, opt SummarizeOptions) (res *Result, file string, err error) {
	dopt := opt.Duck
	dopt.Materialize = true
	db, err := duck.Open(ctx, opt.Snapshot, dopt)
	if err != nil {
		return nil, "", err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if res, err = Run(ctx, db, plan, Options{ProgramVersion: opt.ProgramVersion}); err != nil {
		return nil, "", err
	}
	dir, err := opt.dir(ctx, db)
	if err != nil {
		return nil, "", err
	}
	if err := Write(dir, res); err != nil {
		return nil, "", fmt.Errorf("write summary: %w", err)
	}
	return res, filepath.Join(dir, summary.FileName), nil
}

// dir is Dir, else the reports folder of the snapshot's date.
func (o SummarizeOptions) dir(ctx context.Context, db *duck.DB) (string, error) {
	if o.Dir != "" {
		return o.Dir, nil
	}
	date, err := SnapshotDate(ctx, db)
	if err != nil {
		return "", err
	}
	if date == "" {
		date = o.Today.Format(time.DateOnly)
	}
	return filepath.Join(o.ReportsDir, date), nil
}
