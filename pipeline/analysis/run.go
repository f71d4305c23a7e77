package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/measures"
)

// Options are the inputs of Run besides the database and the plan.
type Options struct {
	// ProgramVersion is written to summary.json (the binary's version; "dev" in tests).
	ProgramVersion string
}

// Result is what Run computes: the summary and the rows of the tables that summary.json does
// not hold (the per-practitioner meta-analysis rows).
type Result struct {
	Summary       *summary.Summary
	Practitioners []PractitionerRow
	// Aggregates are the tables the report draws from (ReportTables: trajectory.csv and
	// changes.csv), written by Write with the others.
	Aggregates []Table
}

// PractitionerRow is one practitioner's course change in one measure's meta-analysis, keyed
// by the pseudonymous practitioner_key (never a source id).
type PractitionerRow struct {
	Measure         string
	PractitionerKey string
	Clients         int           // clients with a course change
	MeanChange      summary.Float // yi
	SDChange        summary.Float
	VI              summary.Float // sd² / n
	Included        bool
	Reason          string // why not included
}

// runner holds what every step of Run needs.
type runner struct {
	ctx  context.Context
	db   *duck.DB
	plan *summary.Plan
	ref  *measures.Reference
	res  *Result
}

// Run runs plan over the lake snapshot that db shows and returns the summary. Degenerate data
// (no rows, one client, one practitioner, constant changes) give null statistics with reasons,
// not an error; errors are those of the database or of the context.
func Run(ctx context.Context, db *duck.DB, plan *summary.Plan, opt Options) (*Result, error) {
	ref, err := measures.Load()
	if err != nil {
		return nil, err
	}
	s := &summary.Summary{Plan: plan, PlanSHA256: plan.SHA256, Snapshot: db.Version(), SchemaVersion: summary.SchemaVersion,
		ProgramVersion: opt.ProgramVersion, Seed: plan.Seed, Outcomes: summary.Ordered[*summary.Outcome]{}}
	r := &runner{ctx: ctx, db: db, plan: plan, ref: ref, res: &Result{Summary: s}}
	agg, aggCtx := errgroup.WithContext(ctx)
	agg.Go(func() (err error) {
		r.res.Aggregates, err = ReportTables(aggCtx, db, plan)
		return err
	})
	steps := []func() error{r.population, r.outcomes, r.safety, r.dataQuality, r.multiplicity}
	for _, step := range steps {
		if err = step(); err != nil {
			break
		}
		if err = ctx.Err(); err != nil {
			break
		}
	}
	if err := agg.Wait(); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return r.res, nil
}

// query runs q and calls scan once per row.
func (r *runner) query(q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := r.db.Query(r.ctx, q, args...)
	if err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("summarize: %w", err)
		}
	}
	if err := duck.Classify(rows.Err()); err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	return rows.Close()
}

func (r *runner) population() error {
	p := &r.res.Summary.Population
	var first, last sql.NullString
	err := r.query(`SELECT count(*), (SELECT count(*) FROM clients), count(DISTINCT practitioner_key),
		strftime(min(session_date), '%Y-%m-%d'), strftime(max(session_date), '%Y-%m-%d') FROM sessions`,
		func(rows *sql.Rows) error {
			return rows.Scan(&p.Sessions, &p.Clients, &p.Practitioners, &first, &last)
		})
	if err != nil {
		return err
	}
	if first.Valid {
		p.FirstDate, p.LastDate = &first.String, &last.String
	}
	p.RecordSchemaVersions = []int{}
	return r.query(`SELECT DISTINCT schema_version FROM sessions WHERE schema_version IS NOT NULL ORDER BY schema_version`,
		func(rows *sql.Rows) error {
			var v int
			err := rows.Scan(&v)
			p.RecordSchemaVersions = append(p.RecordSchemaVersions, v)
			return err
		})
}

// column is the lake column holding a measure's values (pain: pain_before).
func column(measure string) string {
	if measure == "pain" {
		return "pain_before"
	}
	return measure
}

// outcomes runs every (measure, analysis) of the plan, concurrently (DuckDB and pipeline/stats
// are safe for concurrent use), and assembles the results in the plan's order.
func (r *runner) outcomes() error {
	type task struct {
		measure, analysis string
		out               *summary.Outcome
		rows              []PractitionerRow
	}
	var tasks []*task
	for _, po := range r.plan.Outcomes {
		f := r.ref.Field(column(po.Measure))
		o := &summary.Outcome{Field: column(po.Measure), Direction: f.Direction}
		r.res.Summary.Outcomes = append(r.res.Summary.Outcomes, summary.Entry[*summary.Outcome]{Key: po.Measure, Value: o})
		for _, a := range po.Analyses {
			tasks = append(tasks, &task{measure: po.Measure, analysis: a, out: o})
		}
	}
	g, ctx := errgroup.WithContext(r.ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, tk := range tasks {
		g.Go(func() error {
			rr := *r
			rr.ctx = ctx
			var err error
			switch o := tk.out; tk.analysis {
			case summary.WithinSession:
				o.WithinSession, err = rr.withinSession()
			case summary.Course:
				o.Course, err = rr.course(tk.measure)
			case summary.MixedModel:
				o.MixedModel, err = rr.mixedModel(tk.measure)
			case summary.MetaAnalysis:
				o.MetaAnalysis, tk.rows, err = rr.metaAnalysis(tk.measure)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", tk.measure, tk.analysis, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, tk := range tasks {
		r.res.Practitioners = append(r.res.Practitioners, tk.rows...)
	}
	return nil
}

// SnapshotDate returns the UTC date (YYYY-MM-DD) of the commit of the snapshot db shows, or
// "" for an empty lake.
func SnapshotDate(ctx context.Context, db *duck.DB) (string, error) {
	r := &runner{ctx: ctx, db: db}
	var date string
	err := r.query(`SELECT strftime(time, '%Y-%m-%d') FROM commits ORDER BY version DESC LIMIT 1`,
		func(rows *sql.Rows) error { return rows.Scan(&date) })
	return date, err
}
