package disclosure_test

import (
	"context"
	"fmt"
	"os"
	"strings"

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

// Audit re-reads a published table, as publish verify does, and finds that the suppressed
// cell can be worked out from its row and its column: 50 − 30 = 20.
func ExampleAudit() {
	published := `r,c,count
Total,Total,100
Total,c1,40
Total,c2,60
r1,Total,50
r1,c1,*
r1,c2,30
r2,Total,50
r2,c1,20
r2,c2,30
`
	t, err := disclosure.ReadCSV(strings.NewReader(published), "unsafe")
	if err != nil {
		panic(err)
	}
	rep, err := disclosure.Audit(context.Background(), disclosure.Config{}, t)
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Err())
	// Output:
	// disclosure: audit failed: unsafe: r=r1, c=c1: [20, 20] width 0 < 5
}
