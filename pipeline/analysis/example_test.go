package analysis_test

import (
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/analysis"
)

func ExampleParsePlan() {
	_, err := analysis.ParsePlan("mine.yaml", []byte("outcomes:\n  pain: [course]\n  sleep_hours: [course]\n"))
	fmt.Println(err)
	// Output:
	// analysis plan mine.yaml: outcomes: unknown outcome "sleep_hours"; allowed: pain, sleep_quality, headache_days, hit6, mymop_profile
}
