package disclosure

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSuppress16x3 suppresses and audits the 16 complaints (in their 6 public groups) ×
// 3 modalities table with all margins (23 × 4 = 92 cells), counts from a fixed seed.
func BenchmarkSuppress16x3(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := complaintByModality(b, func(i, j int) int64 { return smallCount(rng) })
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Suppress(b.Context(), Config{}, tab); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Primary), "primary")
	b.ReportMetric(float64(res.Secondary), "secondary")
}

// BenchmarkAudit16x3 audits the published form of the same table alone.
func BenchmarkAudit16x3(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := complaintByModality(b, func(i, j int) int64 { return smallCount(rng) })
	res, err := Suppress(b.Context(), Config{}, tab)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Audit(b.Context(), Config{}, res.Tables...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Report.Intervals)), "cells")
}
