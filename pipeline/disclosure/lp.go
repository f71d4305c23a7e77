package disclosure

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// lpStatus is the outcome of a linear program.
type lpStatus int

const (
	lpOptimal lpStatus = iota
	lpInfeasible
	lpUnbounded
	lpFailed // iteration limit: a numerical failure, never a verdict
)

const lpTol = 1e-9

// simplex minimises cᵀx subject to Ax = b, x ≥ 0, by the two-phase tableau simplex method
// (Dantzig's rule, switching to Bland's rule, which cannot cycle, after a degenerate pivot;
// Chvátal 1983, Linear Programming, ch. 2–3 and 8). A may have dependent rows: phase 1 leaves
// their artificial variables basic at zero, and phase 2 never lets an artificial enter.
func simplex(c []float64, A [][]float64, b []float64) ([]float64, lpStatus) {
	T, basis, st := phase1(A, b)
	if st != lpOptimal {
		return nil, st
	}
	return phase2(T, basis, c)
}

// phase2 minimises cᵀx from the feasible tableau of phase1, in place.
func phase2(T [][]float64, basis []int, c []float64) ([]float64, lpStatus) {
	m, n, w := len(basis), len(c), len(T[0])
	for j := range w {
		T[m][j] = 0
	}
	copy(T[m], c)
	for i, bv := range basis {
		if bv < n && c[bv] != 0 {
			for j := range w {
				T[m][j] -= c[bv] * T[i][j]
			}
		}
	}
	if st := pivotLoop(T, basis, n); st != lpOptimal {
		return nil, st
	}
	x := make([]float64, n)
	for i, bv := range basis {
		if bv < n {
			x[bv] = T[i][w-1]
		}
	}
	return x, lpOptimal
}

// tableauBounds returns the minimum and maximum of x[k] (+Inf when unbounded), each by phase 2
// from a copy of a phase-1 tableau.
func tableauBounds(T [][]float64, basis []int, n, k int) (lo, hi float64, st lpStatus) {
	c := make([]float64, n)
	for i, sign := range []float64{1, -1} {
		c[k] = sign
		tc := make([][]float64, len(T))
		for r := range T {
			tc[r] = slices.Clone(T[r])
		}
		x, st := phase2(tc, slices.Clone(basis), c)
		switch {
		case st == lpUnbounded && i == 1:
			hi = math.Inf(1)
		case st != lpOptimal:
			return 0, 0, st
		case i == 0:
			lo = x[k]
		default:
			hi = x[k]
		}
	}
	return lo, hi, lpOptimal
}

// phase1 returns a tableau of Ax = b (rows signed so that b ≥ 0, one artificial column per
// row, then the right-hand side, and a last row for the reduced costs) in a feasible basis,
// with every artificial that can be pivoted out of the basis pivoted out.
func phase1(A [][]float64, b []float64) ([][]float64, []int, lpStatus) {
	m := len(A)
	n := 0
	if m > 0 {
		n = len(A[0])
	}
	w := n + m + 1
	T := make([][]float64, m+1)
	basis := make([]int, m)
	for i := range m {
		T[i] = make([]float64, w)
		sign := 1.0
		if b[i] < 0 {
			sign = -1
		}
		for j := range n {
			T[i][j] = sign * A[i][j]
		}
		T[i][n+i] = 1
		T[i][w-1] = sign * b[i]
		basis[i] = n + i
	}
	// Minimise the sum of the artificials: the reduced costs are minus the sum of the rows.
	T[m] = make([]float64, w)
	for i := range m {
		for j := range n {
			T[m][j] -= T[i][j]
		}
		T[m][w-1] -= T[i][w-1]
	}
	if st := pivotLoop(T, basis, n); st != lpOptimal {
		return nil, nil, lpFailed // phase 1 is bounded below by 0
	}
	if -T[m][w-1] > 1e-7*(1+maxAbs(b)) {
		return nil, nil, lpInfeasible
	}
	driveOutArtificials(T, basis, n)
	return T, basis, lpOptimal
}

// pivotLoop pivots until no column < limit has a negative reduced cost.
func pivotLoop(T [][]float64, basis []int, limit int) lpStatus {
	m := len(basis)
	w := len(T[0])
	bland := false
	for iter := 0; iter < 50*(m+limit)+1000; iter++ {
		e := entering(T[m], limit, bland)
		if e < 0 {
			return lpOptimal
		}
		r := -1
		var best float64
		for i := range m {
			if T[i][e] > lpTol {
				ratio := T[i][w-1] / T[i][e]
				if r < 0 || ratio < best-lpTol || (ratio <= best+lpTol && basis[i] < basis[r]) {
					r, best = i, ratio
				}
			}
		}
		if r < 0 {
			return lpUnbounded
		}
		bland = best <= lpTol
		pivot(T, basis, r, e)
	}
	return lpFailed
}

// entering returns the entering column: the most negative reduced cost, or with bland the
// first negative one; -1 when the tableau is optimal.
func entering(cost []float64, limit int, bland bool) int {
	e := -1
	for j := range limit {
		if cost[j] < -lpTol {
			if bland {
				return j
			}
			if e < 0 || cost[j] < cost[e] {
				e = j
			}
		}
	}
	return e
}

func pivot(T [][]float64, basis []int, r, e int) {
	p := T[r][e]
	for j := range T[r] {
		T[r][j] /= p
	}
	for i := range T {
		if i == r || T[i][e] == 0 {
			continue
		}
		f := T[i][e]
		for j := range T[i] {
			T[i][j] -= f * T[r][j]
		}
		T[i][e] = 0
	}
	basis[r] = e
}

// driveOutArtificials pivots each artificial left in the basis (at zero) out on any real
// column; a row with no such column is redundant and keeps its artificial at zero.
func driveOutArtificials(T [][]float64, basis []int, n int) {
	for i, bv := range basis {
		if bv < n {
			continue
		}
		for j := range n {
			if math.Abs(T[i][j]) > 1e-7 {
				pivot(T, basis, i, j)
				break
			}
		}
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// independentRows returns the indices of a maximal set of linearly independent rows of A
// (Gaussian elimination with partial pivoting on a copy), in their original order.
func independentRows(A [][]float64) []int {
	var basis [][]float64 // reduced rows, each with a pivot column
	var pivots []int
	var keep []int
	for i, row := range A {
		r := append([]float64(nil), row...)
		for k, br := range basis {
			if f := r[pivots[k]]; f != 0 {
				for j := range r {
					r[j] -= f * br[j]
				}
			}
		}
		p := -1
		for j, x := range r {
			if math.Abs(x) > 1e-9 && (p < 0 || math.Abs(x) > math.Abs(r[p])) {
				p = j
			}
		}
		if p < 0 {
			continue
		}
		f := r[p]
		for j := range r {
			r[j] /= f
		}
		basis, pivots, keep = append(basis, r), append(pivots, p), append(keep, i)
	}
	return keep
}

// bounds returns the minimum and maximum of x[k] subject to Ax = b, x ≥ 0, where A has full
// row rank and no zero column, starting from the feasible basis (nil: none known). It solves
// with gonum's simplex, which recomputes the basic solution and the reduced costs with its own
// linear algebra and pivots on to its own optimum, so a fault in [simplex] (which only gives
// the starting basis) cannot make a cell look safer than it is; it falls back to [simplex]
// only when gonum reports a numerical failure. hi is +Inf when x[k] is unbounded above.
func bounds(A [][]float64, b []float64, k int, basis []int) (lo, hi float64, err error) {
	m, n := len(A), len(A[0])
	dense := mat.NewDense(m, n, nil)
	for i, row := range A {
		dense.SetRow(i, row)
	}
	c := make([]float64, n)
	c[k] = 1
	lo, err = solveOne(c, dense, A, b, k, basis)
	if err != nil {
		return 0, 0, err
	}
	c[k] = -1
	hi, err = solveOne(c, dense, A, b, k, basis)
	if errors.Is(err, lp.ErrUnbounded) {
		return lo, math.Inf(1), nil
	}
	return lo, hi, err
}

// solveOne returns x[k] at the optimum of cᵀx.
func solveOne(c []float64, dense *mat.Dense, A [][]float64, b []float64, k int, basis []int) (float64, error) {
	_, x, err := lp.Simplex(c, dense, b, 1e-10, slices.Clone(basis))
	switch {
	case err == nil:
		return x[k], nil
	case errors.Is(err, lp.ErrUnbounded):
		return 0, err
	case errors.Is(err, lp.ErrInfeasible):
		return 0, ErrInconsistent
	}
	x, st := simplex(c, A, b)
	switch st {
	case lpOptimal:
		return x[k], nil
	case lpUnbounded:
		return 0, lp.ErrUnbounded
	case lpInfeasible:
		return 0, ErrInconsistent
	}
	return 0, ErrSolver
}
