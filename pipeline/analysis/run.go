package analysis

import (
	"context"
	"database/sql"
	"fmt"

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
	Summary       *Summary
	Practitioners []PractitionerRow
}

// PractitionerRow is one practitioner's course change in one measure's meta-analysis, keyed
// by the pseudonymous practitioner_key (never a source id).
type PractitionerRow struct {
	Measure         string
	PractitionerKey string
	Clients         int   // clients with a course change
	MeanChange      Float // yi
	SDChange        Float
	VI              Float // sd² / n
	Included        bool
	Reason          string // why not included
}

// runner holds what every step of Run needs.
type runner struct {
	ctx  context.Context
	db   *duck.DB
	plan *Plan
	ref  *measures.Reference
	res  *Result
}

// Run runs plan over the lake snapshot that db shows and returns the summary. Degenerate data
// (no rows, one client, one practitioner, constant changes) give null statistics with reasons,
// not an error; errors are those of the database or of the context.
func Run(ctx context.Context, db *duck.DB, plan *Plan, opt Options) (*Result, error) {
	ref, err := measures.Load()
	if err != nil {
		return nil, err
	}
	s := &Summary{Plan: plan, PlanSHA256: plan.SHA256, Snapshot: db.Version(), SchemaVersion: SchemaVersion,
		ProgramVersion: opt.ProgramVersion, Seed: plan.Seed, Outcomes: Ordered[*Outcome]{}}
	r := &runner{ctx: ctx, db: db, plan: plan, ref: ref, res: &Result{Summary: s}}
	steps := []func() error{r.population, r.outcomes, r.safety, r.dataQuality, r.multiplicity}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
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

func (r *runner) outcomes() error {
	for _, po := range r.plan.Outcomes {
		m := po.Measure
		f := r.ref.Field(column(m))
		o := &Outcome{Field: column(m), Direction: f.Direction}
		for _, a := range po.Analyses {
			var err error
			switch a {
			case WithinSession:
				o.WithinSession, err = r.withinSession()
			case Course:
				o.Course, err = r.course(m)
			case MixedModel:
				o.MixedModel, err = r.mixedModel(m)
			case MetaAnalysis:
				o.MetaAnalysis, err = r.metaAnalysis(m)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", m, a, err)
			}
		}
		r.res.Summary.Outcomes = append(r.res.Summary.Outcomes, Entry[*Outcome]{Key: m, Value: o})
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
