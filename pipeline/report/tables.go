package report

import (
	"fmt"
	"math"
	"strconv"
)

// PractitionerRow is one row of tables/meta_practitioners.csv. The key is read only to tell
// rows apart; it is never written to the report.
type PractitionerRow struct {
	Measure    string
	Key        string
	Clients    int
	MeanChange float64
	VI         float64
	Included   bool
}

// TrajectoryRow is one row of tables/trajectory.csv: the mean of a measure at a session number.
type TrajectoryRow struct {
	Measure       string
	SessionNumber int
	N             int
	Mean          float64
	CILow, CIHigh float64 // NaN for n < 2
}

// ChangeRow is one row of tables/changes.csv: how many clients had a course change.
type ChangeRow struct {
	Measure string
	Change  float64
	Clients int
}

func parsePractitioner(r map[string]string) (PractitionerRow, error) {
	var p PractitionerRow
	var err error
	p.Measure, p.Key = r["measure"], r["practitioner_key"]
	p.Included = r["included"] == "true"
	p.Clients, err = atoi(r, "clients", err)
	p.MeanChange, err = atof(r, "mean_change", err)
	p.VI, err = atof(r, "vi", err)
	return p, err
}

func parseTrajectory(r map[string]string) (TrajectoryRow, error) {
	var t TrajectoryRow
	var err error
	t.Measure = r["measure"]
	t.SessionNumber, err = atoi(r, "session_number", err)
	t.N, err = atoi(r, "n", err)
	t.Mean, err = atof(r, "mean", err)
	t.CILow, err = atof(r, "ci_low", err)
	t.CIHigh, err = atof(r, "ci_high", err)
	return t, err
}

func parseChange(r map[string]string) (ChangeRow, error) {
	var c ChangeRow
	var err error
	c.Measure = r["measure"]
	c.Change, err = atof(r, "change", err)
	c.Clients, err = atoi(r, "clients", err)
	return c, err
}

// atoi parses column col of r unless err is already set.
func atoi(r map[string]string, col string, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, e := strconv.Atoi(r[col])
	if e != nil {
		return 0, fmt.Errorf("column %s: %q is not an integer", col, r[col])
	}
	return n, nil
}

// atof parses column col of r unless err is already set; an empty field (null) is NaN.
func atof(r map[string]string, col string, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	if r[col] == "" {
		return math.NaN(), nil
	}
	x, e := strconv.ParseFloat(r[col], 64)
	if e != nil {
		return 0, fmt.Errorf("column %s: %q is not a number", col, r[col])
	}
	return x, nil
}
