package stats_test

import (
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

func ExampleDescribe() {
	pain := []float64{6, 4, 7, 5, 5, 8, 3, 6} // NaN would mark a missing value
	d, err := stats.Describe(pain)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("n=%d mean=%.3f sd=%.3f 95%% CI [%.3f, %.3f]\n", d.N, d.Mean, d.SD, d.CILower, d.CIUpper)
	fmt.Printf("median=%.2f IQR=%.2f\n", d.Median, d.IQR)
	// Output:
	// n=8 mean=5.500 sd=1.604 95% CI [4.159, 6.841]
	// median=5.50 IQR=1.50
}

func ExamplePairedTTest() {
	after := []float64{3, 4, 2, 5, 3, 4}
	before := []float64{5, 6, 5, 6, 4, 7}
	r, err := stats.PairedTTest(after, before, stats.TTestOptions{Alternative: stats.Less})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("t=%.3f df=%g p=%.4f estimate=%.3f CI (%g, %.3f]\n", r.Statistic, r.DF, r.PValue, r.Estimate, r.ConfLow, r.ConfHigh)

	_, err = stats.PairedTTest([]float64{7, 3}, []float64{9, 5}, stats.TTestOptions{})
	fmt.Println(err)
	// Output:
	// t=-5.477 df=5 p=0.0014 estimate=-2.000 CI (-Inf, -1.264]
	// paired t-test: all differences equal: stats: data are essentially constant
}

func ExampleAdjustHolm() {
	p := []float64{0.01, 0.04, 0.03, 0.5}
	fmt.Printf("%.2f\n", stats.AdjustHolm(p))
	fmt.Printf("%.3f\n", stats.AdjustBH(p))
	// Output:
	// [0.04 0.09 0.09 0.50]
	// [0.040 0.053 0.053 0.500]
}
