package disclosure

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// Result is the outcome of [Suppress].
type Result struct {
	// Tables are the published tables, in the order given: suppressed counts and statistics
	// are hidden (their values are not kept).
	Tables []*Table
	// Report is the audit of Tables ([Audit]); Suppress fails rather than return a report
	// whose Err is non-nil.
	Report *Report
	// Primary and Secondary count the suppressed cells (a cell shared by several tables
	// counts once): sensitive ones, and complementary ones.
	Primary, Secondary int
}

// Suppress applies the disclosure rule to tables, treated as one system (cells with the same
// levels in tables that share dimensions are one cell and are suppressed together; their
// counts must agree). It checks each table with [Check], completes the margins (see
// [Table.Set]), suppresses every count 1..MinCell-1 (and zero counts with SuppressZeros),
// adds complementary suppressions until every suppressed cell is protected (the package doc
// gives the algorithm and its guarantee), suppresses the statistics of every suppressed cell
// and every statistic from fewer than MinCell clients, and audits the result. The tables
// given are not modified. It checks ctx between linear programs.
func Suppress(ctx context.Context, cfg Config, tables ...*Table) (*Result, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	work := make([]*Table, len(tables))
	for i, t := range tables {
		if err := Check(cfg, t); err != nil {
			return nil, err
		}
		work[i] = t.clone()
		clear(work[i].sup)
		if err := work[i].complete(); err != nil {
			return nil, err
		}
	}
	s, err := newSystem(work)
	if err != nil {
		return nil, err
	}
	primary := s.primary(cfg)
	if err := s.protect(ctx, cfg, primary); err != nil {
		return nil, err
	}
	if err := s.prune(ctx, cfg, primary); err != nil {
		return nil, err
	}
	res := &Result{}
	for v, k := range s.known {
		switch {
		case !k && primary[v]:
			res.Primary++
		case !k:
			res.Secondary++
		}
	}
	for ti, t := range work {
		for i := range t.sup {
			t.sup[i] = !s.known[s.of[ti][i]]
		}
		res.Tables = append(res.Tables, t.published(cfg))
	}
	res.Report, err = Audit(ctx, cfg, res.Tables...)
	if err != nil {
		return nil, err
	}
	if err := res.Report.Err(); err != nil {
		return nil, fmt.Errorf("suppression left an unsafe table (a bug): %w", err)
	}
	return res, nil
}

// marked reports whether any table cell of variable v was marked sensitive.
func (s *system) marked(v int) bool {
	for _, c := range s.cells[v] {
		if s.tables[c.table].sensitive[c.cell] {
			return true
		}
	}
	return false
}

// primary marks the sensitive cells (small counts, and cells marked with
// [Table.MarkSensitive]) as suppressed and returns them.
func (s *system) primary(cfg Config) []bool {
	p := make([]bool, len(s.vars))
	for v, x := range s.value {
		small := x < int64(cfg.MinCell) && (x > 0 || cfg.SuppressZeros)
		if small || s.marked(v) {
			p[v], s.known[v] = true, false
		}
	}
	return p
}

// published returns a copy of t with the values of suppressed counts and statistics
// removed, and statistics from fewer than MinCell clients, or on a suppressed cell,
// suppressed.
func (t *Table) published(cfg Config) *Table {
	p := t.clone()
	for i, sup := range p.sup {
		if sup {
			p.count[i] = 0
		}
	}
	for k := range p.stats {
		for i := range p.stats[k] {
			st := &p.stats[k][i]
			if st.set && (st.n < cfg.MinCell || p.sup[i]) {
				st.suppressed, st.value = true, math.NaN()
			}
		}
	}
	return p
}

// protect adds complementary suppressions until every suppressed cell meets its requirement
// (need). Each pass visits the suppressed cells, sensitive ones first and larger counts first;
// a cell short of protection gets the complementary cells of its cheapest protecting
// deviation. Suppressing more never narrows an interval, so each pass only adds protection;
// the loop ends when a pass finds nothing to do.
func (s *system) protect(ctx context.Context, cfg Config, primary []bool) error {
	for range len(s.vars) + 1 {
		order := s.unknowns()
		slices.SortStableFunc(order, func(a, b int) int {
			if primary[a] != primary[b] {
				if primary[a] {
					return -1
				}
				return 1
			}
			return cmp.Compare(s.value[b], s.value[a])
		})
		var short []int
		added := 0
		for _, v := range order {
			iv, err := s.quickIntervals(ctx, []int{v})
			if err != nil {
				return err
			}
			up, down := s.need(cfg, v, primary[v], iv[v])
			if up == 0 && down == 0 {
				continue
			}
			short = append(short, v)
			n, err := s.complement(v, up, down)
			if err != nil {
				return err
			}
			added += n
		}
		if len(short) == 0 {
			return nil
		}
		if added == 0 {
			// The deviations found use only suppressed cells, yet the audit disagrees
			// (rounding): widen by suppressing the neighbours of the short cells.
			if s.suppressNeighbours(short) == 0 {
				return fmt.Errorf("%w: no complementary cell left to suppress", ErrSolver)
			}
		}
	}
	return fmt.Errorf("%w: suppression did not converge", ErrSolver)
}

// need returns how far up and down variable v must be able to move. A sensitive cell with
// count x needs hi ≥ x+P and lo ≤ max(0, x−P); a complementary cell needs hi − lo ≥ P (which
// an upward move of P gives).
func (s *system) need(cfg Config, v int, primary bool, iv [2]float64) (up, down float64) {
	x, p := float64(s.value[v]), float64(cfg.Protection)
	if !primary {
		if iv[1]-iv[0] < p-widthTol {
			return p, 0
		}
		return 0, 0
	}
	if iv[1] < x+p-widthTol {
		up = p
	}
	if iv[0] > math.Max(0, x-p)+widthTol {
		down = math.Min(p, x)
	}
	return up, down
}

// complement suppresses the published cells of the cheapest deviations that move v up by up
// and down by down, and returns how many it suppressed.
func (s *system) complement(v int, up, down float64) (int, error) {
	n := 0
	for _, d := range []float64{up, -down} {
		if d == 0 {
			continue
		}
		support, err := s.deviation(v, d)
		if err != nil {
			return n, err
		}
		for _, j := range support {
			if s.known[j] {
				s.known[j] = false
				n++
			}
		}
	}
	return n, nil
}

// deviation finds the cheapest change y of the table with y[v] = d that keeps every
// constraint and every count non-negative, where changing a published cell j by |y_j| costs
// (x_j + 1)·|y_j| and changing a suppressed cell costs nothing, and returns the cells it
// changes. Suppressing them makes x + y indistinguishable from x for an attacker, so v's
// interval then reaches x_v + d. This is the protection subproblem of Kelly, Golden & Assad
// (1992) and Fischetti & Salazar-González (2000), solved as a linear program:
//
//	minimise  Σ c_j (u_j + w_j)
//	s.t.      Σ_j a_rj (u_j − w_j) = −a_rv d   for every constraint row r
//	          w_j ≤ x_j,  u, w ≥ 0.
func (s *system) deviation(v int, d float64) ([]int, error) {
	p := s.deviationLP(v, d)
	x, st := simplex(p.c, p.A, p.b)
	if st != lpOptimal {
		return nil, fmt.Errorf("%w: protecting %s: status %d", ErrSolver, s.label(v), st)
	}
	var support []int
	for j := range s.vars {
		y := x[j]
		if p.wcol[j] >= 0 {
			y += x[p.wcol[j]]
		}
		if j != v && y > 1e-7 {
			support = append(support, j)
		}
	}
	return support, nil
}

// devLP is the protection LP of one cell in standard form. Its columns are u_j for every
// variable (u_v stays a zero column: y_v is fixed on the right-hand side), then w_j for each
// j ≠ v with x_j > 0 (wcol[j]; -1 when x_j = 0, which cannot decrease), then a slack for each
// bound w_j ≤ x_j.
type devLP struct {
	c    []float64
	A    [][]float64
	b    []float64
	wcol []int
}

func (s *system) deviationLP(v int, d float64) devLP {
	nv := len(s.vars)
	p := devLP{wcol: make([]int, nv)}
	cols := nv
	for j := range nv {
		p.wcol[j] = -1
		if j != v && s.value[j] > 0 {
			p.wcol[j] = cols
			cols++
		}
	}
	nw := cols - nv
	cols += nw
	for _, row := range s.rows {
		r := make([]float64, cols)
		rhs := 0.0
		for _, t := range row {
			if t.v == v {
				rhs -= t.coef * d
				continue
			}
			r[t.v] += t.coef
			if p.wcol[t.v] >= 0 {
				r[p.wcol[t.v]] -= t.coef
			}
		}
		p.A, p.b = append(p.A, r), append(p.b, rhs)
	}
	p.c = make([]float64, cols)
	for j := range nv {
		if j != v {
			p.c[j] = s.cost(j)
		}
		if w := p.wcol[j]; w >= 0 {
			p.c[w] = s.cost(j)
			r := make([]float64, cols)
			r[w], r[w+nw] = 1, 1
			p.A, p.b = append(p.A, r), append(p.b, float64(s.value[j]))
		}
	}
	return p
}

// cost is the price of changing variable j by one: nothing when it is already suppressed,
// else its count plus one (so that suppressing a small cell is cheap and a total dear, and
// zeros are not free).
func (s *system) cost(j int) float64 {
	if !s.known[j] {
		return 0
	}
	return float64(s.value[j]) + 1
}

// suppressNeighbours suppresses every published cell that shares a constraint with one of
// vs, and returns how many.
func (s *system) suppressNeighbours(vs []int) int {
	want := map[int]bool{}
	for _, v := range vs {
		want[v] = true
	}
	n := 0
	for _, row := range s.rows {
		hit := false
		for _, t := range row {
			hit = hit || want[t.v]
		}
		for _, t := range row {
			if hit && s.known[t.v] {
				s.known[t.v] = false
				n++
			}
		}
	}
	return n
}

// prune publishes again every complementary cell that the others make unnecessary: it visits
// the complementary cells, larger counts first (they lose the most information), publishes
// each in turn, and keeps it published when every suppressed cell still meets its
// requirement. The cell-by-cell heuristic of protect often suppresses a cell for one
// sensitive cell that later complements make redundant.
func (s *system) prune(ctx context.Context, cfg Config, primary []bool) error {
	var cand []int
	for _, v := range s.unknowns() {
		if !primary[v] {
			cand = append(cand, v)
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(s.value[b], s.value[a]) })
	for _, v := range cand {
		s.known[v] = true
		ok, err := s.protected(ctx, cfg, primary)
		if err != nil {
			return err
		}
		if !ok {
			s.known[v] = false
		}
	}
	return nil
}

// protected reports whether every suppressed cell meets its requirement.
func (s *system) protected(ctx context.Context, cfg Config, primary []bool) (bool, error) {
	un := s.unknowns()
	ivs, err := s.quickIntervals(ctx, un)
	if err != nil {
		return false, err
	}
	for _, v := range un {
		if up, down := s.need(cfg, v, primary[v], ivs[v]); up != 0 || down != 0 {
			return false, nil
		}
	}
	return true, nil
}
