package stats

import (
	"math/rand/v2"
	"testing"
)

func benchPairs(n int) (x, y []float64) {
	return pairSample(rand.New(rand.NewPCG(1, 1)), n)
}

// The normal-approximation Wilcoxon interval re-ranks the data at every root-finder step.
func BenchmarkWilcoxonNormal575(b *testing.B) {
	x, y := benchPairs(575)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WilcoxonSignedRank(x, y, WilcoxonOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Cohen's d_z inverts the noncentral t twice (AS 243 series per evaluation).
func BenchmarkCohensDz575(b *testing.B) {
	x, y := benchPairs(575)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CohensDz(x, y, EffectSizeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMetaREML(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	yi, vi := make([]float64, 30), make([]float64, 30)
	for i := range yi {
		vi[i] = 0.05 + r.Float64()*0.5
		yi[i] = -1 + 0.5*r.NormFloat64() + r.NormFloat64()*vi[i]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MetaAnalysis(yi, vi, MetaOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
