package report_test

import (
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// The headline of a measure is one sentence with its 95% CI, read from the course block of
// summary.json; an interval on one side of zero is said as a fall or a rise.
func ExampleHeadline() {
	rule, evaluable, responders := "pain_pct30", 412, 198
	o := &summary.Outcome{Course: &summary.PairedAnalysis{Overall: &summary.PairedBlock{
		N: 412, MeanChange: -1.83, CILow: -2.11, CIHigh: -1.52,
		ResponderRule: &rule, Evaluable: &evaluable, Responders: &responders,
		ResponderShare: 198.0 / 412, ResponderCILow: 0.433, ResponderCIHigh: 0.529,
	}}}
	fmt.Println(report.Headline("pain", o))
	// Output:
	// Pain before sessions fell by 1.8 points (95% CI 1.5 to 2.1) from first to last session in 412 clients; 48% improved by at least 30% (95% CI 43% to 53%).
}
