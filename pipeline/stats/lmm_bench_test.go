package stats

import "testing"

// BenchmarkFitLMM fits each random-effects structure to about 33,000 simulated rows
// (60 practitioners x 100 clients x 3 to 8 sessions, seed 4), with Satterthwaite df. The
// million-row end-to-end comparison with lme4 is in bench/lmm.
func BenchmarkFitLMM(b *testing.B) {
	nested := lmmSimulate(4, 60, 100, 0.8, 1.2, 1)
	intercept := lmmPermute(nested, lmmIota(len(nested.Y)))
	intercept.Outer = nil
	for i := range intercept.Group {
		intercept.Group[i] = nested.Outer[i] + "/" + nested.Group[i]
	}
	slope := lmmPermute(intercept, lmmIota(len(intercept.Y)))
	slope.Slope = slope.X[0]
	for _, bc := range []struct {
		name string
		d    LMMData
	}{{"intercept", intercept}, {"nested", nested}, {"slope", slope}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var evals int
			for b.Loop() {
				fit, err := FitLMM(b.Context(), bc.d, LMMOptions{})
				if err != nil {
					b.Fatal(err)
				}
				evals = fit.Evaluations
			}
			b.ReportMetric(float64(len(bc.d.Y))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(evals), "evals/op")
		})
	}
}
