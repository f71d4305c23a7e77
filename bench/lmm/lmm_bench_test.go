package main

import (
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

// BenchmarkFitLMMNested fits y ~ session_number + (1 | practitioner/client) by REML, with
// Satterthwaite df, to 1,000,000 rows (100,000 clients in 500 practitioners; seed 1). One op
// is one whole FitLMM call, including the grouping of the string keys.
func BenchmarkFitLMMNested(b *testing.B) {
	d := generate(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stats.FitLMM(b.Context(), d, stats.LMMOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(nRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestGenerateSizes(t *testing.T) {
	d := generate(1)
	clients, practs := map[string]bool{}, map[string]bool{}
	for i := range d.Y {
		clients[d.Group[i]], practs[d.Outer[i]] = true, true
	}
	if len(d.Y) != 1_000_000 || len(clients) != 100_000 || len(practs) != 500 {
		t.Fatalf("rows %d clients %d practitioners %d", len(d.Y), len(clients), len(practs))
	}
}
