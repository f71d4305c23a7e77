package stats

import (
	"math"
	"slices"
)

// AdjustHolm returns Holm's (1979) step-down adjusted p-values, as R's p.adjust(p, "holm"):
// with the m non-missing p-values sorted ascending (ties keep input order),
// adjusted_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)), returned in input order.
//
// NaN marks a missing p-value: it stays NaN and is not counted in m (R's p.adjust with NA).
// With m <= 1 the input is returned unchanged (copied). Values are not range-checked; p-values
// outside [0, 1] give R's arithmetic.
func AdjustHolm(p []float64) []float64 {
	return adjust(p, func(sorted []float64, m int) {
		run := math.Inf(-1)
		for i, v := range sorted {
			run = math.Max(run, float64(m-i)*v)
			sorted[i] = math.Min(1, run)
		}
	})
}

// AdjustBH returns the Benjamini–Hochberg (1995) step-up adjusted p-values (false discovery
// rate), as R's p.adjust(p, "BH"): with the m non-missing p-values sorted ascending,
// adjusted_(i) = min(1, min_{j >= i} (m / j) p_(j)), returned in input order.
//
// NaN (missing) stays NaN and is not counted in m; with m <= 1 the input is returned unchanged.
func AdjustBH(p []float64) []float64 {
	return adjust(p, func(sorted []float64, m int) {
		run := math.Inf(1)
		for i := m - 1; i >= 0; i-- {
			run = math.Min(run, float64(m)/float64(i+1)*sorted[i])
			sorted[i] = math.Min(1, run)
		}
	})
}

// adjust sorts the non-NaN values (stably), lets f adjust them in place and puts them back.
func adjust(p []float64, f func(sorted []float64, m int)) []float64 {
	out := slices.Clone(p)
	var idx []int
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	m := len(idx)
	if m <= 1 {
		return out
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	sorted := make([]float64, m)
	for i, j := range idx {
		sorted[i] = p[j]
	}
	f(sorted, m)
	for i, j := range idx {
		out[j] = sorted[i]
	}
	return out
}
