package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

// ReportTables returns the two aggregate tables the report draws that summary.json does not
// hold, for every measure of the plan:
//
//   - trajectory.csv: measure, session_number, n, mean, sd, ci_low, ci_high: the mean of the
//     measure's recorded values (pain: pain_before) at each session number, with the t-based
//     95% CI mean ∓ t(0.975, n − 1)·sd/√n (null for n < 2);
//   - changes.csv: measure, change, clients: how many clients had each course change
//     (last − first recorded value, clients with ≥ 2 recorded values, as the course analysis).
//
// Both are counts and means over groups, never a row per client. Rows are ordered by
// measure (plan order) and then by session number or change, so the output is deterministic.
// Run computes them too (Result.Aggregates) and Write writes them with the other tables;
// WriteReportTables writes them separately.
func ReportTables(ctx context.Context, db *duck.DB, plan *summary.Plan) ([]Table, error) {
	r := &runner{ctx: ctx, db: db, plan: plan}
	traj := Table{Name: summary.TrajectoryTable, Header: []string{"measure", "session_number", "n", "mean", "sd", "ci_low", "ci_high"}}
	chg := Table{Name: summary.ChangesTable, Header: []string{"measure", "change", "clients"}}
	for _, po := range plan.Outcomes {
		rows, err := r.trajectory(po.Measure)
		if err != nil {
			return nil, err
		}
		traj.Rows = append(traj.Rows, rows...)
		rows, err = r.changes(po.Measure)
		if err != nil {
			return nil, err
		}
		chg.Rows = append(chg.Rows, rows...)
	}
	return []Table{traj, chg}, nil
}

// trajectory returns the rows of trajectory.csv for one measure. The values are read in a fixed
// order and summed in Go (stats.Describe), not by DuckDB's avg and stddev_samp, whose parallel
// aggregation can change the last bits from run to run.
func (r *runner) trajectory(measure string) ([][]string, error) {
	var out [][]string
	var values []float64
	cur := -1
	flush := func() {
		if len(values) == 0 {
			return
		}
		d, _ := stats.Describe(values) // at least one value
		out = append(out, []string{measure, strconv.Itoa(cur), strconv.Itoa(d.N), summary.Float(d.Mean).String(),
			summary.Float(d.SD).String(), summary.Float(d.CILower).String(), summary.Float(d.CIUpper).String()})
		values = values[:0]
	}
	q := fmt.Sprintf(`SELECT session_number, CAST(%[1]s AS DOUBLE) FROM sessions
		WHERE %[1]s IS NOT NULL AND session_number IS NOT NULL
		ORDER BY session_number, practitioner_key, client_key`, column(measure))
	err := r.query(q, func(rows *sql.Rows) error {
		var sn int
		var y float64
		if err := rows.Scan(&sn, &y); err != nil {
			return err
		}
		if sn != cur {
			flush()
			cur = sn
		}
		values = append(values, y)
		return nil
	})
	flush()
	return out, err
}

// changes returns the rows of changes.csv for one measure.
func (r *runner) changes(measure string) ([][]string, error) {
	var out [][]string
	c := column(measure)
	q := fmt.Sprintf(`SELECT %[1]s_last - %[1]s_first AS change, count(*) FROM clients
		WHERE %[1]s_n >= 2 GROUP BY change ORDER BY change`, c)
	err := r.query(q, func(rows *sql.Rows) error {
		var d float64
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return err
		}
		out = append(out, []string{measure, summary.Float(d).String(), strconv.Itoa(n)})
		return nil
	})
	return out, err
}

// WriteReportTables writes tables into dir/tables (which Write created), each file under a
// temporary name and renamed. Call it after Write: Write replaces the tables directory whole.
func WriteReportTables(dir string, tables []Table) error {
	td := filepath.Join(dir, summary.TablesDir)
	if err := os.MkdirAll(td, 0o755); err != nil {
		return err
	}
	for _, t := range tables {
		if err := writeAtomic(filepath.Join(td, t.Name), t.CSV()); err != nil {
			return err
		}
	}
	return nil
}
