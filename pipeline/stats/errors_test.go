package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Degenerate input: each case names the sentinel the error must wrap.
func TestDegenerateInput(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"describe empty", func() error { _, err := Describe(nil); return err }, ErrTooFew},
		{"describe all NaN", func() error { _, err := Describe([]float64{nan, nan}); return err }, ErrTooFew},
		{"describe Inf", func() error { _, err := Describe([]float64{1, inf}); return err }, ErrNonFinite},
		{"quantile p > 1", func() error { _, err := Quantile([]float64{1, 2}, 1.5); return err }, ErrDomain},
		{"paired t one pair", func() error { _, err := PairedTTest([]float64{1, nan}, []float64{2, 3}, TTestOptions{}); return err }, ErrTooFew},
		{"paired t constant", func() error {
			_, err := PairedTTest([]float64{7, 3, 2}, []float64{9, 5, 4}, TTestOptions{})
			return err
		}, ErrConstant},
		{"paired t lengths", func() error { _, err := PairedTTest([]float64{1, 2}, []float64{1}, TTestOptions{}); return err }, ErrLength},
		{"paired t conf level", func() error {
			_, err := PairedTTest([]float64{1, 2, 4}, []float64{0, 0, 0}, TTestOptions{ConfLevel: 1})
			return err
		}, ErrDomain},
		{"paired t alternative", func() error {
			_, err := PairedTTest([]float64{1, 2, 4}, []float64{0, 0, 0}, TTestOptions{Alternative: 7})
			return err
		}, ErrDomain},
		{"welch x too few", func() error { _, err := WelchTTest([]float64{1}, []float64{1, 2}, TTestOptions{}); return err }, ErrTooFew},
		{"welch y too few", func() error { _, err := WelchTTest([]float64{1, 2}, []float64{nan, 2}, TTestOptions{}); return err }, ErrTooFew},
		{"welch constant", func() error { _, err := WelchTTest([]float64{3, 3}, []float64{3, 3}, TTestOptions{}); return err }, ErrConstant},
		{"wilcoxon no pairs", func() error {
			_, err := WilcoxonSignedRank([]float64{nan}, []float64{1}, WilcoxonOptions{})
			return err
		}, ErrTooFew},
		{"d_z constant", func() error {
			_, err := CohensDz([]float64{7, 3, 2}, []float64{9, 5, 4}, EffectSizeOptions{})
			return err
		}, ErrZeroVariance},
		{"d_z one pair", func() error { _, err := CohensDz([]float64{7}, []float64{9}, EffectSizeOptions{}); return err }, ErrTooFew},
		{"g zero pooled sd", func() error { _, err := HedgesG([]float64{1, 1}, []float64{2, 2}, EffectSizeOptions{}); return err }, ErrZeroVariance},
		{"g group of one", func() error { _, err := HedgesG([]float64{1, 2}, []float64{2}, EffectSizeOptions{}); return err }, ErrTooFew},
		{"wilson x > n", func() error { _, err := Wilson(5, 4, ProportionOptions{}); return err }, ErrDomain},
		{"wilson n = 0", func() error { _, err := Wilson(0, 0, ProportionOptions{}); return err }, ErrDomain},
		{"clopper-pearson x < 0", func() error { _, err := ClopperPearson(-1, 4, ProportionOptions{}); return err }, ErrDomain},
		{"clopper-pearson p0", func() error { _, err := ClopperPearson(1, 4, ProportionOptions{P0: 1.5}); return err }, ErrDomain},
		{"sign test all ties", func() error {
			_, err := SignTest([]float64{1, 2}, []float64{1, 2}, LowerIsBetter, ProportionOptions{})
			return err
		}, ErrTooFew},
		{"mcnemar negative", func() error { _, err := McNemar([2][2]int{{1, -1}, {2, 3}}, true); return err }, ErrDomain},
		{"poisson T = 0", func() error { _, err := PoissonRate(1, 0, PoissonOptions{}); return err }, ErrDomain},
		{"poisson x < 0", func() error { _, err := PoissonRate(-1, 1, PoissonOptions{}); return err }, ErrDomain},
		{"meta no study", func() error { _, err := MetaAnalysis(nil, nil, MetaOptions{}); return err }, ErrTooFew},
		{"meta vi = 0", func() error { _, err := MetaAnalysis([]float64{1, 2}, []float64{0.1, 0}, MetaOptions{}); return err }, ErrDomain},
		{"meta lengths", func() error { _, err := MetaAnalysis([]float64{1, 2}, []float64{0.1}, MetaOptions{}); return err }, ErrLength},
		{"meta no convergence", func() error {
			_, err := MetaAnalysis([]float64{1, 2, 4}, []float64{0.1, 0.2, 0.1}, MetaOptions{MaxIter: 1, Threshold: 1e-300})
			return err
		}, ErrNoConvergence},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, tc.want)
			}
			if msg := err.Error(); !strings.Contains(msg, "stats: ") {
				t.Fatalf("bad message %q", msg)
			}
		})
	}
}

// Documented NaN results (R returns NaN, not an error).
func TestDocumentedNaN(t *testing.T) {
	t.Parallel()
	d, err := Describe([]float64{9})
	if err != nil || !math.IsNaN(d.SD) || !math.IsNaN(d.CILower) || d.Median != 9 || d.IQR != 0 {
		t.Errorf("Describe(9) = %+v, %v", d, err)
	}
	p, err := PairedTTest([]float64{1, 2, 3}, []float64{1, 2, 3}, TTestOptions{})
	if err != nil || !math.IsNaN(p.Statistic) || !math.IsNaN(p.PValue) || p.Estimate != 0 {
		t.Errorf("paired t of zero differences = %+v, %v", p, err)
	}
	m, err := McNemar([2][2]int{{3, 0}, {0, 4}}, true)
	if err != nil || !math.IsNaN(m.Statistic) || !math.IsNaN(m.PValue) {
		t.Errorf("mcnemar b = c = 0: %+v, %v", m, err)
	}
	w, err := WilcoxonSignedRank([]float64{1, 2}, []float64{1, 2}, WilcoxonOptions{})
	if err != nil || w.N != 0 || !math.IsNaN(w.PValue) || !math.IsNaN(w.ConfLow) || !math.IsNaN(w.Estimate) || w.ConfLevel != 0 {
		t.Errorf("wilcoxon of zero differences = %+v, %v", w, err)
	}
	k1, err := MetaAnalysis([]float64{-1.5}, []float64{0.04}, MetaOptions{KnappHartung: true})
	if err != nil || k1.Tau2 != 0 || k1.QEp != 1 || !math.IsNaN(k1.I2) || k1.Mu != -1.5 || len(k1.Warnings) != 1 {
		t.Errorf("meta k = 1: %+v, %v", k1, err)
	}
}
