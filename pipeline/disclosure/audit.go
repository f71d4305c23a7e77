package disclosure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Interval is the feasible range of one suppressed cell: the least and greatest value the cell
// takes in a table of non-negative counts that agrees with every published count and
// satisfies every constraint, by linear programming, with each bound rounded inward to an
// integer (see the package doc for when the integer range can be narrower still).
type Interval struct {
	Table  string   // the first table, in the order given, that holds the cell
	Dims   []string // Table's dimensions
	Levels []string // the cell's level names, one per dimension
	Lo, Hi float64  // Hi is +Inf when the cell is unbounded above
	OK     bool     // Hi - Lo >= the protection level
}

// Width returns Hi − Lo.
func (iv Interval) Width() float64 { return iv.Hi - iv.Lo }

// String formats the interval as "table: dim=level, dim=level: [lo, hi]".
func (iv Interval) String() string {
	var b strings.Builder
	for i, l := range iv.Levels {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(iv.Dims[i] + "=" + l)
	}
	return fmt.Sprintf("%s: %s: [%s, %s]", iv.Table, b.String(), fmtBound(iv.Lo), fmtBound(iv.Hi))
}

func fmtBound(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// Report is the result of an audit: the interval of every suppressed cell, in table order,
// and the published counts that break the threshold.
type Report struct {
	MinCell    int
	Protection int
	Intervals  []Interval
	// Small names the published counts 1..MinCell-1 (and zeros when SuppressZeros is set),
	// as "table: dim=level, dim=level".
	Small []string
}

// Failed returns the intervals narrower than the protection level.
func (r *Report) Failed() []Interval {
	var out []Interval
	for _, iv := range r.Intervals {
		if !iv.OK {
			out = append(out, iv)
		}
	}
	return out
}

// Err returns nil when every interval is wide enough, else an error wrapping ErrUnsafe that
// names the first few failing cells and how many failed.
func (r *Report) Err() error {
	f := r.Failed()
	if len(f) == 0 && len(r.Small) == 0 {
		return nil
	}
	var b strings.Builder
	if len(r.Small) > 0 {
		fmt.Fprintf(&b, "%d published counts below %d (first: %s)", len(r.Small), r.MinCell, r.Small[0])
		if len(f) > 0 {
			b.WriteString("; ")
		}
	}
	for i, iv := range f {
		if i == 3 {
			fmt.Fprintf(&b, " (and %d more)", len(f)-3)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s width %s < %d", iv, fmtBound(iv.Width()), r.Protection)
	}
	return fmt.Errorf("%w: %s", ErrUnsafe, b.String())
}

// widthTol absorbs floating-point error in the LP optimum: counts are integers and the
// constraint coefficients are 0 and ±1, so a true width is never within 1e-6 of P from below
// unless it equals P.
const widthTol = 1e-6

// Audit computes the feasible interval of every suppressed cell of published tables (from
// [Suppress] or [ReadCSV]), treating all of them as one system: cells with the same levels
// in tables that share dimensions are one unknown, so differencing between the tables is
// covered. It checks that each interval is at least cfg's protection level P wide (two linear
// programs per cell, solved with gonum's simplex), and that no published count is below the
// threshold. It returns an error only when the audit
// could not be done (inconsistent published counts, a solver failure, a table that [Check]
// refuses, ctx done); a table that is not safe gives a report whose Err is non-nil.
func Audit(ctx context.Context, cfg Config, tables ...*Table) (*Report, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := Check(cfg, t); err != nil {
			return nil, err
		}
	}
	s, err := newSystem(tables)
	if err != nil {
		return nil, err
	}
	ivs, err := s.intervals(ctx, s.unknowns())
	if err != nil {
		return nil, err
	}
	return s.report(cfg, ivs), nil
}

// unknowns returns the suppressed variables in order.
func (s *system) unknowns() []int {
	var out []int
	for v, k := range s.known {
		if !k {
			out = append(out, v)
		}
	}
	return out
}

func (s *system) report(cfg Config, ivs map[int][2]float64) *Report {
	r := &Report{MinCell: cfg.MinCell, Protection: cfg.Protection}
	for v, k := range s.known {
		if x := s.value[v]; k && x < int64(cfg.MinCell) && (x > 0 || cfg.SuppressZeros) {
			r.Small = append(r.Small, s.label(v))
		}
	}
	for _, v := range s.unknowns() {
		b := ivs[v]
		ref := s.vars[v]
		t := s.tables[ref.table]
		r.Intervals = append(r.Intervals, Interval{Table: t.name, Dims: t.Dims(), Levels: t.levels(ref.cell), Lo: b[0], Hi: b[1],
			OK: b[1]-b[0] >= float64(cfg.Protection)-widthTol})
	}
	return r
}

// reduced is the attacker's system: the unknown variables that appear in some constraint
// (cols), the constraint rows over them with the published counts moved to the right-hand
// side, reduced to full row rank.
type reduced struct {
	col map[int]int // variable → column
	A   [][]float64
	b   []float64
}

// reduce substitutes the published counts into the constraints. A constraint with no
// unknown left must hold exactly, or the published counts are inconsistent.
func (s *system) reduce() (*reduced, error) {
	r := &reduced{col: map[int]int{}}
	var rows [][]term
	var rhs []float64
	for _, row := range s.rows {
		var un []term
		b := 0.0
		for _, t := range row {
			if s.known[t.v] {
				b -= t.coef * float64(s.value[t.v])
			} else {
				un = append(un, t)
			}
		}
		if len(un) == 0 {
			if b != 0 {
				return nil, fmt.Errorf("%w: published counts break the constraint at %s", ErrInconsistent, s.label(row[0].v))
			}
			continue
		}
		for _, t := range un {
			if _, ok := r.col[t.v]; !ok {
				r.col[t.v] = len(r.col)
			}
		}
		rows, rhs = append(rows, un), append(rhs, b)
	}
	dense := make([][]float64, len(rows))
	for i, row := range rows {
		dense[i] = make([]float64, len(r.col))
		for _, t := range row {
			dense[i][r.col[t.v]] += t.coef
		}
	}
	for _, i := range independentRows(dense) {
		r.A, r.b = append(r.A, dense[i]), append(r.b, rhs[i])
	}
	if len(r.col) > 0 && len(r.A) == 0 {
		return nil, fmt.Errorf("%w: constraints vanished", ErrSolver)
	}
	return r, nil
}

// intervals returns [lo, hi] for each of the variables vs (which must be unknown), by
// gonum's simplex. A variable in no constraint is [0, +Inf).
func (s *system) intervals(ctx context.Context, vs []int) (map[int][2]float64, error) {
	return s.solveIntervals(ctx, vs, true)
}

// quickIntervals is intervals by this package's simplex alone, from one phase-1 tableau: the
// suppression loop calls it many times, and [Audit] (by gonum) checks its final result.
func (s *system) quickIntervals(ctx context.Context, vs []int) (map[int][2]float64, error) {
	return s.solveIntervals(ctx, vs, false)
}

// solveIntervals checks the published counts against the constraints (also when vs is
// empty) and solves the intervals, checking ctx between cells.
func (s *system) solveIntervals(ctx context.Context, vs []int, useGonum bool) (map[int][2]float64, error) {
	r, err := s.reduce()
	if err != nil {
		return nil, err
	}
	out := make(map[int][2]float64, len(vs))
	var T [][]float64
	var basis []int
	if len(r.A) > 0 {
		var st lpStatus
		if T, basis, st = phase1(r.A, r.b); st == lpInfeasible {
			return nil, fmt.Errorf("%w: no non-negative table agrees with the published counts", ErrInconsistent)
		}
		for _, bv := range basis {
			if bv >= len(r.col) {
				basis = nil // an artificial is left: let gonum find its own basis
				break
			}
		}
	}
	for _, v := range vs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k, ok := r.col[v]
		if !ok {
			out[v] = [2]float64{0, math.Inf(1)}
			continue
		}
		var lo, hi float64
		if !useGonum && basis != nil {
			var st lpStatus
			if lo, hi, st = tableauBounds(T, basis, len(r.col), k); st != lpOptimal {
				useGonum = true // numerical trouble: let gonum try
			}
		}
		if useGonum || basis == nil {
			if lo, hi, err = bounds(r.A, r.b, k, basis); err != nil {
				if errors.Is(err, ErrInconsistent) {
					return nil, fmt.Errorf("%w: no non-negative table agrees with the published counts (at %s)", ErrInconsistent, s.label(v))
				}
				return nil, fmt.Errorf("%w: cell %s: %v", ErrSolver, s.label(v), err)
			}
		}
		out[v] = [2]float64{integerBound(math.Max(lo, 0), math.Ceil), integerBound(hi, math.Floor)}
	}
	return out, nil
}

// integerBound rounds an LP bound inward to an integer (an attacker knows counts are whole),
// forgiving floating-point error of up to 1e-6.
func integerBound(x float64, round func(float64) float64) float64 {
	if math.IsInf(x, 0) {
		return x
	}
	if r := math.Round(x); math.Abs(x-r) <= 1e-6 {
		return r
	}
	return round(x)
}
