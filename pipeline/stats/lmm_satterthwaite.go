package stats

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Satterthwaite degrees of freedom for the fixed effects, as lmerTest 3.1 computes them
// (Kuznetsova, Brockhoff and Christensen 2017, "lmerTest Package: Tests in Linear Mixed
// Effects Models", J Stat Softw 82(13), section 3.2).
//
// The variance parameters are varpar = (theta, sigma). D(varpar) is the deviance not profiled
// over sigma (lmerTest's devfun_vp):
//
//	D = log|L_theta|^2 + r^2(theta)/sigma^2 + n log(2 pi sigma^2)
//	    [REML: + log|R_X|^2 - p log(2 pi sigma^2)],
//
// H its Hessian at the estimate and A = 2 H^+ the asymptotic covariance of varpar (the
// Moore-Penrose inverse through an eigen-decomposition dropping eigenvalues below 1e-8, as
// lmerTest does). For fixed effect j, v(varpar) = sigma^2 [(R_X'R_X)^-1]_jj and g its
// gradient; then df_j = 2 v^2 / (g' A g) and p = 2 P(T_df >= |t|).
//
// lmerTest differentiates numerically (numDeriv::hessian and jacobian). Here the sigma
// derivatives are analytic and the theta derivatives of the three smooth functions
// a(theta) = log|L_theta|^2 [+ log|R_X|^2], r^2(theta) and (R_X'R_X)^-1 are central differences
// from a step of 1e-2 max(|theta_i|, 0.1), halved three times and combined by Richardson
// extrapolation (lmmDerivs): accurate to about 1e-8, well inside the 1e-3 to which lmerTest's
// own df agree with an exact computation. H is
//
//	H_theta,theta = a'' + (r^2)'' / sigma^2,  H_theta,sigma = -2 (r^2)' / sigma^3,
//	H_sigma,sigma = 6 r^2 / sigma^4 - 2 (n - p_REML) / sigma^2.
//
// In a singular fit the zero theta contributes nothing (v is even in it, so its component of
// g is 0), as in lmerTest.

// satterthwaite fills in DF and P of fit.Fixed.
func (m *lmmModel) satterthwaite(fit *LMMFit) {
	d := m.thetaDerivs(fit.Theta)
	a := lmmPseudoInverse(m.devianceHessian(d, fit.Sigma), 1e-8)
	for j := range fit.Fixed {
		fe := &fit.Fixed[j]
		fe.DF = d.df(a, j, fit.Sigma)
		fe.P = ptTwoSided(fe.T, fe.DF)
	}
}

// lmmThetaDerivs holds F(theta) = (a, r^2, U_11, ..., U_pp) at the estimate with its
// gradient grad[f][i] and Hessian hess[f][i][j] in theta, where a = log|L_theta|^2
// [+ log|R_X|^2 under REML] and U = (R_X'R_X)^-1 (of the original, uncentred X).
type lmmThetaDerivs struct {
	f0   []float64
	grad [][]float64
	hess [][][]float64
}

// thetaDerivs differentiates F at theta (see the comment at the top of this file).
func (m *lmmModel) thetaDerivs(theta []float64) lmmThetaDerivs {
	p := m.p
	w := m.newWork()
	F := func(th []float64) []float64 {
		out := make([]float64, 2+p)
		if !m.eval(th, w) {
			for i := range out {
				out[i] = math.NaN()
			}
			return out
		}
		out[0] = w.ldL2
		if m.reml {
			out[0] += w.ldRX
		}
		out[1] = w.r2
		_, u := m.uncenter(nil, w.unscaledVcov())
		for j := range p {
			out[2+j] = u[j*p+j]
		}
		return out
	}
	grad, hess := lmmDerivs(F, theta, lmmSteps(theta, 1e-2), 4)
	return lmmThetaDerivs{f0: F(theta), grad: grad, hess: hess}
}

// devianceHessian assembles the Hessian of D(theta, sigma) from the theta derivatives and
// the analytic sigma derivatives.
func (m *lmmModel) devianceHessian(d lmmThetaDerivs, s float64) *mat.SymDense {
	k := len(d.grad[0])
	s2 := s * s
	h := mat.NewSymDense(k+1, nil)
	for i := range k {
		for j := i; j < k; j++ {
			h.SetSym(i, j, d.hess[0][i][j]+d.hess[1][i][j]/s2)
		}
		h.SetSym(i, k, -2*d.grad[1][i]/(s2*s))
	}
	h.SetSym(k, k, 6*d.f0[1]/(s2*s2)-2*float64(m.n-m.pREML())/s2)
	return h
}

// df returns the Satterthwaite df of fixed effect j: 2 v^2 / (g' A g) with v = sigma^2 U_jj
// and g = (sigma^2 dU_jj/dtheta, 2 sigma U_jj).
func (d lmmThetaDerivs) df(a *mat.Dense, j int, s float64) float64 {
	k := len(d.grad[0])
	u := d.f0[2+j]
	g := make([]float64, k+1)
	for i := range k {
		g[i] = s * s * d.grad[2+j][i]
	}
	g[k] = 2 * s * u
	v := s * s * u
	var gag float64
	for r := range k + 1 {
		for c := range k + 1 {
			gag += g[r] * a.At(r, c) * g[c]
		}
	}
	return 2 * v * v / gag
}

// lmmPseudoInverse returns 2 H^+ over the eigenvalues of h above tol (lmerTest's vcov_varpar).
func lmmPseudoInverse(h *mat.SymDense, tol float64) *mat.Dense {
	n := h.SymmetricDim()
	out := mat.NewDense(n, n, nil)
	var eig mat.EigenSym
	if !eig.Factorize(h, true) {
		for i := range n {
			for j := range n {
				out.Set(i, j, math.NaN())
			}
		}
		return out
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	for e, v := range vals {
		if !(v > tol) {
			continue
		}
		for i := range n {
			for j := range n {
				out.Set(i, j, out.At(i, j)+2*vecs.At(i, e)*vecs.At(j, e)/v)
			}
		}
	}
	return out
}
