package disclosure

import "testing"

func TestSmoke(t *testing.T) {
	tab := grid(t, "g", [][]int64{{3, 20, 30}, {15, 25, 40}, {22, 18, 35}})
	res, err := Suppress(Config{}, tab)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(suppressedCells(res.Tables[0]))
	for _, iv := range res.Report.Intervals {
		t.Log(iv)
	}
	checkSafe(t, Config{}, res, tab)
}
