package measures_test

import (
	"fmt"
	"math/big"

	"github.com/cstoutcomes/outcomes/pipeline/measures"
)

func ExampleResponder_Evaluate() {
	ref, err := measures.Load()
	if err != nil {
		panic(err)
	}
	rule := ref.DefaultResponder("pain_before")
	fmt.Println(rule.ID, "=", rule.Rule)
	for _, p := range [][2]int64{{10, 7}, {10, 8}, {0, 0}} {
		o, _ := rule.Evaluate(big.NewRat(p[0], 1), big.NewRat(p[1], 1))
		fmt.Println(p[0], "->", p[1], []string{"not evaluable", "not met", "met"}[o])
	}
	// Output:
	// pain_pct30 = (pain_before - pain_after) / pain_before >= 0.30
	// 10 -> 7 met
	// 10 -> 8 not met
	// 0 -> 0 not evaluable
}
