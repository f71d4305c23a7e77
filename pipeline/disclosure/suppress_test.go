package disclosure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"testing"

	"github.com/cstoutcomes/outcomes/schemas"
)

func flat1D(tb testing.TB, counts ...int64) *Table {
	tb.Helper()
	var names []string
	for i := range counts {
		names = append(names, fmt.Sprintf("m%d", i+1))
	}
	t, err := NewTable("oned", Flat("m", names...))
	if err != nil {
		tb.Fatal(err)
	}
	for i, x := range counts {
		mustSet(tb, t, x, names[i])
	}
	return t
}

// grouped returns complaint (groups g1 = {a, b}, g2 = {c, d}, e ungrouped) × modality.
func grouped(tb testing.TB, counts [][]int64) *Table {
	tb.Helper()
	complaint := Dim{Name: "complaint", Total: true, Levels: []Level{
		{Name: "g1", Children: []Level{{Name: "a"}, {Name: "b"}}},
		{Name: "g2", Children: []Level{{Name: "c"}, {Name: "d"}}},
		{Name: "e"},
	}}
	t, err := NewTable("grouped", complaint, Flat("modality", "CST", "SER", "CST+SER"))
	if err != nil {
		tb.Fatal(err)
	}
	for i, l := range []string{"a", "b", "c", "d", "e"} {
		for j, m := range []string{"CST", "SER", "CST+SER"} {
			mustSet(tb, t, counts[i][j], l, m)
		}
	}
	return t
}

// complaintDim returns presenting_complaint grouped by its public_group, from the
// measures.json embedded in the binary (groups named "<group>_group", so that the headache
// group does not clash with the headache code).
func complaintDim(tb testing.TB) (Dim, []string) {
	tb.Helper()
	raw, err := fs.ReadFile(schemas.FS, "measures.json")
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	var f struct {
		AllowedValues []string `json:"allowed_values"`
		Codes         map[string]struct {
			PublicGroup string `json:"public_group"`
		} `json:"codes"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(m.Fields["presenting_complaint"], &f); err != nil {
		tb.Fatal(err)
	}
	d := Grouped("complaint", f.AllowedValues, func(c string) string { return f.Codes[c].PublicGroup + "_group" })
	if len(f.AllowedValues) != 16 || len(d.Levels) != 6 {
		tb.Fatalf("measures.json: %d complaints in %d groups, want 16 in 6", len(f.AllowedValues), len(d.Levels))
	}
	return d, f.AllowedValues
}

// complaintByModality is the 16 × 3 table with groups and margins, leaves from counts.
func complaintByModality(tb testing.TB, counts func(i, j int) int64) *Table {
	tb.Helper()
	d, codes := complaintDim(tb)
	t, err := NewTable("complaint_by_modality", d, Flat("modality", "CST", "SER", "CST+SER"))
	if err != nil {
		tb.Fatal(err)
	}
	for i, c := range codes {
		for j, m := range []string{"CST", "SER", "CST+SER"} {
			mustSet(tb, t, counts(i, j), c, m)
		}
	}
	return t
}

func TestSuppressAdversarial(t *testing.T) {
	type want struct {
		exact    []string // the suppressed cells, exactly (nil: not checked)
		include  []string // cells that must be suppressed
		exclude  []string // cells that must be published
		min, max int      // bounds on the number of suppressed cells (max 0: no bound)
	}
	tests := []struct {
		name   string
		tables func(testing.TB) []*Table
		cfg    Config
		want   want
	}{
		{
			name: "single small cell in a row needs complements in its row and column",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{3, 20, 30}, {15, 25, 40}, {22, 18, 35}})}
			},
			want: want{include: []string{"r=r1, c=c1"}, exclude: []string{"r=Total, c=Total", "r=r1, c=Total", "r=Total, c=c1"}, min: 4, max: 4},
		},
		{
			name: "row whose only other cell is its total",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{3}, {20}, {30}})}
			},
			want: want{include: []string{"r=r1, c=c1", "r=r1, c=Total"}, exclude: []string{"r=Total, c=Total"}, min: 4, max: 4},
		},
		{
			name:   "1-D with one level: the level is its total",
			tables: func(tb testing.TB) []*Table { return []*Table{flat1D(tb, 3)} },
			want:   want{exact: []string{"m=Total", "m=m1"}},
		},
		{
			name: "two small cells in one row and one column",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{3, 4, 30}, {5, 20, 25}, {40, 30, 20}})}
			},
			want: want{include: []string{"r=r1, c=c1", "r=r1, c=c2", "r=r2, c=c1"}, min: 4},
		},
		{
			name: "small cells side by side protect each other when wide enough",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{8, 9, 30}, {9, 8, 25}, {40, 30, 20}})}
			},
			want: want{exact: []string{"r=r1, c=c1", "r=r1, c=c2", "r=r2, c=c1", "r=r2, c=c2"}},
		},
		{
			name: "hierarchy: a small complaint inside its group",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grouped(tb, [][]int64{{4, 30, 20}, {25, 30, 40}, {15, 12, 40}, {30, 35, 50}, {20, 25, 30}})}
			},
			want: want{include: []string{"complaint=a, modality=CST"}, exclude: []string{"complaint=Total, modality=Total"}, min: 4},
		},
		{
			name: "hierarchy: a small group total",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grouped(tb, [][]int64{{2, 0, 3}, {1, 0, 0}, {15, 12, 40}, {30, 35, 50}, {20, 25, 30}})}
			},
			want: want{include: []string{"complaint=g1, modality=Total", "complaint=g1, modality=CST", "complaint=a, modality=CST"}},
		},
		{
			name: "hierarchy: a group with one member equals it",
			tables: func(tb testing.TB) []*Table {
				d := Dim{Name: "complaint", Total: true, Levels: []Level{
					{Name: "g1", Children: []Level{{Name: "a"}}},
					{Name: "g2", Children: []Level{{Name: "b"}, {Name: "c"}}},
				}}
				tab, err := NewTable("single_member", d, Flat("modality", "CST", "SER"))
				if err != nil {
					tb.Fatal(err)
				}
				for _, c := range [][3]any{{"a", "CST", 3}, {"a", "SER", 40}, {"b", "CST", 25}, {"b", "SER", 30}, {"c", "CST", 20}, {"c", "SER", 15}} {
					mustSet(tb, tab, int64(c[2].(int)), c[0].(string), c[1].(string))
				}
				return []*Table{tab}
			},
			want: want{include: []string{"complaint=a, modality=CST", "complaint=g1, modality=CST"}},
		},
		{
			name: "hierarchy: measures.json complaints by modality",
			tables: func(tb testing.TB) []*Table {
				vals := []int64{0, 3, 12, 25, 7, 40, 1, 18, 9, 30, 2, 0, 15, 60, 5, 11}
				return []*Table{complaintByModality(tb, func(i, j int) int64 { return vals[(i*3+j*7)%len(vals)] })}
			},
			want: want{exclude: []string{"complaint=Total, modality=Total"}, min: 10},
		},
		{
			name: "all-zero row is published",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{0, 0, 0}, {3, 20, 30}, {15, 25, 40}, {22, 18, 35}})}
			},
			want: want{include: []string{"r=r2, c=c1"}, exclude: []string{"r=r1, c=c1", "r=r1, c=c2", "r=r1, c=c3", "r=r1, c=Total"}},
		},
		{
			name: "all-zero table needs nothing",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{0, 0}, {0, 0}})}
			},
			want: want{exact: []string{}},
		},
		{
			name: "zeros around a small cell cannot be its complements",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{0, 3, 0}, {20, 25, 30}, {15, 12, 40}})}
			},
			want: want{include: []string{"r=r1, c=c2", "r=r1, c=Total"}},
		},
		{
			name: "grand total below the threshold: every nonzero cell goes",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{2, 3}, {1, 2}})}
			},
			want: want{exact: []string{"r=Total, c=Total", "r=Total, c=c1", "r=Total, c=c2", "r=r1, c=Total", "r=r1, c=c1",
				"r=r1, c=c2", "r=r2, c=Total", "r=r2, c=c1", "r=r2, c=c2"}},
		},
		{
			name: "row total below the threshold",
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{2, 3, 0}, {20, 30, 40}, {25, 15, 35}})}
			},
			want: want{include: []string{"r=r1, c=c1", "r=r1, c=c2", "r=r1, c=Total"}, exclude: []string{"r=r1, c=c3"}},
		},
		{
			name:   "1-D with a total: the smallest other cell is the complement",
			tables: func(tb testing.TB) []*Table { return []*Table{flat1D(tb, 3, 40, 50)} },
			want:   want{exact: []string{"m=m1", "m=m2"}},
		},
		{
			name:   "1-D with a small total",
			tables: func(tb testing.TB) []*Table { return []*Table{flat1D(tb, 2, 0, 3)} },
			want:   want{exact: []string{"m=Total", "m=m1", "m=m3"}},
		},
		{
			name:   "1-D complement too small to protect alone",
			tables: func(tb testing.TB) []*Table { return []*Table{flat1D(tb, 3, 1, 50, 60)} },
			want:   want{include: []string{"m=m1", "m=m2", "m=m3"}, exclude: []string{"m=m4", "m=Total"}},
		},
		{
			name: "zero protected when asked",
			cfg:  Config{SuppressZeros: true},
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{0, 20, 30}, {15, 25, 40}, {22, 18, 35}})}
			},
			want: want{include: []string{"r=r1, c=c1"}, min: 4},
		},
		{
			name: "lowest threshold 3",
			cfg:  Config{MinCell: 3},
			tables: func(tb testing.TB) []*Table {
				return []*Table{grid(tb, "g", [][]int64{{1, 3, 4}, {2, 5, 6}, {7, 3, 2}})}
			},
			want: want{include: []string{"r=r1, c=c1", "r=r2, c=c1", "r=r3, c=c3"}, exclude: []string{"r=Total, c=Total"}},
		},
		{
			name: "a dimension without a total",
			tables: func(tb testing.TB) []*Table {
				tab, err := NewTable("no_total", Flat("r", "r1", "r2", "r3"), Dim{Name: "year", Levels: []Level{{Name: "2024"}, {Name: "2025"}}})
				if err != nil {
					tb.Fatal(err)
				}
				for i, row := range [][]int64{{3, 20}, {25, 30}, {15, 4}} {
					for j, y := range []string{"2024", "2025"} {
						mustSet(tb, tab, row[j], []string{"r1", "r2", "r3"}[i], y)
					}
				}
				return []*Table{tab}
			},
			want: want{include: []string{"r=r1, year=2024", "r=r3, year=2025"}, exclude: []string{"r=Total, year=2024"}, min: 4},
		},
		{
			name: "two tables share the modality margin and are suppressed together",
			tables: func(tb testing.TB) []*Table {
				a := grouped(tb, [][]int64{{4, 30, 20}, {25, 30, 40}, {15, 12, 40}, {30, 35, 50}, {20, 25, 30}})
				b, err := NewTable("age_by_modality", Flat("age_band", "0-17", "18-44", "45-74", "75+"), Flat("modality", "CST", "SER", "CST+SER"))
				if err != nil {
					tb.Fatal(err)
				}
				// The modality totals 94, 132 and 180 are those of the first table.
				for i, row := range [][]int64{{2, 30, 40}, {40, 50, 60}, {45, 40, 70}, {7, 12, 10}} {
					for j, m := range []string{"CST", "SER", "CST+SER"} {
						mustSet(tb, b, row[j], []string{"0-17", "18-44", "45-74", "75+"}[i], m)
					}
				}
				return []*Table{a, b}
			},
			want: want{include: []string{"complaint=a, modality=CST"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tables := tc.tables(t)
			res, err := Suppress(t.Context(), tc.cfg, tables...)
			if err != nil {
				t.Fatal(err)
			}
			checkSafe(t, tc.cfg, res, tables...)
			got := suppressedCells(res.Tables[0])
			if tc.want.exact != nil && !slices.Equal(sorted(got), sorted(tc.want.exact)) {
				t.Errorf("suppressed %q, want %q", got, tc.want.exact)
			}
			for _, c := range tc.want.include {
				if !slices.Contains(got, c) {
					t.Errorf("%s published; suppressed: %q", c, got)
				}
			}
			for _, c := range tc.want.exclude {
				if slices.Contains(got, c) {
					t.Errorf("%s suppressed; suppressed: %q", c, got)
				}
			}
			if len(got) < tc.want.min || tc.want.max > 0 && len(got) > tc.want.max {
				t.Errorf("%d cells suppressed, want %d..%d: %q", len(got), tc.want.min, tc.want.max, got)
			}
			for _, iv := range res.Report.Intervals {
				t.Log(iv)
			}
		})
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func TestSuppressLinkedTablesShareDecisions(t *testing.T) {
	a := grid(t, "a", [][]int64{{3, 20}, {30, 40}})
	// b has the same column margin as a (c1 = 33, c2 = 60) but other rows.
	b, err := NewTable("b", Dim{Name: "s", Total: true, Levels: []Level{{Name: "s1"}, {Name: "s2"}}}, Flat("c", "c1", "c2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][3]any{{"s1", "c1", 13}, {"s1", "c2", 30}, {"s2", "c1", 20}, {"s2", "c2", 30}} {
		mustSet(t, b, int64(c[2].(int)), c[0].(string), c[1].(string))
	}
	res, err := Suppress(t.Context(), Config{}, a, b)
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, Config{}, res, a, b)
	for _, c := range []string{"c1", "c2", TotalLevel} {
		if res.Tables[0].Suppressed(TotalLevel, c) != res.Tables[1].Suppressed(TotalLevel, c) {
			t.Errorf("shared cell Total × %s suppressed in one table only", c)
		}
	}
}

func TestSuppressStatistics(t *testing.T) {
	tab := flat1D(t, 3, 40, 50, 60)
	for _, s := range []struct {
		level string
		n     int
		v     float64
	}{{"m1", 3, 1.5}, {"m2", 40, 2.5}, {"m3", 9, 3.5}, {"m4", 60, 4.5}, {TotalLevel, 153, 3}} {
		if err := tab.SetStat("mean_change", s.v, s.n, s.level); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Suppress(t.Context(), Config{}, tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, Config{}, res, tab)
	pub := res.Tables[0]
	for _, c := range []struct {
		level string
		ok    bool
	}{
		{"m1", false},      // count suppressed (primary)
		{"m2", false},      // count suppressed (the complement)
		{"m3", false},      // n = 9 < 10, although the count 50 is published
		{"m4", true},       //
		{TotalLevel, true}, //
	} {
		if _, ok := pub.Stat("mean_change", c.level); ok != c.ok {
			t.Errorf("mean_change at %s published = %v, want %v", c.level, ok, c.ok)
		}
	}
}

func TestSuppressErrors(t *testing.T) {
	inconsistent := func(tb testing.TB) []*Table {
		tab := grid(tb, "g", [][]int64{{30, 20}, {15, 25}})
		mustSet(tb, tab, 51, "r1", TotalLevel)
		return []*Table{tab}
	}
	disagree := func(tb testing.TB) []*Table {
		return []*Table{grid(tb, "a", [][]int64{{30, 20}, {15, 25}}), grid(tb, "b", [][]int64{{30, 20}, {15, 26}})}
	}
	keyed := func(tb testing.TB) []*Table {
		tab, err := NewTable("t", Flat("practitioner_key", "p1", "p2"))
		if err != nil {
			tb.Fatal(err)
		}
		return []*Table{tab}
	}
	ok := func(tb testing.TB) []*Table { return []*Table{flat1D(tb, 30, 40)} }
	tests := []struct {
		name   string
		cfg    Config
		tables func(testing.TB) []*Table
		want   error
	}{
		{"threshold below 3", Config{MinCell: 2}, ok, ErrConfig},
		{"negative protection", Config{Protection: -1}, ok, ErrConfig},
		{"unknown date granularity", Config{DateGranularity: "week"}, ok, ErrConfig},
		{"margin that is not the sum of its parts", Config{}, inconsistent, ErrInconsistent},
		{"tables that disagree on a shared cell", Config{}, disagree, ErrInconsistent},
		{"key column", Config{}, keyed, ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Suppress(t.Context(), tc.cfg, tc.tables(t)...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func TestTableErrors(t *testing.T) {
	tests := []struct {
		name string
		dims []Dim
	}{
		{"no dimensions", nil},
		{"repeated dimension", []Dim{Flat("a", "x"), Flat("a", "y")}},
		{"repeated level", []Dim{Flat("a", "x", "x")}},
		{"level named Total", []Dim{Flat("a", "Total")}},
		{"level with a slash", []Dim{Flat("a", "x/y")}},
		{"no levels", []Dim{{Name: "a", Total: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewTable("t", tc.dims...); !errors.Is(err, ErrTable) {
				t.Fatalf("err = %v, want ErrTable", err)
			}
		})
	}
	tab := flat1D(t, 1)
	for name, err := range map[string]error{
		"negative count": tab.Set(-1, "m1"),
		"unknown level":  tab.Set(1, "m9"),
		"wrong arity":    tab.Set(1, "m1", "m1"),
		"infinite stat":  tab.SetStat("mean", 1/zero(), 20, "m1"),
	} {
		if !errors.Is(err, ErrTable) {
			t.Errorf("%s: err = %v, want ErrTable", name, err)
		}
	}
}

func zero() float64 { return 0 }

func TestSuppressLeavesInputAndIsDeterministic(t *testing.T) {
	vals := []int64{0, 3, 12, 25, 7, 40, 1, 18, 9, 30, 2, 0, 15, 60, 5, 11}
	build := func() *Table {
		return complaintByModality(t, func(i, j int) int64 { return vals[(i*5+j*3)%len(vals)] })
	}
	in := build()
	var outs []string
	for range 2 {
		res, err := Suppress(t.Context(), Config{}, in)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, res.Tables[0]); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b.String())
	}
	if outs[0] != outs[1] {
		t.Fatal("two runs on the same table differ")
	}
	fresh := build()
	for i := range in.count {
		if in.count[i] != fresh.count[i] || in.set[i] != fresh.set[i] || in.sup[i] {
			t.Fatalf("Suppress changed its input at %s", in.label(i))
		}
	}
}

func TestSuppressCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Suppress(ctx, Config{}, grid(t, "g", [][]int64{{3, 20}, {30, 40}}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestMarkSensitive suppresses a count above the threshold that comes from too few people
// (twelve sessions of one client), with a complement so that the total does not give it away.
func TestMarkSensitive(t *testing.T) {
	tab := flat1D(t, 40, 12, 30, 25)
	if err := tab.MarkSensitive("m2"); err != nil {
		t.Fatal(err)
	}
	if err := tab.MarkSensitive("nope"); err == nil {
		t.Error("MarkSensitive of an unknown level succeeded")
	}
	res, err := Suppress(t.Context(), Config{}, tab)
	if err != nil {
		t.Fatal(err)
	}
	pub := res.Tables[0]
	if !pub.Suppressed("m2") {
		t.Fatal("the marked cell m2 (12) is published")
	}
	if res.Primary != 1 || res.Secondary < 1 {
		t.Errorf("primary %d, secondary %d; want 1 and at least one complement", res.Primary, res.Secondary)
	}
	for _, iv := range res.Report.Intervals {
		if iv.Hi-iv.Lo < 5 {
			t.Errorf("suppressed cell interval %v is narrower than the protection", iv)
		}
	}
	// The input is not changed, and a table without the mark publishes the 12.
	plain, err := Suppress(t.Context(), Config{}, flat1D(t, 40, 12, 30, 25))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Tables[0].Suppressed("m2") {
		t.Error("an unmarked 12 was suppressed")
	}
}
