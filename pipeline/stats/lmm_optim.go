package stats

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Minimisation of the profiled criterion over theta (1 to 3 parameters).
//
// The criterion is a smooth function of theta on all of R^k and is unchanged when a column of
// Lambda changes sign (Lambda Lambda' is what enters), so lme4's bounds (diagonal elements of
// Lambda >= 0) only pick one of equivalent optima: theta is optimised unconstrained, and the
// signs are fixed afterwards (canonical). A boundary optimum (a variance of 0) is then a
// smooth interior minimum of an even function, which Newton's method finds to full precision.
//
// Stage 1 is Nelder-Mead (Lagarias et al. 1998 coefficients 1, 2, 1/2, 1/2) from lme4's start
// (1 on the diagonal, 0 off it), restarted once from its best point. Stage 2 polishes by
// Newton steps with a backtracking line search, the gradient and Hessian from central
// differences with Richardson extrapolation (lmmDerivs), until the step is below 1e-10
// (relative to max(|theta_i|, 1)).

// lmmCounter counts criterion evaluations and stops them when the budget is spent.
type lmmCounter struct {
	f    func([]float64) float64
	n    int
	maxN int
}

func (c *lmmCounter) eval(x []float64) float64 {
	c.n++
	return c.f(x)
}

func (c *lmmCounter) spent() bool { return c.n >= c.maxN }

// optimize returns the theta that minimises the profiled criterion and the number of
// evaluations used.
func (m *lmmModel) optimize(ctx context.Context, maxEval int) ([]float64, int, error) {
	if maxEval <= 0 {
		maxEval = 20000
	}
	c := &lmmCounter{f: m.objective(m.newWork()), maxN: maxEval}
	x0 := make([]float64, m.nTheta)
	for _, i := range m.diagTheta() {
		x0[i] = 1
	}
	x, fx, err := lmmNelderMead(ctx, c, x0, 0.5)
	if err == nil {
		x, fx, err = lmmNelderMead(ctx, c, x, 0.05)
	}
	if err == nil {
		x, fx, err = lmmNewton(ctx, c, x, fx)
	}
	if err != nil {
		return nil, c.n, err
	}
	x = m.canonical(c, x, fx)
	return x, c.n, nil
}

// diagTheta lists the indices of theta that are diagonal elements of Lambda (lme4's lower
// bound 0).
func (m *lmmModel) diagTheta() []int {
	if m.structure == LMMSlope {
		return []int{0, 2}
	}
	if m.structure == LMMNested {
		return []int{0, 1}
	}
	return []int{0}
}

// canonical gives theta lme4's signs (diagonal elements >= 0, flipping a column of Lambda
// with its diagonal element) and sets diagonal elements below 1e-7 to exactly 0 when that
// does not raise the criterion by more than 1e-12 relative.
func (m *lmmModel) canonical(c *lmmCounter, x []float64, fx float64) []float64 {
	x = slices.Clone(x)
	if x[0] < 0 {
		x[0] = -x[0]
		if m.structure == LMMSlope {
			x[1] = -x[1]
		}
	}
	for _, i := range m.diagTheta()[1:] {
		x[i] = math.Abs(x[i])
	}
	for _, i := range m.diagTheta() {
		if x[i] >= 1e-7 || x[i] == 0 {
			continue
		}
		y := slices.Clone(x)
		y[i] = 0
		if fy := c.eval(y); fy <= fx+1e-12*math.Abs(fx) {
			x, fx = y, fy
		}
	}
	return x
}

// Nelder-Mead stops when the simplex's function values agree to lmmNMFTol (relative) and its
// vertices to lmmNMXTol (relative to 1 + |x|), or when the vertices agree to 1e-3 lmmNMXTol
// whatever the function values (rounding noise in f may never let them agree). Newton's
// method does the rest.
const (
	lmmNMFTol = 1e-11
	lmmNMXTol = 1e-6
)

// lmmNelderMead minimises c.f from x0 with an initial simplex of x0 + step e_i. It stops at
// the tolerances above, or with a *ConvergenceError when the evaluation budget is spent.
func lmmNelderMead(ctx context.Context, c *lmmCounter, x0 []float64, step float64) ([]float64, float64, error) {
	s := newLMMSimplex(c, x0, step)
	for iter := 0; ; iter++ {
		lmmSortSimplex(s.pts, s.fs)
		if lmmSimplexConverged(s.pts, s.fs) {
			return s.pts[0], s.fs[0], nil
		}
		if c.spent() {
			k := len(x0)
			return nil, 0, &ConvergenceError{Method: "mixed-model theta (Nelder-Mead)", Iter: iter, Change: s.fs[k] - s.fs[0]}
		}
		if iter%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		s.step(c)
	}
}

// lmmSimplex is a Nelder-Mead simplex: k+1 vertices and their function values.
type lmmSimplex struct {
	pts      [][]float64
	fs       []float64
	centroid []float64
}

func newLMMSimplex(c *lmmCounter, x0 []float64, step float64) *lmmSimplex {
	k := len(x0)
	s := &lmmSimplex{pts: make([][]float64, k+1), fs: make([]float64, k+1), centroid: make([]float64, k)}
	for i := range s.pts {
		s.pts[i] = slices.Clone(x0)
		if i > 0 {
			s.pts[i][i-1] += step
		}
		s.fs[i] = c.eval(s.pts[i])
	}
	return s
}

// at returns centroid + t (worst - centroid): t = -1 reflects, -2 expands, -1/2 and 1/2
// contract outside and inside.
func (s *lmmSimplex) at(t float64) []float64 {
	worst := s.pts[len(s.pts)-1]
	y := make([]float64, len(worst))
	for j := range y {
		y[j] = s.centroid[j] + t*(worst[j]-s.centroid[j])
	}
	return y
}

// step does one Nelder-Mead iteration on a simplex sorted by function value.
func (s *lmmSimplex) step(c *lmmCounter) {
	k := len(s.centroid)
	clear(s.centroid)
	for _, p := range s.pts[:k] {
		for j, v := range p {
			s.centroid[j] += v / float64(k)
		}
	}
	xr := s.at(-1)
	fr := c.eval(xr)
	switch {
	case fr < s.fs[0]:
		xe := s.at(-2)
		if fe := c.eval(xe); fe < fr {
			s.pts[k], s.fs[k] = xe, fe
		} else {
			s.pts[k], s.fs[k] = xr, fr
		}
	case fr < s.fs[k-1]:
		s.pts[k], s.fs[k] = xr, fr
	default:
		t := 0.5 // outside contraction
		if fr >= s.fs[k] {
			t = -0.5 // inside contraction
		}
		xc := s.at(-t)
		if fc := c.eval(xc); fc < min(fr, s.fs[k]) {
			s.pts[k], s.fs[k] = xc, fc
			return
		}
		s.shrink(c)
	}
}

// shrink moves every vertex halfway towards the best one.
func (s *lmmSimplex) shrink(c *lmmCounter) {
	for i := 1; i < len(s.pts); i++ {
		for j := range s.pts[i] {
			s.pts[i][j] = s.pts[0][j] + 0.5*(s.pts[i][j]-s.pts[0][j])
		}
		s.fs[i] = c.eval(s.pts[i])
	}
}

// lmmSortSimplex orders the vertices by function value (NaN last).
func lmmSortSimplex(pts [][]float64, fs []float64) {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(fs[i]) {
			return math.Inf(1)
		}
		return fs[i]
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	p2 := make([][]float64, len(pts))
	f2 := make([]float64, len(fs))
	for i, j := range idx {
		p2[i], f2[i] = pts[j], fs[j]
	}
	copy(pts, p2)
	copy(fs, f2)
}

func lmmSimplexConverged(pts [][]float64, fs []float64) bool {
	k := len(pts) - 1
	var diam float64
	for _, p := range pts[1:] {
		for j, v := range p {
			diam = max(diam, math.Abs(v-pts[0][j])/(1+math.Abs(pts[0][j])))
		}
	}
	flat := math.Abs(fs[k]-fs[0]) <= lmmNMFTol*(1+math.Abs(fs[0]))
	return (flat && diam <= lmmNMXTol) || diam <= 1e-3*lmmNMXTol
}

// lmmNewton polishes a minimum of c.f near x by Newton steps on finite-difference
// derivatives. A Hessian that is not positive definite is replaced by |H| (eigenvalues made
// positive, at least 1e-8 of the largest). The iteration stops when the step is below 1e-10
// (relative), or below 1e-7 after 10 steps (the noise floor of the finite differences), or
// when the derivatives are not finite; it fails with a *ConvergenceError after 100 steps.
func lmmNewton(ctx context.Context, c *lmmCounter, x []float64, fx float64) ([]float64, float64, error) {
	const maxIter = 100
	k := len(x)
	var last float64
	for iter := range maxIter {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		if c.spent() {
			return nil, 0, &ConvergenceError{Method: "mixed-model theta (Newton)", Iter: iter, Change: last}
		}
		h := lmmSteps(x, 1e-3)
		fv := func(y []float64) []float64 { return []float64{c.eval(y)} }
		grad, hess := lmmDerivs(fv, x, h, 2)
		d := lmmNewtonStep(grad[0], hess[0], k)
		if d == nil {
			return x, fx, nil
		}
		x, fx, last = lmmLineSearch(c, x, fx, d)
		if last < 1e-10 || (iter >= 10 && last < 1e-7) {
			return x, fx, nil
		}
	}
	return nil, 0, &ConvergenceError{Method: "mixed-model theta (Newton)", Iter: maxIter, Change: last}
}

// lmmLineSearch moves from x along d: a small step (below 1e-4 relative), which is where the
// criterion's rounding noise (about 1e-13 relative) hides the decrease, is taken whole if f
// stays within 1e-11 (relative) of fx, since the step comes from accurate derivatives;
// otherwise the step is halved until f decreases. It returns the new point, its value and
// the relative size of the step taken (0 if none).
func lmmLineSearch(c *lmmCounter, x []float64, fx float64, d []float64) ([]float64, float64, float64) {
	size := func(t float64) float64 {
		var s float64
		for j := range d {
			s = max(s, math.Abs(t*d[j])/max(math.Abs(x[j]), 1))
		}
		return s
	}
	y := make([]float64, len(x))
	t := 1.0
	for range 40 {
		for j := range y {
			y[j] = x[j] + t*d[j]
		}
		fy := c.eval(y)
		if fy < fx || (size(t) < 1e-4 && fy <= fx+1e-11*math.Abs(fx)) {
			return y, fy, size(t)
		}
		t /= 2
	}
	return x, fx, 0
}

// lmmNewtonStep solves |H| d = -g; it returns nil if the derivatives are not finite.
func lmmNewtonStep(g []float64, h [][]float64, k int) []float64 {
	hs := mat.NewSymDense(k, nil)
	for i := range k {
		if math.IsNaN(g[i]) || math.IsInf(g[i], 0) {
			return nil
		}
		for j := i; j < k; j++ {
			if math.IsNaN(h[i][j]) || math.IsInf(h[i][j], 0) {
				return nil
			}
			hs.SetSym(i, j, h[i][j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(hs, true) {
		return nil
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var top float64
	for _, v := range vals {
		top = max(top, math.Abs(v))
	}
	if top == 0 {
		return nil
	}
	d := make([]float64, k)
	for e, v := range vals {
		v = max(math.Abs(v), 1e-8*top)
		var proj float64
		for i := range k {
			proj += vecs.At(i, e) * g[i]
		}
		for i := range k {
			d[i] -= vecs.At(i, e) * proj / v
		}
	}
	return d
}

// lmmSteps returns the initial finite-difference steps rel * max(|x_i|, 0.1).
func lmmSteps(x []float64, rel float64) []float64 {
	h := make([]float64, len(x))
	for i, v := range x {
		h[i] = rel * max(math.Abs(v), 0.1)
	}
	return h
}

// lmmDerivs returns the gradient grad[f][i] and Hessian hess[f][i][j] of each component f of
// the vector function F at x by central differences with steps h_i, h_i/2, ...,
// h_i/2^(levels-1), combined by Richardson extrapolation (the error of a central difference
// is a series in h^2, so each level removes one term: (4^m D(h/2) - D(h)) / (4^m - 1)), as
// numDeriv's genD does.
func lmmDerivs(F func([]float64) []float64, x, h []float64, levels int) (grad [][]float64, hess [][][]float64) {
	k := len(x)
	f0 := F(x)
	nf := len(f0)
	gl := make([][][]float64, levels) // per level: [f][i]
	hl := make([][][][]float64, levels)
	y := make([]float64, k)
	at := func(di, si float64, i int, dj, sj float64, j int) []float64 {
		copy(y, x)
		y[i] += di * si
		if j >= 0 {
			y[j] += dj * sj
		}
		return F(y)
	}
	for l := range levels {
		s := math.Ldexp(1, -l)
		gl[l] = lmmZeros2(nf, k)
		hl[l] = lmmZeros3(nf, k)
		for i := range k {
			hi := h[i] * s
			fp, fm := at(1, hi, i, 0, 0, -1), at(-1, hi, i, 0, 0, -1)
			for f := range nf {
				gl[l][f][i] = (fp[f] - fm[f]) / (2 * hi)
				hl[l][f][i][i] = (fp[f] - 2*f0[f] + fm[f]) / (hi * hi)
			}
			for j := range i {
				hj := h[j] * s
				fpp, fpm := at(1, hi, i, 1, hj, j), at(1, hi, i, -1, hj, j)
				fmp, fmm := at(-1, hi, i, 1, hj, j), at(-1, hi, i, -1, hj, j)
				for f := range nf {
					v := (fpp[f] - fpm[f] - fmp[f] + fmm[f]) / (4 * hi * hj)
					hl[l][f][i][j], hl[l][f][j][i] = v, v
				}
			}
		}
	}
	for m := 1; m < levels; m++ {
		c := math.Pow(4, float64(m))
		for l := levels - 1; l >= m; l-- {
			for f := range nf {
				for i := range k {
					gl[l][f][i] = (c*gl[l][f][i] - gl[l-1][f][i]) / (c - 1)
					for j := range k {
						hl[l][f][i][j] = (c*hl[l][f][i][j] - hl[l-1][f][i][j]) / (c - 1)
					}
				}
			}
		}
	}
	return gl[levels-1], hl[levels-1]
}

func lmmZeros2(a, b int) [][]float64 {
	out := make([][]float64, a)
	for i := range out {
		out[i] = make([]float64, b)
	}
	return out
}

func lmmZeros3(a, b int) [][][]float64 {
	out := make([][][]float64, a)
	for i := range out {
		out[i] = lmmZeros2(b, b)
	}
	return out
}
