package analysis_test

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/cstoutcomes/outcomes/pipeline/analysis"
)

func ExampleParsePlan() {
	_, err := analysis.ParsePlan("mine.yaml", []byte("outcomes:\n  pain: [course]\n  sleep_hours: [course]\n"))
	fmt.Println(err)
	// Output:
	// analysis plan mine.yaml: outcomes: unknown outcome "sleep_hours"; allowed: pain, sleep_quality, headache_days, hit6, mymop_profile
}

func ExampleFloat() {
	b, _ := json.Marshal([]analysis.Float{0.1, 1e-5, 191, 1e21, analysis.Float(math.NaN())})
	fmt.Println(string(b))
	// Output:
	// [0.1,1e-05,191,1e+21,null]
}
