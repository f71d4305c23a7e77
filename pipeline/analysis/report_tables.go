package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// Names of the tables ReportTables returns.
const (
	TrajectoryTable = "trajectory.csv"
	ChangesTable    = "changes.csv"
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
// Write them after Write with WriteReportTables.
func ReportTables(ctx context.Context, db *duck.DB, plan *Plan) ([]Table, error) {
	r := &runner{ctx: ctx, db: db, plan: plan}
	traj := Table{Name: TrajectoryTable, Header: []string{"measure", "session_number", "n", "mean", "sd", "ci_low", "ci_high"}}
	chg := Table{Name: ChangesTable, Header: []string{"measure", "change", "clients"}}
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

// trajectory returns the rows of trajectory.csv for one measure.
func (r *runner) trajectory(measure string) ([][]string, error) {
	var out [][]string
	q := fmt.Sprintf(`SELECT session_number, count(%[1]s), avg(%[1]s), stddev_samp(%[1]s) FROM sessions
		WHERE %[1]s IS NOT NULL GROUP BY session_number ORDER BY session_number`, column(measure))
	err := r.query(q, func(rows *sql.Rows) error {
		var sn, n int
		var mean, sd sql.NullFloat64
		if err := rows.Scan(&sn, &n, &mean, &sd); err != nil {
			return err
		}
		m, s := nullFloat(mean), nullFloat(sd)
		lo, hi := tInterval(m, s, n)
		out = append(out, []string{measure, strconv.Itoa(sn), strconv.Itoa(n), m.String(), s.String(), lo.String(), hi.String()})
		return nil
	})
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
		out = append(out, []string{measure, Float(d).String(), strconv.Itoa(n)})
		return nil
	})
	return out, err
}

func nullFloat(x sql.NullFloat64) Float {
	if !x.Valid {
		return Null
	}
	return Float(x.Float64)
}

// tInterval is the t-based 95% CI of a mean; null for n < 2 or an undefined sd.
func tInterval(mean, sd Float, n int) (lo, hi Float) {
	if n < 2 || !sd.Valid() || !mean.Valid() {
		return Null, Null
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	h := t * float64(sd) / math.Sqrt(float64(n))
	return mean - Float(h), mean + Float(h)
}

// WriteReportTables writes tables into dir/tables (which Write created), each file under a
// temporary name and renamed. Call it after Write: Write replaces the tables directory whole.
func WriteReportTables(dir string, tables []Table) error {
	td := filepath.Join(dir, TablesDir)
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
