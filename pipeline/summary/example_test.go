package summary_test

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

func ExampleFloat() {
	b, _ := json.Marshal([]summary.Float{0.1, 1e-5, 191, 1e21, summary.Float(math.NaN())})
	fmt.Println(string(b))
	// Output:
	// [0.1,1e-05,191,1e+21,null]
}
