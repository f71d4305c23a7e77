package stats

import (
	"math"
	"testing"
)

// TestSignif checks signif against R 4.2.2's signif (Debian bookworm r-base-core); every
// want below was printed by
//
//	Rscript -e 'x <- c(0.125, 0.375, 0.0625, 2.5, 3.5, -0.125, 0.15, 0.0390625, 123456,
//	  1.25e10, 0.123456789, 0.123456789, 0.987, 1.09e308, 1.234e-310, 0);
//	  d <- c(2, 2, 2, 1, 1, 2, 1, 2, 2, 2, 22, 23, 0, 2, 2, 2);
//	  cat(sprintf("%.17g", signif(x, d)), sep = "\n")'
//
// Exact halves of the scaled double round to even (0.125 -> 0.12, 0.375 -> 0.38, 2.5 -> 2),
// which is where a port with math.Round (halves away from zero) differs.
func TestSignif(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x      float64
		digits int
		want   float64
	}{
		{0.125, 2, 0.12},
		{0.375, 2, 0.38},
		{0.0625, 2, 0.062},
		{2.5, 1, 2},
		{3.5, 1, 4},
		{-0.125, 2, -0.12},
		{0.15, 1, 0.2}, // 0.15 is 0.1499999999999999944..., but 0.15 * 10 rounds to exactly 1.5
		{0.0390625, 2, 0.039},
		{123456, 2, 120000},
		{1.25e10, 2, 1.2e10},
		{0.123456789, 22, 0.12345678900000001},
		{0.123456789, 23, 0.123456789},
		{0.987, 0, 1},
		{1.09e308, 2, 1.0000000000000004e308}, // R 4.2's branch for huge |x| truncates here
		{1.234e-310, 2, 1.1999999999999865e-310},
		{0, 2, 0},
	}
	for _, tc := range tests {
		if got := signif(tc.x, tc.digits); got != tc.want {
			t.Errorf("signif(%v, %d) = %.17g, R gives %.17g", tc.x, tc.digits, got, tc.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := signif(x, 2); !(got == x || math.IsNaN(got) && math.IsNaN(x)) {
			t.Errorf("signif(%v, 2) = %v", x, got)
		}
	}
}
