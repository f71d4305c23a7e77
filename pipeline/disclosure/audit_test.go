package disclosure

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// published reads a published table from CSV text.
func published(tb testing.TB, name, text string) *Table {
	tb.Helper()
	t, err := ReadCSV(strings.NewReader(text), name)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// publishedFile reads a published table from testdata/audit/file.
func publishedFile(tb testing.TB, name, file string) *Table {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "audit", file))
	if err != nil {
		tb.Fatal(err)
	}
	return published(tb, name, string(b))
}

func TestAudit(t *testing.T) {
	tests := []struct {
		name   string
		file   string // in testdata/audit
		cfg    Config
		ok     bool
		lo, hi []float64 // the intervals, in table order
	}{
		{name: "single suppressed cell in a row with a published total is exact", file: "row_total.csv",
			lo: []float64{20}, hi: []float64{20}},
		{name: "1-D: a suppressed cell beside a published total is exact", file: "one_dimension.csv",
			lo: []float64{5}, hi: []float64{5}},
		{name: "a cycle of four cells that is too narrow (width 4 < 5)", file: "narrow_cycle.csv",
			lo: []float64{0, 0, 0, 47}, hi: []float64{4, 4, 4, 51}},
		{name: "the same cycle passes a protection of 4", file: "narrow_cycle.csv", cfg: Config{Protection: 4},
			ok: true, lo: []float64{0, 0, 0, 47}, hi: []float64{4, 4, 4, 51}},
		{name: "a wide cycle passes", file: "wide_cycle.csv",
			ok: true, lo: []float64{0, 10, 0, 30}, hi: []float64{30, 40, 30, 60}},
		{name: "everything suppressed is unbounded", file: "all_suppressed.csv",
			ok: true, lo: []float64{0, 0, 0}, hi: []float64{math.Inf(1), math.Inf(1), math.Inf(1)}},
		{name: "hierarchy: a group total gives away its only suppressed member", file: "group_total.csv",
			lo: []float64{5}, hi: []float64{5}},
		{name: "nothing suppressed, nothing small", file: "nothing_small.csv", ok: true},
		{name: "a published small count fails", file: "small_published.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Audit(t.Context(), tc.cfg, publishedFile(t, "t", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, iv := range rep.Intervals {
				t.Log(iv)
			}
			if got := rep.Err() == nil; got != tc.ok {
				t.Fatalf("audit passed = %v, want %v (%v)", got, tc.ok, rep.Err())
			}
			if !tc.ok && !errors.Is(rep.Err(), ErrUnsafe) {
				t.Fatalf("err = %v, want ErrUnsafe", rep.Err())
			}
			if len(rep.Intervals) != len(tc.lo) {
				t.Fatalf("%d intervals, want %d", len(rep.Intervals), len(tc.lo))
			}
			for i, iv := range rep.Intervals {
				if math.Abs(iv.Lo-tc.lo[i]) > 1e-9 || iv.Hi != tc.hi[i] && math.Abs(iv.Hi-tc.hi[i]) > 1e-9 {
					t.Errorf("%s, want [%g, %g]", iv, tc.lo[i], tc.hi[i])
				}
			}
		})
	}
}

func TestAuditInconsistent(t *testing.T) {
	for name, text := range map[string]string{
		"published parts do not add up": "m,count\nTotal,45\na,5\nb,41\n",
		"no non-negative completion":    "m,count\nTotal,30\na,*\nb,40\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Audit(t.Context(), Config{}, published(t, "t", text))
			if !errors.Is(err, ErrInconsistent) {
				t.Fatalf("err = %v, want ErrInconsistent", err)
			}
		})
	}
}

// TestAuditJointDifferencing shows why tables that share a margin are audited together: the
// first table alone hides a.CST (3) in [0, 30], but the second publishes the CST total that
// the first suppressed, and a.CST = 43 − 40 follows.
func TestAuditJointDifferencing(t *testing.T) {
	first := publishedFile(t, "complaint_by_modality", "complaint_by_modality.csv")
	second := publishedFile(t, "age_by_modality", "age_by_modality.csv")
	alone, err := Audit(t.Context(), Config{}, first)
	if err != nil {
		t.Fatal(err)
	}
	if alone.Err() != nil {
		t.Fatalf("the first table alone should pass: %v", alone.Err())
	}
	joint, err := Audit(t.Context(), Config{}, first, second)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(joint.Err(), ErrUnsafe) {
		t.Fatalf("joint audit passed; intervals %v", joint.Intervals)
	}
	t.Log(joint.Err())
}

func TestAuditRefusesForbiddenContent(t *testing.T) {
	tab := published(t, "t", "practitioner_key,count\nTotal,45\np1,20\np2,25\n")
	if _, err := Audit(t.Context(), Config{}, tab); !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want ErrForbidden", err)
	}
}

func TestReportErr(t *testing.T) {
	r := &Report{MinCell: 10, Protection: 5, Small: []string{"t: m=a"}}
	for _, l := range []string{"a", "b", "c", "d", "e"} {
		r.Intervals = append(r.Intervals, Interval{Table: "t", Dims: []string{"m"}, Levels: []string{l}, Lo: 2, Hi: 4})
	}
	r.Intervals = append(r.Intervals, Interval{Table: "t", Dims: []string{"m"}, Levels: []string{"f"}, Hi: math.Inf(1), OK: true})
	want := "disclosure: audit failed: 1 published counts below 10 (first: t: m=a); t: m=a: [2, 4] width 2 < 5; " +
		"t: m=b: [2, 4] width 2 < 5; t: m=c: [2, 4] width 2 < 5 (and 2 more)"
	if err := r.Err(); err == nil || err.Error() != want {
		t.Fatalf("Err() = %v\nwant %s", err, want)
	}
	if got := len(r.Failed()); got != 5 {
		t.Fatalf("%d failed, want 5", got)
	}
	if (&Report{}).Err() != nil {
		t.Fatal("an empty report fails")
	}
}
