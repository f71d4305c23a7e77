package disclosure_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
)

// A table of clients by modality with a mean change per modality: 3 clients had CST+SER, so
// their count and mean are suppressed, and so is the next smallest count (SER), without which
// the CST+SER count would be the total minus the others.
func ExampleSuppress() {
	t, err := disclosure.NewTable("course_by_modality", disclosure.Flat("modality", "CST", "SER", "CST+SER"))
	if err != nil {
		panic(err)
	}
	for _, c := range []struct {
		modality string
		clients  int
		mean     float64
	}{{"CST", 52, -2.1}, {"SER", 14, -1.4}, {"CST+SER", 3, -3.5}} {
		t.Set(int64(c.clients), c.modality)
		t.SetStat("mean_change", c.mean, c.clients, c.modality)
	}
	t.SetStat("mean_change", -2.0, 69, disclosure.TotalLevel)

	res, err := disclosure.Suppress(context.Background(), disclosure.Config{}, t)
	if err != nil {
		panic(err)
	}
	disclosure.WriteCSV(os.Stdout, res.Tables[0])
	for _, iv := range res.Report.Intervals {
		fmt.Println(iv)
	}
	// Output:
	// modality,count,mean_change
	// Total,69,-2
	// CST,52,-2.1
	// SER,*,*
	// CST+SER,*,*
	// course_by_modality: modality=SER: [0, 17]
	// course_by_modality: modality=CST+SER: [0, 17]
}
