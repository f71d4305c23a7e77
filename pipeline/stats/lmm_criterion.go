package stats

import "math"

// The profiled criterion of a linear mixed model from per-group sufficient statistics.
//
// With the random effects ordered clients first and practitioners last, the matrix
// Lambda' Z'Z Lambda + I of Bates et al. (2015, eq. 18) is block diagonal per practitioner; a
// practitioner's block is
//
//	[ diag(M_c)   m    ]   M_c = T' A_c T + I (q x q, one per client c; A_c = Z_c'Z_c),
//	[ m'          M_P  ]   m_c = theta_P T' Z_c'1,  M_P = theta_P^2 n_P + 1,
//
// and W = Lambda' Z'[X y] has rows W_c = T' Z_c'[X y] and W_P = theta_P 1'[X y]_P. Eliminating
// the clients first (a Schur complement per practitioner, the Woodbury identity in another
// guise) gives log|L_theta|^2 = sum_c log|M_c| + sum_P log S_P with S_P = M_P - sum_c m_c' M_c^-1
// m_c, and the quadratic form Q = W' (Lambda'Z'Z Lambda + I)^-1 W as sum_c W_c' M_c^-1 W_c plus
// (W_P - sum_c m_c' M_c^-1 W_c)' S_P^-1 (...). Then [X y]'[X y] - Q is the Schur complement of
// the random effects in the mixed-model equations; its Cholesky factor holds R_X, the
// right-hand side c_beta (R_X beta = c_beta) and r (r^2 = the penalised residual sum of
// squares) in its last column. For random intercepts (q = 1, T = theta_c) the elimination
// simplifies to S_P = 1 + theta_P^2 sum_c n_c / M_c and W_P - ... = theta_P sum_c W'_c / M_c
// (W'_c = Z_c'[X y]), which has no cancellation; and since M_c = theta_c^2 n_c + 1 depends on
// the group only through its size n_c, the groups of one size within a practitioner are
// summed once (buildSizeClasses). Cost per evaluation: O(k^2) per size class per practitioner
// for random intercepts (a few thousand classes for 100,000 clients), O(k^2) per group for
// random slopes, with k = p + 1.

// lmmModel holds the sufficient statistics of one model.
type lmmModel struct {
	structure LMMStructure
	reml      bool
	n, p, k   int // rows, fixed effects, p + 1
	dropped   int
	q         int // random effects per group: 1 or 2
	nTheta    int
	names     []string

	nInner, nOuter int
	// Per group c (ordered so that the groups of one practitioner are contiguous):
	// a[c*q*q:] = Z_c'Z_c, b[c*q*k:] = Z_c'[X y] (q rows of k).
	a, b []float64
	// outerStart[o]..outerStart[o+1] are the groups of practitioner o (nested model only).
	outerStart []int
	// Random intercepts (q = 1) replace a and b by size classes: the groups of one size
	// within one practitioner (within the data outside the nested model). Class c has
	// classCount[c] groups of classN[c] rows, sum of Z_c'[X y] classB[c*k:] and the upper
	// triangle of the sum of their outer products classBB[c*k*k:]. classStart[o] ..
	// classStart[o+1] are practitioner o's classes (one block outside the nested model).
	classN, classCount []float64
	classB, classBB    []float64
	classStart         []int

	g0 []float64 // [X y]'[X y] of the centred columns, k x k row-major
	// shift holds (0, mean of each X column, mean of y): the model is fitted to the centred
	// columns, which leaves theta, log|R_X|, r^2 and the slopes unchanged ([1 X y] is
	// multiplied by a unit upper triangular matrix) and avoids the cancellation in
	// [X y]'[X y] - Q that large means cause; uncenter maps beta and the covariance back.
	shift []float64
}

// lmmWork is scratch space for one evaluation and its results.
type lmmWork struct {
	p, k       int
	q, wp      []float64 // k x k quadratic form; k-vector for a practitioner
	v          []float64 // 2k scratch for the random-slope model
	r          []float64 // k x k upper Cholesky factor of [X y]'[X y] - Q
	ldL2, ldRX float64   // log|L_theta|^2, log|R_X|^2
	r2         float64   // penalised residual sum of squares
}

func (m *lmmModel) newWork() *lmmWork {
	return &lmmWork{p: m.p, k: m.k, q: make([]float64, m.k*m.k), wp: make([]float64, m.k), v: make([]float64, 2*m.k), r: make([]float64, m.k*m.k)}
}

// pREML is the number of fixed effects the residual variance is corrected for: p under REML,
// 0 under ML.
func (m *lmmModel) pREML() int {
	if m.reml {
		return m.p
	}
	return 0
}

// criterion returns the REML criterion or ML deviance from an evaluation (Bates et al. 2015,
// eqs. 34 and 41, profiled over sigma).
func (m *lmmModel) criterion(w *lmmWork) float64 {
	if m.reml {
		nr := float64(m.n - m.p)
		return w.ldL2 + w.ldRX + nr*(1+math.Log(2*math.Pi*w.r2/nr))
	}
	n := float64(m.n)
	return w.ldL2 + n*(1+math.Log(2*math.Pi*w.r2/n))
}

// objective returns the profiled criterion at theta, +Inf where it is undefined.
func (m *lmmModel) objective(w *lmmWork) func([]float64) float64 {
	return func(theta []float64) float64 {
		if !m.eval(theta, w) {
			return math.Inf(1)
		}
		return m.criterion(w)
	}
}

// eval computes log|L_theta|^2, log|R_X|^2, r^2 and the Cholesky factor at theta into w. It
// reports false when [X y]'[X y] - Q is not positive definite (r^2 = 0 numerically).
func (m *lmmModel) eval(theta []float64, w *lmmWork) bool {
	clear(w.q)
	var ld float64
	switch {
	case m.structure == LMMNested:
		ld = m.accumNested(theta[0], theta[1], w)
	case m.q == 1:
		ld = m.accumIntercept(theta[0], w)
	default:
		ld = m.accumSlope(theta, w)
	}
	w.ldL2 = ld
	return w.factor(m.g0)
}

// accumInterceptS adds the random-intercept groups of size classes lo..hi-1 (q = 1, T = t) to
// w.q and w.wp (w.wp += sum_c W'_c / M_c, used by accumNested) and returns sum log M_c and
// sum n_c/M_c. Groups of equal size n share M_c = t^2 n + 1, so a class contributes
// count log M, (t^2/M) sum_c W'_c W'_c' and (1/M) sum_c W'_c at once.
func (m *lmmModel) accumInterceptS(t float64, lo, hi int, w *lmmWork) (logdet, sumNM float64) {
	k, t2 := m.k, t*t
	for c := lo; c < hi; c++ {
		n := m.classN[c]
		mc := t2*n + 1
		logdet += m.classCount[c] * math.Log(mc)
		inv := 1 / mc
		sumNM += m.classCount[c] * n * inv
		f := t2 * inv
		bb := m.classBB[c*k*k : (c+1)*k*k]
		for i, v := range bb {
			w.q[i] += f * v
		}
		for i, v := range m.classB[c*k : (c+1)*k] {
			w.wp[i] += inv * v
		}
	}
	return logdet, sumNM
}

// accumIntercept adds the random-intercept groups of all size classes and returns
// sum log M_c.
func (m *lmmModel) accumIntercept(t float64, w *lmmWork) float64 {
	ld, _ := m.accumInterceptS(t, 0, len(m.classN), w)
	return ld
}

// accumNested adds the practitioners' blocks: clients (theta tc) then the practitioner row
// (theta tp), by the Schur complement S_P = 1 + tp^2 sum_c n_c / M_c.
func (m *lmmModel) accumNested(tc, tp float64, w *lmmWork) float64 {
	k, tp2 := m.k, tp*tp
	var ld float64
	for o := range m.nOuter {
		clear(w.wp)
		l, sumNM := m.accumInterceptS(tc, m.classStart[o], m.classStart[o+1], w)
		s := 1 + tp2*sumNM
		ld += l + math.Log(s)
		f := tp2 / s
		for i := range k {
			fi := f * w.wp[i]
			row := w.q[i*k:]
			for j := i; j < k; j++ {
				row[j] += fi * w.wp[j]
			}
		}
	}
	return ld
}

// accumSlope adds the groups of a random intercept and slope (q = 2, T lower triangular
// [[t0, 0], [t1, t2]]), with a 2 x 2 Cholesky factor of M_c per group.
func (m *lmmModel) accumSlope(theta []float64, w *lmmWork) float64 {
	k := m.k
	t0, t1, t2 := theta[0], theta[1], theta[2]
	v0, v1 := w.v[:k], w.v[k:]
	var ld float64
	for c := range m.nInner {
		a := m.a[c*4 : c*4+4]
		a00, a01, a11 := a[0], a[1], a[3]
		// M = T' A T + I.
		u0, u1 := a00*t0+a01*t1, a01*t0+a11*t1 // first column of A T
		m00 := t0*u0 + t1*u1 + 1
		m01 := (t0*a01 + t1*a11) * t2
		m11 := t2*a11*t2 + 1
		l00 := math.Sqrt(m00)
		l10 := m01 / l00
		l11 := math.Sqrt(m11 - l10*l10)
		ld += 2 * math.Log(l00*l11)
		b0 := m.b[c*2*k : c*2*k+k]
		b1 := m.b[c*2*k+k : c*2*k+2*k]
		// V = L^-1 T' B_c, two rows of k.
		inv00, inv11 := 1/l00, 1/l11
		for i := range k {
			v0[i] = (t0*b0[i] + t1*b1[i]) * inv00
			v1[i] = (t2*b1[i] - l10*v0[i]) * inv11
		}
		for i := range k {
			row := w.q[i*k:]
			for j := i; j < k; j++ {
				row[j] += v0[i]*v0[j] + v1[i]*v1[j]
			}
		}
	}
	return ld
}

// factor computes the upper Cholesky factor R of g0 - w.q (upper triangles used), log|R_X|^2
// and r^2. It reports false if the matrix is not positive definite.
func (w *lmmWork) factor(g0 []float64) bool {
	k, r := w.k, w.r
	for i := range k {
		for j := i; j < k; j++ {
			r[i*k+j] = g0[i*k+j] - w.q[i*k+j]
		}
	}
	for i := range k {
		for l := range i {
			r[i*k+i] -= r[l*k+i] * r[l*k+i]
		}
		if !(r[i*k+i] > 0) {
			return false
		}
		d := math.Sqrt(r[i*k+i])
		r[i*k+i] = d
		for j := i + 1; j < k; j++ {
			s := r[i*k+j]
			for l := range i {
				s -= r[l*k+i] * r[l*k+j]
			}
			r[i*k+j] = s / d
		}
	}
	w.ldRX = 0
	for i := range w.p {
		w.ldRX += 2 * math.Log(r[i*k+i])
	}
	w.r2 = r[w.p*k+w.p] * r[w.p*k+w.p]
	return true
}

// beta solves R_X beta = c_beta (the last column of R).
func (w *lmmWork) beta() []float64 {
	p, k, r := w.p, w.k, w.r
	beta := make([]float64, p)
	for i := p - 1; i >= 0; i-- {
		s := r[i*k+p]
		for j := i + 1; j < p; j++ {
			s -= r[i*k+j] * beta[j]
		}
		beta[i] = s / r[i*k+i]
	}
	return beta
}

// unscaledVcov returns (R_X'R_X)^-1 = R_X^-1 R_X^-T, row-major p x p.
func (w *lmmWork) unscaledVcov() []float64 {
	p, k, r := w.p, w.k, w.r
	// rinv = R_X^-1 (upper triangular), column by column.
	rinv := make([]float64, p*p)
	for j := range p {
		rinv[j*p+j] = 1 / r[j*k+j]
		for i := j - 1; i >= 0; i-- {
			var s float64
			for l := i + 1; l <= j; l++ {
				s += r[i*k+l] * rinv[l*p+j]
			}
			rinv[i*p+j] = -s / r[i*k+i]
		}
	}
	out := make([]float64, p*p)
	for i := range p {
		for j := range p {
			var s float64
			for l := max(i, j); l < p; l++ {
				s += rinv[i*p+l] * rinv[j*p+l]
			}
			out[i*p+j] = s
		}
	}
	return out
}
