package publish_test

import (
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/publish"
)

// A bundle is named after the directory of its summary, which summarize names after the date
// of the lake snapshot; a summary elsewhere gives today's date.
func ExampleDefaultOut() {
	fmt.Println(publish.DefaultOut("ws/publish", "ws/reports/2026-11-24/summary.json", "2026-11-25"))
	fmt.Println(publish.DefaultOut("ws/publish", "/tmp/mine/summary.json", "2026-11-25"))
	// Output:
	// ws/publish/2026-11-24
	// ws/publish/2026-11-25
}
