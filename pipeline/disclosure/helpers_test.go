package disclosure

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// grid returns a 2-D table r × c with totals in both dimensions and the given leaf counts.
func grid(tb testing.TB, name string, counts [][]int64) *Table {
	tb.Helper()
	rows := Dim{Name: "r", Total: true}
	for i := range counts {
		rows.Levels = append(rows.Levels, Level{Name: fmt.Sprintf("r%d", i+1)})
	}
	cols := Dim{Name: "c", Total: true}
	for j := range counts[0] {
		cols.Levels = append(cols.Levels, Level{Name: fmt.Sprintf("c%d", j+1)})
	}
	t, err := NewTable(name, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	for i, row := range counts {
		for j, x := range row {
			mustSet(tb, t, x, fmt.Sprintf("r%d", i+1), fmt.Sprintf("c%d", j+1))
		}
	}
	return t
}

func mustSet(tb testing.TB, t *Table, x int64, levels ...string) {
	tb.Helper()
	if err := t.Set(x, levels...); err != nil {
		tb.Fatal(err)
	}
}

// truth returns the completed original of t (margins filled in).
func truth(tb testing.TB, t *Table) *Table {
	tb.Helper()
	c := t.clone()
	if err := c.complete(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// checkSafe checks the invariants of a suppression result against the original tables:
// published counts are the true ones and never 1..MinCell-1; the audit of the published
// tables passes; every sensitive cell's interval reaches P beyond its true value on both sides
// (or 0 below); published statistics come from MinCell or more clients on unsuppressed cells.
func checkSafe(tb testing.TB, cfg Config, res *Result, orig ...*Table) {
	tb.Helper()
	cfg, _ = cfg.resolve()
	rep, err := Audit(context.Background(), cfg, res.Tables...)
	if err != nil {
		tb.Fatalf("audit: %v", err)
	}
	if err := rep.Err(); err != nil {
		tb.Fatalf("audit of the published tables: %v", err)
	}
	s, err := newSystem(res.Tables)
	if err != nil {
		tb.Fatal(err)
	}
	ivs := map[int][2]float64{}
	for k, v := range s.unknowns() { // the report lists the unknowns in this order
		ivs[v] = [2]float64{rep.Intervals[k].Lo, rep.Intervals[k].Hi}
	}
	for ti, pub := range res.Tables {
		tr := truth(tb, orig[ti])
		for i := range pub.count {
			x := tr.count[i]
			if !pub.sup[i] {
				if pub.count[i] != x {
					tb.Fatalf("%s: %s published as %d, true %d", pub.name, pub.label(i), pub.count[i], x)
				}
				if x > 0 && x < int64(cfg.MinCell) || x == 0 && cfg.SuppressZeros {
					tb.Fatalf("%s: %s = %d published", pub.name, pub.label(i), x)
				}
				continue
			}
			iv := ivs[s.of[ti][i]]
			sensitive := x < int64(cfg.MinCell) && (x > 0 || cfg.SuppressZeros)
			p := float64(cfg.Protection)
			if sensitive && (iv[1] < float64(x)+p-widthTol || iv[0] > math.Max(0, float64(x)-p)+widthTol) {
				tb.Fatalf("%s: %s = %d: interval [%g, %g] does not protect it by %g", pub.name, pub.label(i), x, iv[0], iv[1], p)
			}
		}
		for k := range pub.stats {
			for i, st := range pub.stats[k] {
				if st.set && !st.suppressed && (st.n < cfg.MinCell || pub.sup[i]) {
					tb.Fatalf("%s: %s: statistic %s (n=%d) published", pub.name, pub.label(i), pub.statNames[k], st.n)
				}
			}
		}
	}
}

// suppressedCells lists the labels of a published table's suppressed cells.
func suppressedCells(t *Table) []string {
	var out []string
	for i, s := range t.sup {
		if s {
			out = append(out, t.label(i))
		}
	}
	return out
}
