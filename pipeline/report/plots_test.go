package report

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// The select functions turn the summary into the numbers a plot draws; these tests check
// them without drawing.

func TestSelectTrajectory(t *testing.T) {
	nan := math.NaN()
	rows := []TrajectoryRow{
		{Measure: "pain", SessionNumber: 1, N: 40, Mean: 6, CILow: 5.5, CIHigh: 6.5},
		{Measure: "hit6", SessionNumber: 1, N: 40, Mean: 60, CILow: 58, CIHigh: 62}, // another measure
		{Measure: "pain", SessionNumber: 2, N: 12, Mean: 5, CILow: 4, CIHigh: 6},
		{Measure: "pain", SessionNumber: 3, N: minTrajectoryN - 1, Mean: 4, CILow: 3, CIHigh: 5}, // too few
		{Measure: "pain", SessionNumber: 4, N: 9, Mean: 4, CILow: nan, CIHigh: nan},              // no CI
		{Measure: "pain", SessionNumber: 5, N: minTrajectoryN, Mean: 3.5, CILow: 2, CIHigh: 5},
	}
	d, missing := selectTrajectory(rows, "pain")
	if missing != "" {
		t.Fatal(missing)
	}
	want := trajectoryData{Points: []trajectoryPoint{{1, 6, 5.5, 6.5}, {2, 5, 4, 6}, {5, 3.5, 2, 5}},
		NMin: minTrajectoryN, NMax: 40, Total: 40 + 12 + minTrajectoryN}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	for _, tt := range []struct {
		name string
		rows []TrajectoryRow
		want string
	}{
		{"no table", nil, "trajectory.csv is not beside summary.json"},
		{"one point", rows[:2], "fewer than two session numbers"},
		{"empty table", []TrajectoryRow{}, "fewer than two session numbers"},
	} {
		if _, missing := selectTrajectory(tt.rows, "pain"); !strings.Contains(missing, tt.want) {
			t.Errorf("%s: missing = %q, want %q", tt.name, missing, tt.want)
		}
	}
}

func TestSelectChange(t *testing.T) {
	tests := []struct {
		name    string
		rows    []ChangeRow
		width   float64
		integer bool
		bins    []changeBin
		clients int
	}{
		{"whole numbers: a bin per value", []ChangeRow{{"pain", -2, 3}, {"pain", -1, 4}, {"hit6", -1, 50}, {"pain", 1, 1}},
			1, true, []changeBin{{-2.5, -1.5, 3}, {-1.5, -0.5, 4}, {0.5, 1.5, 1}}, 8},
		{"fractions: round bins centred on multiples", []ChangeRow{{"pain", -1.1, 2}, {"pain", -0.9, 1}, {"pain", math.NaN(), 9}, {"pain", 0.6, 5}},
			0.25, false, []changeBin{{-1.125, -0.875, 3}, {0.375, 0.625, 5}}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, missing := selectChange(tt.rows, "pain", 2, -1.5)
			if missing != "" {
				t.Fatal(missing)
			}
			want := changeData{Bins: tt.bins, Width: tt.width, Integer: tt.integer, Clients: tt.clients, MCID: 2, Mean: -1.5}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("got %+v\nwant %+v", d, want)
			}
		})
	}
	if _, missing := selectChange(nil, "pain", 0, summary.Null); !strings.Contains(missing, "changes.csv is not beside") {
		t.Errorf("no table: missing = %q", missing)
	}
	if _, missing := selectChange([]ChangeRow{{"hit6", 1, 1}}, "pain", 0, summary.Null); !strings.Contains(missing, "no client") {
		t.Errorf("no row of the measure: missing = %q", missing)
	}
}

func TestSelectResponders(t *testing.T) {
	rule := "pain_pct30"
	n := func(i int) *int { return &i }
	ov := &summary.PairedBlock{ResponderRule: &rule, ResponderShare: 0.4}
	levels := summary.Ordered[*summary.PairedBlock]{
		{Key: "CST", Value: &summary.PairedBlock{Evaluable: n(50), ResponderShare: 0.5, ResponderCILow: 0.375, ResponderCIHigh: 0.625}},
		{Key: "SER", Value: &summary.PairedBlock{Evaluable: n(0), ResponderShare: summary.Null, ResponderCILow: summary.Null, ResponderCIHigh: summary.Null}},
		{Key: "other", Value: nil},
		{Key: "CST+SER", Value: &summary.PairedBlock{Evaluable: n(8), ResponderShare: 0.25, ResponderCILow: 0.0625, ResponderCIHigh: 0.5}},
	}
	d, missing := selectResponders(ov, "modality", levels)
	if missing != "" {
		t.Fatal(missing)
	}
	want := responderData{Rule: rule, Overall: 0.4, Evaluable: 58, Undefined: 2, Levels: []estimate{
		{Label: "CST (n = 50)", X: 50, Minus: 12.5, Plus: 12.5},
		{Label: "CST+SER (n = 8)", X: 25, Minus: 18.75, Plus: 25},
	}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	for _, tt := range []struct {
		name   string
		ov     *summary.PairedBlock
		levels summary.Ordered[*summary.PairedBlock]
		want   string
	}{
		{"no overall block", nil, levels, "No responder rates: null in summary.json."},
		{"no rule", &summary.PairedBlock{ResponderUndefinedReason: "no MCID"}, levels, "No responder rates: no MCID."},
		{"no level defined", ov, levels[1:3], "Not drawn: no level of the modality has a defined responder share."},
	} {
		if _, missing := selectResponders(tt.ov, "modality", tt.levels); missing != tt.want {
			t.Errorf("%s: missing = %q, want %q", tt.name, missing, tt.want)
		}
	}
}

func TestSelectForest(t *testing.T) {
	m := &summary.MetaResult{Overall: &summary.MetaBlock{Estimate: -1, CILow: -1.5, CIHigh: -0.5}}
	rows := []PractitionerRow{
		{Measure: "pain", Key: "k3", Clients: 6, MeanChange: -1, VI: 0.25, Included: true},
		{Measure: "pain", Key: "k1", Clients: 9, MeanChange: -2, VI: 1, Included: true},
		{Measure: "pain", Key: "k2", Clients: 7, MeanChange: -1, VI: 0.25, Included: true}, // ties k3: more clients first
		{Measure: "pain", Key: "k4", Clients: 3, MeanChange: -3, VI: 1, Included: false},
		{Measure: "hit6", Key: "k1", Clients: 9, MeanChange: -5, VI: 1, Included: true},
	}
	d, missing := selectForest(rows, "pain", m)
	if missing != "" {
		t.Fatal(missing)
	}
	z := 1.959963984540054
	want := forestData{Pooled: m.Overall, Rows: []estimate{
		{Label: "Practitioner A (n = 9)", X: -2, Minus: z, Plus: z},
		{Label: "Practitioner B (n = 7)", X: -1, Minus: z / 2, Plus: z / 2},
		{Label: "Practitioner C (n = 6)", X: -1, Minus: z / 2, Plus: z / 2},
	}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	if _, missing := selectForest(rows, "sleep_quality", m); !strings.Contains(missing, "no included practitioner") {
		t.Errorf("no practitioner: missing = %q", missing)
	}
	unestimated := &summary.MetaResult{Overall: &summary.MetaBlock{Estimate: summary.Null, UndefinedReason: "k = 1"}}
	if _, missing := selectForest(rows, "pain", unestimated); missing != "Not drawn: the meta-analysis is not estimated: k = 1." {
		t.Errorf("not estimated: missing = %q", missing)
	}
}

func TestSelectGlance(t *testing.T) {
	block := func(dz, lo, hi float64) *summary.PairedAnalysis {
		return &summary.PairedAnalysis{Overall: &summary.PairedBlock{N: 1200, Dz: summary.Float(dz),
			DzCILow: summary.Float(lo), DzCIHigh: summary.Float(hi)}}
	}
	s := &summary.Summary{Outcomes: summary.Ordered[*summary.Outcome]{
		{Key: "pain", Value: &summary.Outcome{Direction: "higher_is_worse", Course: block(-0.75, -1, -0.5)}},
		{Key: "hit6", Value: &summary.Outcome{Direction: "higher_is_worse"}}, // no course analysis
		{Key: "sleep_quality", Value: &summary.Outcome{Direction: "higher_is_better", Course: block(0.25, 0, 0.625)}},
		{Key: "mymop_profile", Value: &summary.Outcome{Direction: "higher_is_worse", Course: block(math.NaN(), math.NaN(), math.NaN())}},
	}}
	want := []estimate{
		{Label: "Pain (n = 1,200)", X: 0.75, Minus: 0.25, Plus: 0.25},
		{Label: "Sleep quality (n = 1,200)", X: 0.25, Minus: 0.25, Plus: 0.375},
	}
	if got := selectGlance(s); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestSelectSeverityAndCommits(t *testing.T) {
	o := &summary.SafetyBlock{Sessions: 100, BySeverity: summary.Ordered[int]{{Key: "none", Value: 90}, {Key: "mild", Value: 8}, {Key: "severe", Value: 2}}}
	d, missing := selectSeverity(o)
	want := severityData{Names: []string{"mild", "severe"}, Sessions: []float64{8, 2}, None: 90, Total: 100}
	if missing != "" || !reflect.DeepEqual(d, want) {
		t.Errorf("severity: got %+v, %q\nwant %+v", d, missing, want)
	}
	if _, missing := selectSeverity(&summary.SafetyBlock{}); missing != "Not drawn: no sessions." {
		t.Errorf("no sessions: missing = %q", missing)
	}
	s := &summary.Summary{Snapshot: 3, DataQuality: summary.DataQuality{Commits: []summary.CommitRows{
		{Version: 1, RowsAccepted: 10, RowsQuarantined: 2, RowsExcluded: 1}, {Version: 3, RowsAccepted: 5}}}}
	c, missing := selectCommits(s)
	wantC := commitsData{Versions: []string{"v1", "v3"}, Accepted: []float64{10, 5}, Quarantined: []float64{2, 0},
		Excluded: []float64{1, 0}, Snapshot: 3}
	if missing != "" || !reflect.DeepEqual(c, wantC) {
		t.Errorf("commits: got %+v, %q\nwant %+v", c, missing, wantC)
	}
	if _, missing := selectCommits(&summary.Summary{}); missing != "Not drawn: the lake has no commit." {
		t.Errorf("no commit: missing = %q", missing)
	}
}

func TestTopDown(t *testing.T) {
	pts, errs, labels := topDown([]estimate{{"a", 1, 0.5, 0.25}, {"b", 2, 1, 1}, {"c", 3, 0, 2}})
	if got := []float64{pts[0].Y, pts[1].Y, pts[2].Y}; !reflect.DeepEqual(got, []float64{2, 1, 0}) {
		t.Errorf("y = %v, want the first at the top", got)
	}
	if pts[2].X != 3 || errs[0].Low != 0.5 || errs[0].High != 0.25 {
		t.Errorf("points %v, errors %v", pts, errs)
	}
	if !reflect.DeepEqual(labels, []string{"c", "b", "a"}) {
		t.Errorf("labels %q, want bottom-up", labels)
	}
}
