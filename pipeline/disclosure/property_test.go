package disclosure

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
)

var (
	seedFlag = flag.Uint64("seed", 1, "seed of the random tables in the property tests")
	nFlag    = flag.Int("tables", 500, "random tables per kind in the property tests (50 with -short)")
)

// smallCount draws a count as summaries of small practices look: many zeros and small
// counts, some large ones.
func smallCount(rng *rand.Rand) int64 {
	switch u := rng.Float64(); {
	case u < 0.2:
		return 0
	case u < 0.6:
		return int64(1 + rng.IntN(9))
	default:
		return int64(10 + rng.IntN(60))
	}
}

// randomDim returns a dimension of 1..maxLeaves leaves, grouped into a random hierarchy
// when grouped, always with a total.
func randomDim(rng *rand.Rand, name string, maxLeaves int, grouped bool) Dim {
	n := 1 + rng.IntN(maxLeaves)
	d := Dim{Name: name, Total: true}
	leaf := func(i int) Level { return Level{Name: fmt.Sprintf("%s%d", name, i)} }
	if !grouped {
		for i := range n {
			d.Levels = append(d.Levels, leaf(i))
		}
		return d
	}
	for i := 0; i < n; {
		size := 1 + rng.IntN(3)
		g := Level{Name: fmt.Sprintf("%sg%d", name, len(d.Levels))}
		for k := 0; k < size && i < n; k++ {
			g.Children = append(g.Children, leaf(i))
			i++
		}
		if len(g.Children) == 1 && rng.IntN(2) == 0 {
			d.Levels = append(d.Levels, g.Children[0]) // an ungrouped leaf beside groups
			continue
		}
		d.Levels = append(d.Levels, g)
	}
	return d
}

// randomTable fills a table over dims with smallCount leaves.
func randomTable(tb testing.TB, rng *rand.Rand, dims ...Dim) *Table {
	tb.Helper()
	t, err := NewTable("random", dims...)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range t.count {
		if t.isLeaf(i) {
			t.count[i], t.set[i] = smallCount(rng), true
		}
	}
	return t
}

func TestPropertyRandomTables(t *testing.T) {
	seed, count := *seedFlag, *nFlag
	if testing.Short() {
		count = min(count, 50)
	}
	t.Logf("seed %d (rerun with -seed %d), %d tables per kind", seed, seed, count)
	kinds := []struct {
		name string
		dims func(*rand.Rand) []Dim
		cfg  Config
	}{
		{"1-D", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 8, false)} }, Config{}},
		{"2-D", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 6, false), randomDim(r, "b", 5, false)} }, Config{}},
		{"hierarchical 2-D", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 8, true), randomDim(r, "b", 4, false)} }, Config{}},
		{"hierarchical both", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 6, true), randomDim(r, "b", 5, true)} }, Config{}},
		{"3-D", func(r *rand.Rand) []Dim {
			return []Dim{randomDim(r, "a", 3, false), randomDim(r, "b", 3, false), randomDim(r, "c", 2, false)}
		}, Config{}},
		{"2-D min_cell 5 protection 2", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 6, false), randomDim(r, "b", 5, false)} }, Config{MinCell: 5, Protection: 2}},
		{"2-D zeros protected", func(r *rand.Rand) []Dim { return []Dim{randomDim(r, "a", 5, false), randomDim(r, "b", 4, false)} }, Config{SuppressZeros: true}},
	}
	for k, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, uint64(k)))
			for n := range count {
				tab := randomTable(t, rng, kind.dims(rng)...)
				res, err := Suppress(t.Context(), kind.cfg, tab)
				if err != nil {
					t.Fatalf("table %d: %v", n, err)
				}
				checkSafe(t, kind.cfg, res, tab)
			}
		})
	}
}
