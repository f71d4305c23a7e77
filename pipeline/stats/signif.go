package stats

import "math"

// signif rounds x to digits significant decimal digits as R's signif(x, digits) does: a port
// of fprec in R's src/nmath/fprec.c (R 4.2). With e10 = digits - 1 - floor(log10 |x|), fprec
// scales |x| by 10^e10 (R_pow_di, so a power >= 1 stays exact), rounds with C's nearbyint and
// scales back. nearbyint rounds to the nearest integer and an exact half to the even one, and
// it sees the scaled binary double, not x's decimal form: signif(0.125, 2) = 0.12 (12.5 is
// exact and rounds to 12), signif(0.375, 2) = 0.38, signif(2.5, 1) = 2, signif(3.5, 1) = 4,
// while math.Round, which rounds halves away from zero, gives 0.13 and 3 for the first and
// third. R's round(x, d) (fround.c) is a different algorithm and is not what this matches.
//
// Special cases, as R: NaN, ±Inf and 0 are returned unchanged; digits < 1 means 1; digits
// > 22 returns x. |log10 |x|| >= 306 takes fprec's separate branch for very large and very
// small numbers, ported as is (log10 of a subnormal |x| is computed as in C, see log10).
func signif(x float64, digits int) float64 {
	const maxDigits = 22
	const max10e = 308 // (int) (DBL_MAX_EXP * M_LOG10_2) in R 4.2
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 || digits > maxDigits {
		return x
	}
	dig := max(digits, 1)
	sgn := 1.0
	if x < 0 {
		sgn, x = -1, -x
	}
	l10 := log10(x)
	e10 := dig - 1 - int(math.Floor(l10))
	if math.Abs(l10) < max10e-2 {
		p10 := 1.0
		if e10 > max10e { // numbers less than 10^(dig - 1 - max10e)
			p10 = powDI(10, e10-max10e)
			e10 = max10e
		}
		if e10 > 0 { // keep the power >= 1, and so exact
			pow10 := powDI(10, e10)
			return sgn * (math.RoundToEven(x*pow10*p10) / pow10) / p10
		}
		pow10 := powDI(10, -e10)
		return sgn * (math.RoundToEven(x/pow10) * pow10)
	}
	// Very large or very small |x|.
	doRound := max10e-l10 >= powDI(10, -dig) // R 4.2: signif(1.09e308, 2) = 1e308
	e2 := dig - maxDigits
	if e10 > 0 {
		e2 = dig + maxDigits
	}
	p10 := powDI(10, e2)
	x *= p10
	P10 := powDI(10, e10-e2)
	x *= P10
	if doRound {
		x += 0.5
	}
	x = math.Floor(x) / p10
	return sgn * x / P10
}

// powDI is R's R_pow_di(x, n): x^|n| by repeated squaring, inverted for n < 0, in the same
// order of operations as R (src/main/arithmetic.c), so the powers of 10 that signif uses are
// R's to the last bit.
func powDI(x float64, n int) float64 {
	xn := 1.0
	neg := n < 0
	if neg {
		n = -n
	}
	for n != 0 {
		if n&1 != 0 {
			xn *= x
		}
		n >>= 1
		if n != 0 {
			x *= x
		}
	}
	if neg {
		xn = 1 / xn
	}
	return xn
}

// log10 is math.Log10 made exact for subnormal x: on amd64, math.Log ignores the leading
// zeros of a subnormal's mantissa (golang/go#56600; log10(1.234e-310) comes out as -307.95),
// so such x are scaled into the normal range first.
func log10(x float64) float64 {
	if x < 0x1p-1022 {
		return math.Log10(x*0x1p54) - 54*math.Log10(2)
	}
	return math.Log10(x)
}
