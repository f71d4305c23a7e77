package stats

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// Reading LMMData into an lmmModel: validation, missing rows, group codes, centring and the
// per-group sufficient statistics (one pass over the rows), and lme4's checks on the counts.

// newLMMModel validates d and reads it once into per-group sufficient statistics.
func newLMMModel(d LMMData) (*lmmModel, error) {
	m, err := lmmShape(d)
	if err != nil {
		return nil, err
	}
	keep, err := lmmKeepRows(d)
	if err != nil {
		return nil, err
	}
	for _, k := range keep {
		if k {
			m.n++
		}
	}
	m.dropped = len(d.Y) - m.n
	codes := m.groupCodes(d, keep)
	m.accumulate(d, keep, codes)
	if err := m.checkCounts(); err != nil {
		return nil, err
	}
	if m.q == 1 {
		m.buildSizeClasses()
	}
	return m, nil
}

// lmmShape checks lengths and the structure and returns a model with its dimensions set.
func lmmShape(d LMMData) (*lmmModel, error) {
	n := len(d.Y)
	if len(d.Group) != n {
		return nil, fmt.Errorf("stats: mixed model: %d responses, %d group labels: %w", n, len(d.Group), ErrLength)
	}
	if d.Outer != nil && d.Slope != nil {
		return nil, fmt.Errorf("stats: mixed model: nested random slopes are not supported: %w", ErrDomain)
	}
	if d.Outer != nil && len(d.Outer) != n {
		return nil, fmt.Errorf("stats: mixed model: %d responses, %d outer group labels: %w", n, len(d.Outer), ErrLength)
	}
	if d.Slope != nil && len(d.Slope) != n {
		return nil, fmt.Errorf("stats: mixed model: %d responses, %d slope values: %w", n, len(d.Slope), ErrLength)
	}
	if d.XNames != nil && len(d.XNames) != len(d.X) {
		return nil, fmt.Errorf("stats: mixed model: %d X columns, %d names: %w", len(d.X), len(d.XNames), ErrLength)
	}
	m := &lmmModel{structure: LMMIntercept, q: 1, nTheta: 1, p: 1 + len(d.X)}
	m.k = m.p + 1
	m.names = []string{"(Intercept)"}
	for j, col := range d.X {
		if len(col) != n {
			return nil, fmt.Errorf("stats: mixed model: %d responses, %d values in X column %d: %w", n, len(col), j+1, ErrLength)
		}
		name := fmt.Sprintf("x%d", j+1)
		if d.XNames != nil {
			name = d.XNames[j]
		}
		m.names = append(m.names, name)
	}
	switch {
	case d.Outer != nil:
		m.structure, m.nTheta = LMMNested, 2
	case d.Slope != nil:
		m.structure, m.q, m.nTheta = LMMSlope, 2, 3
	}
	return m, nil
}

// lmmKeepRows marks the rows without NaN and rejects ±Inf.
func lmmKeepRows(d LMMData) ([]bool, error) {
	keep := make([]bool, len(d.Y))
	for i, y := range d.Y {
		ok := true
		vals := [2]float64{y, 0}
		if d.Slope != nil {
			vals[1] = d.Slope[i]
		}
		for _, v := range vals {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("stats: mixed model: row %d: %w", i+1, ErrNonFinite)
			}
			ok = ok && !math.IsNaN(v)
		}
		for _, col := range d.X {
			if math.IsInf(col[i], 0) {
				return nil, fmt.Errorf("stats: mixed model: row %d: %w", i+1, ErrNonFinite)
			}
			ok = ok && !math.IsNaN(col[i])
		}
		keep[i] = ok
	}
	return keep, nil
}

// groupCodes assigns each kept row its group's index such that the groups of one
// practitioner are contiguous (nested model), sets nInner, nOuter and outerStart, and
// returns the codes (-1 for dropped rows). A row with the labels of the previous kept row
// skips the map look-ups (data sorted by client take one look-up per client).
func (m *lmmModel) groupCodes(d LMMData, keep []bool) []int32 {
	if m.structure != LMMNested {
		codes, n := lmmCodes(d.Group, keep)
		m.nInner = n
		return codes
	}
	outer, nOuter := lmmCodes(d.Outer, keep)
	type pair struct {
		outer int32
		inner string
	}
	pairs := make(map[pair]int32)
	var innerOuter []int32 // practitioner of each (practitioner, client) pair
	codes := make([]int32, len(d.Y))
	prev := -1
	for i, g := range d.Group {
		codes[i] = -1
		switch {
		case !keep[i]:
			continue
		case prev >= 0 && g == d.Group[prev] && outer[i] == outer[prev]:
			codes[i] = codes[prev]
		default:
			key := pair{outer[i], g}
			c, ok := pairs[key]
			if !ok {
				c = int32(len(pairs))
				pairs[key] = c
				innerOuter = append(innerOuter, outer[i])
			}
			codes[i] = c
		}
		prev = i
	}
	m.nInner, m.nOuter = len(pairs), nOuter
	m.sortByOuter(codes, innerOuter)
	return codes
}

// lmmCodes numbers the distinct labels of the kept rows 0, 1, ... in order of first
// appearance and returns each row's number (-1 for dropped rows) and the count.
func lmmCodes(labels []string, keep []bool) ([]int32, int) {
	idx := make(map[string]int32)
	codes := make([]int32, len(labels))
	prev := -1
	for i, l := range labels {
		codes[i] = -1
		if !keep[i] {
			continue
		}
		if prev >= 0 && l == labels[prev] {
			codes[i], prev = codes[prev], i
			continue
		}
		prev = i
		c, ok := idx[l]
		if !ok {
			c = int32(len(idx))
			idx[l] = c
		}
		codes[i] = c
	}
	return codes, len(idx)
}

// sortByOuter renumbers the groups so that each practitioner's are contiguous (a counting
// sort by practitioner) and sets outerStart.
func (m *lmmModel) sortByOuter(codes, innerOuter []int32) {
	m.outerStart = make([]int, m.nOuter+1)
	for _, o := range innerOuter {
		m.outerStart[o+1]++
	}
	for o := range m.nOuter {
		m.outerStart[o+1] += m.outerStart[o]
	}
	next := slices.Clone(m.outerStart[:m.nOuter])
	pos := make([]int32, m.nInner)
	for c, o := range innerOuter {
		pos[c] = int32(next[o])
		next[o]++
	}
	for i, c := range codes {
		if c >= 0 {
			codes[i] = pos[c]
		}
	}
}

// accumulate reads the kept rows into a, b and g0, with the X columns and y centred (see
// lmmModel.shift).
func (m *lmmModel) accumulate(d LMMData, keep []bool, codes []int32) {
	k, q := m.k, m.q
	m.a = make([]float64, m.nInner*q*q)
	m.b = make([]float64, m.nInner*q*k)
	m.g0 = make([]float64, k*k)
	m.shift = m.means(d, keep)
	row := make([]float64, k)
	for i, y := range d.Y {
		if !keep[i] {
			continue
		}
		row[0] = 1
		for j, col := range d.X {
			row[j+1] = col[i] - m.shift[j+1]
		}
		row[k-1] = y - m.shift[k-1]
		for r, vr := range row {
			g := m.g0[r*k:]
			for s := r; s < k; s++ {
				g[s] += vr * row[s]
			}
		}
		c := int(codes[i])
		b := m.b[c*q*k:]
		for j, v := range row {
			b[j] += v
		}
		if q == 1 {
			m.a[c]++
			continue
		}
		s := d.Slope[i]
		a := m.a[c*4:]
		a[0]++
		a[1] += s
		a[3] += s * s
		for j, v := range row {
			b[k+j] += s * v
		}
	}
	for c := 0; q == 2 && c < m.nInner; c++ {
		m.a[c*4+2] = m.a[c*4+1]
	}
}

// means returns (0, mean of each X column, mean of y) over the kept rows.
func (m *lmmModel) means(d LMMData, keep []bool) []float64 {
	sh := make([]float64, m.k)
	if m.n == 0 {
		return sh
	}
	cols := append(slices.Clone(d.X), d.Y)
	for j, col := range cols {
		var s float64
		for i, v := range col {
			if keep[i] {
				s += v
			}
		}
		sh[j+1] = s / float64(m.n)
	}
	return sh
}

// buildSizeClasses groups the random-intercept groups (q = 1) of each practitioner (of the
// whole data outside the nested model) by their number of rows, summing W'_c and the upper
// triangle of W'_c W'_c' per class, and releases the per-group statistics.
func (m *lmmModel) buildSizeClasses() {
	k := m.k
	blocks := []int{0, m.nInner}
	if m.structure == LMMNested {
		blocks = m.outerStart
	}
	m.classStart = []int{0}
	for o := range len(blocks) - 1 {
		sizes := map[float64]int{}
		for c := blocks[o]; c < blocks[o+1]; c++ {
			sizes[m.a[c]]++
		}
		ns := slices.Sorted(maps.Keys(sizes))
		base := len(m.classN)
		for i, n := range ns {
			sizes[n] = base + i
			m.classN = append(m.classN, n)
			m.classCount = append(m.classCount, 0)
		}
		m.classB = append(m.classB, make([]float64, len(ns)*k)...)
		m.classBB = append(m.classBB, make([]float64, len(ns)*k*k)...)
		for c := blocks[o]; c < blocks[o+1]; c++ {
			cl := sizes[m.a[c]]
			m.classCount[cl]++
			b := m.b[c*k : (c+1)*k]
			cb, cbb := m.classB[cl*k:(cl+1)*k], m.classBB[cl*k*k:(cl+1)*k*k]
			for i, bi := range b {
				cb[i] += bi
				for j := i; j < k; j++ {
					cbb[i*k+j] += bi * b[j]
				}
			}
		}
		m.classStart = append(m.classStart, len(m.classN))
	}
	m.a, m.b = nil, nil
}

// uncenter maps the centred fit's beta and unscaled covariance (R_X'R_X)^-1 back to the
// original X and y: beta_0 = beta_c0 + ybar - sum_j xbar_j beta_j, and U = A U_c A' with
// A = [[1, -xbar'], [0, I]]; the other coefficients are unchanged.
func (m *lmmModel) uncenter(betaC, uC []float64) (beta, u []float64) {
	p, xbar := m.p, m.shift[:m.p] // xbar[0] = 0 for the intercept
	if betaC != nil {
		beta = slices.Clone(betaC)
		beta[0] += m.shift[m.k-1]
		for j := 1; j < p; j++ {
			beta[0] -= xbar[j] * betaC[j]
		}
	}
	if uC != nil {
		// A U_c: row 0 becomes U_c[0,:] - sum_j xbar_j U_c[j,:]; then the same on columns.
		u = slices.Clone(uC)
		for c := range p {
			for j := 1; j < p; j++ {
				u[c] -= xbar[j] * uC[j*p+c]
			}
		}
		for r := range p {
			for j := 1; j < p; j++ {
				u[r*p] -= xbar[j] * u[r*p+j]
			}
		}
	}
	return beta, u
}

// checkCounts applies lme4's checks on the numbers of observations, levels and random
// effects (check.nlev.gtr.1, check.nobs.vs.nlev, check.nobs.vs.nRE), and that there are more
// rows than fixed effects.
func (m *lmmModel) checkCounts() error {
	if m.n <= m.p {
		return fmt.Errorf("stats: mixed model: %d rows for %d fixed effects: %w", m.n, m.p, ErrTooFew)
	}
	levels := []int{m.nInner}
	if m.structure == LMMNested {
		levels = append(levels, m.nOuter)
	}
	for _, l := range levels {
		if l < 2 {
			return fmt.Errorf("stats: mixed model: a grouping factor has %d level(s), needs at least 2: %w", l, ErrTooFew)
		}
		if l >= m.n {
			return fmt.Errorf("stats: mixed model: a grouping factor has %d levels for %d rows: %w", l, m.n, ErrTooFew)
		}
	}
	nRE := m.q * m.nInner
	if m.structure == LMMNested {
		nRE += m.nOuter
	}
	if m.n <= nRE {
		return fmt.Errorf("stats: mixed model: %d rows for %d random effects: %w", m.n, nRE, ErrTooFew)
	}
	return nil
}

// checkRank rejects a rank-deficient X (condition number of the column-scaled X'X above
// 1e12) and a response that X fits exactly (ordinary least-squares residual sum of squares
// below 1e-12 of the centred y'y, i.e. R^2 > 1 - 1e-12), both read off the Cholesky factor of the
// column-scaled, centred [X y]'[X y].
func (m *lmmModel) checkRank() error {
	k, p := m.k, m.p
	scale := make([]float64, k)
	for i := range k {
		scale[i] = math.Sqrt(m.g0[i*k+i])
	}
	w := m.newWork()
	g := make([]float64, k*k)
	for i := range k {
		for j := i; j < k; j++ {
			if scale[i] > 0 && scale[j] > 0 {
				g[i*k+j] = m.g0[i*k+j] / (scale[i] * scale[j])
			}
		}
	}
	if !w.factorX(g) {
		return &LMMRankError{Cond: math.Inf(1)}
	}
	var dmin, dmax float64 = math.Inf(1), 0
	for i := range p {
		d := w.r[i*k+i]
		dmin, dmax = min(dmin, d), max(dmax, d)
	}
	if c := (dmax / dmin) * (dmax / dmin); c > 1e12 {
		return &LMMRankError{Cond: c}
	}
	// The relative residual of y on X: r^2 / y'y of the scaled system.
	if !w.factor(g) || w.r2 < 1e-12 {
		return fmt.Errorf("stats: mixed model: the fixed effects fit the response exactly: %w", ErrZeroVariance)
	}
	return nil
}

// factorX factors the X block of g alone; it reports false if that is not positive definite.
func (w *lmmWork) factorX(g []float64) bool {
	k := w.k
	x := make([]float64, k*k)
	copy(x, g)
	for i := range k {
		x[i*k+k-1] = 0
	}
	x[k*k-1] = 1
	clear(w.q)
	return w.factor(x)
}
