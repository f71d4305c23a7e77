package stats

import "math"

// zeroin finds a root of f in [ax, bx] given fa = f(ax) and fb = f(bx) of opposite signs (or
// one of them 0), by Brent's (1973) method: a port of R's R_zeroin2 (src/library/stats/src/
// zeroin.c, after netlib's zeroin.c), the engine of R's uniroot. It stops when the bracket is
// below 2 eps |b| + tol/2, and reports ok = false after maxit iterations without that.
// Porting R's code step for step makes uniroot's answers on step functions (the Wilcoxon
// confidence limits) reproducible to R's digits.
func zeroin(ax, bx, fa, fb float64, f func(float64) float64, tol float64, maxit int) (root float64, ok bool) {
	a, b := ax, bx
	c, fc := a, fa
	if fa == 0 {
		return a, true
	}
	if fb == 0 {
		return b, true
	}
	for range maxit + 1 {
		prevStep := b - a
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tolAct := 2*epsilon*math.Abs(b) + tol/2
		newStep := (c - b) / 2
		if math.Abs(newStep) <= tolAct || fb == 0 {
			return b, true
		}
		if math.Abs(prevStep) >= tolAct && math.Abs(fa) > math.Abs(fb) {
			var p, q float64
			cb := c - b
			if a == c {
				t1 := fb / fa
				p = cb * t1
				q = 1 - t1
			} else {
				q = fa / fc
				t1 := fb / fc
				t2 := fb / fa
				p = t2 * (cb*q*(q-t1) - (b-a)*(t1-1))
				q = (q - 1) * (t1 - 1) * (t2 - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if p < 0.75*cb*q-math.Abs(tolAct*q)/2 && p < math.Abs(prevStep*q/2) {
				newStep = p / q
			}
		}
		if math.Abs(newStep) < tolAct {
			if newStep > 0 {
				newStep = tolAct
			} else {
				newStep = -tolAct
			}
		}
		a, fa = b, fb
		b += newStep
		fb = f(b)
		if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
			c, fc = a, fa
		}
	}
	return b, false
}
