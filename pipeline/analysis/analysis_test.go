package analysis

import (
	"bytes"
	"encoding/csv"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat/distuv"
)

// course is one client's recorded values of a measure by session_number.
type courseRows map[string][][2]float64 // client → (session_number, value)

// independent holds what the test computes from the CSV rows itself, without the lake.
type independent struct {
	sessions, aeSessions int
	practitioners        map[string]bool
	// clientsBySeverity and aeClients hold the distinct clients (practitioner, client ids)
	// with a session of each severity and with any adverse event.
	clientsBySeverity map[string]map[string]bool
	aeClients         map[string]bool
	withinFirst       []float64
	withinLast        []float64
	course            courseRows
}

func readIndependent(t *testing.T, data string) *independent {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	ind := &independent{practitioners: map[string]bool{}, course: courseRows{},
		clientsBySeverity: map[string]map[string]bool{}, aeClients: map[string]bool{}}
	for _, r := range recs[1:] {
		if r[col["consent_research"]] != "true" {
			continue
		}
		ind.sessions++
		ind.practitioners[r[col["practitioner_id"]]] = true
		client := r[col["practitioner_id"]] + "\x00" + r[col["client_id"]]
		ae := r[col["adverse_event"]]
		if ind.clientsBySeverity[ae] == nil {
			ind.clientsBySeverity[ae] = map[string]bool{}
		}
		ind.clientsBySeverity[ae][client] = true
		if ae != "none" {
			ind.aeSessions++
			ind.aeClients[client] = true
		}
		pb, pa := r[col["pain_before"]], r[col["pain_after"]]
		if pb != "" && pa != "" {
			ind.withinFirst = append(ind.withinFirst, atof(t, pb))
			ind.withinLast = append(ind.withinLast, atof(t, pa))
		}
		if pb != "" {
			k := r[col["practitioner_id"]] + "\x00" + r[col["client_id"]]
			ind.course[k] = append(ind.course[k], [2]float64{atof(t, r[col["session_number"]]), atof(t, pb)})
		}
	}
	return ind
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// firstLast returns the first and last value of every client with two or more.
func (c courseRows) firstLast() (first, last []float64) {
	for _, k := range slices.Sorted(maps.Keys(c)) {
		v := c[k]
		if len(v) < 2 {
			continue
		}
		slices.SortFunc(v, func(a, b [2]float64) int { return int(a[0] - b[0]) })
		first, last = append(first, v[0][1]), append(last, v[len(v)-1][1])
	}
	return first, last
}

// plainPairedT is a textbook paired t-test on d = last - first.
func plainPairedT(first, last []float64) (mean, sd, tstat, p float64) {
	n := float64(len(first))
	for i := range first {
		mean += last[i] - first[i]
	}
	mean /= n
	for i := range first {
		d := last[i] - first[i] - mean
		sd += d * d
	}
	sd = math.Sqrt(sd / (n - 1))
	tstat = mean / (sd / math.Sqrt(n))
	p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Survival(math.Abs(tstat))
	return mean, sd, tstat, p
}

func near(t *testing.T, name string, got summary.Float, want float64) {
	t.Helper()
	if !scalar.EqualWithinAbsOrRel(float64(got), want, 1e-12, 1e-9) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

// TestEndToEnd ingests a generated export and checks the summary against values computed in
// the test from the CSV rows themselves.
func TestEndToEnd(t *testing.T) {
	data := genCSV(t, 150, 7)
	tl := newLake(t)
	tl.ingest("export.csv", data)
	res, _ := summarize(t, tl.db(0))
	s := res.Summary
	ind := readIndependent(t, data)

	if s.Population.Sessions != ind.sessions || s.Population.Practitioners != len(ind.practitioners) {
		t.Errorf("population = %+v, want %d sessions, %d practitioners", s.Population, ind.sessions, len(ind.practitioners))
	}
	pain, _ := s.Outcomes.Get("pain")

	ws := pain.WithinSession.Overall
	mean, sd, tt, p := plainPairedT(ind.withinFirst, ind.withinLast)
	if ws.N != len(ind.withinFirst) {
		t.Errorf("within_session n = %d, want %d", ws.N, len(ind.withinFirst))
	}
	near(t, "within mean_change", ws.MeanChange, mean)
	near(t, "within sd_change", ws.SDChange, sd)
	near(t, "within t", ws.T, tt)
	near(t, "within p", ws.P, p)

	first, last := ind.course.firstLast()
	c := pain.Course.Overall
	mean, sd, tt, p = plainPairedT(first, last)
	if c.N != len(first) {
		t.Fatalf("course n = %d, want %d", c.N, len(first))
	}
	near(t, "course mean_change", c.MeanChange, mean)
	near(t, "course sd_change", c.SDChange, sd)
	near(t, "course t", c.T, tt)
	near(t, "course df", c.DF, float64(len(first)-1))
	near(t, "course p", c.P, p)
	near(t, "course dz", c.Dz, mean/sd)

	// pain_pct30 on integers: evaluable when before >= 1, met when (b - a) * 100 >= 30 * b.
	var ev, met int
	for i := range first {
		b, a := int(first[i]), int(last[i])
		if b >= 1 {
			ev++
			if (b-a)*100 >= 30*b {
				met++
			}
		}
	}
	if *c.Evaluable != ev || *c.Responders != met {
		t.Errorf("responders = %d/%d, want %d/%d", *c.Responders, *c.Evaluable, met, ev)
	}
	near(t, "responder_share", c.ResponderShare, float64(met)/float64(ev))

	sb := s.Safety.Overall
	if sb.Sessions != ind.sessions || sb.AnyAdverseEvent != ind.aeSessions {
		t.Errorf("safety = %d/%d, want %d/%d", sb.AnyAdverseEvent, sb.Sessions, ind.aeSessions, ind.sessions)
	}
	near(t, "rate_per_1000", sb.RatePer1000, 1000*float64(ind.aeSessions)/float64(ind.sessions))
	if sb.ClientsAnyAdverseEvent != len(ind.aeClients) {
		t.Errorf("clients_any_adverse_event = %d, want %d", sb.ClientsAnyAdverseEvent, len(ind.aeClients))
	}
	for _, e := range sb.ClientsBySeverity {
		if want := len(ind.clientsBySeverity[e.Key]); e.Value != want {
			t.Errorf("clients_by_severity[%s] = %d, want %d", e.Key, e.Value, want)
		}
	}

	// Holm over five tests: the smallest p times 5.
	if mt := s.Multiplicity.Tests; len(mt) != 5 || mt[0].ID != "pain.course.paired_t" || mt[0].P != c.P {
		t.Errorf("multiplicity = %+v", mt)
	}
	if lmm := pain.MixedModel.Overall; lmm.Fixed == nil || lmm.NPractitioners != len(ind.practitioners) {
		t.Errorf("mixed model = %+v", lmm)
	}
	if m := pain.MetaAnalysis.Overall; m.K < 2 || !m.Estimate.Valid() {
		t.Errorf("meta-analysis = %+v", m)
	}
}

// TestDeterministic summarizes twice, and summarizes a lake built from the same rows in
// another order, and compares the bytes of summary.json and of every table.
func TestDeterministic(t *testing.T) {
	data := genCSV(t, 120, 11)
	a := newLake(t)
	a.ingest("export.csv", data)
	db := a.db(0)
	resA, one := summarize(t, db)
	_, two := summarize(t, db)
	if !bytes.Equal(one, two) {
		t.Fatal("two runs over the same snapshot differ")
	}
	b := newLake(t)
	b.ingest("export.csv", shuffleLines(data, 3))
	resB, shuffled := summarize(t, b.db(0))
	if !bytes.Equal(one, shuffled) {
		t.Fatalf("a lake of the same rows in another order gives another summary:\n%s", firstDiff(one, shuffled))
	}
	ta, _ := Tables(resA)
	tb, _ := Tables(resB)
	for i := range ta {
		if !bytes.Equal(ta[i].CSV(), tb[i].CSV()) {
			t.Errorf("table %s differs", ta[i].Name)
		}
	}
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  " + la[i] + "\n  " + lb[i]
		}
	}
	return "lengths differ"
}

// TestDegenerate: one practitioner, one client, no pain data: a valid summary whose
// statistics are null with reasons.
func TestDegenerate(t *testing.T) {
	const data = `practitioner_id,client_id,session_date,session_number,modality,presenting_complaint,sleep_quality,adverse_event,adverse_event_type,consent_research
P1,C1,2024-03-01,1,CST,back_pain,5,none,,yes
P1,C1,2024-03-08,2,CST,back_pain,7,mild,nausea,yes
`
	tl := newLake(t)
	tl.ingest("one.csv", data)
	res, b := summarize(t, tl.db(0))
	s := res.Summary
	pain, _ := s.Outcomes.Get("pain")
	if ws := pain.WithinSession.Overall; ws.N != 0 || ws.P.Valid() || ws.UndefinedReason == "" {
		t.Errorf("within_session = %+v", ws)
	}
	if c := pain.Course.Overall; c.N != 0 || c.MeanChange.Valid() || c.UndefinedReason == "" {
		t.Errorf("pain course = %+v", c)
	}
	sleep, _ := s.Outcomes.Get("sleep_quality")
	c := sleep.Course.Overall
	if c.N != 1 || c.MeanChange != 2 || c.P.Valid() || !strings.Contains(c.UndefinedReason, "n < 2") {
		t.Errorf("sleep course = %+v", c)
	}
	if c.Responders != nil || c.ResponderUndefinedReason == "" {
		t.Errorf("sleep responders = %v, reason %q", c.Responders, c.ResponderUndefinedReason)
	}
	if m := sleep.MixedModel.Overall; m.Fixed != nil || m.UndefinedReason == "" || m.NObs != 2 {
		t.Errorf("mixed model = %+v", m)
	}
	if m := sleep.MetaAnalysis.Overall; m.K != 0 || m.Estimate.Valid() || m.UndefinedReason == "" {
		t.Errorf("meta-analysis = %+v", m)
	}
	if sb := s.Safety.Overall; sb.Sessions != 2 || sb.AnyAdverseEvent != 1 || sb.RatePer1000 != 500 || sb.NonEmotional != 1 {
		t.Errorf("safety = %+v", sb)
	}
	if !bytes.Contains(b, []byte(`"p": null`)) {
		t.Error("summary.json has no null p")
	}
	if mt := s.Multiplicity.Tests[0]; mt.P.Valid() || mt.PAdjusted.Valid() {
		t.Errorf("multiplicity = %+v", mt)
	}
	// An empty lake is a valid summary too.
	_, empty := summarize(t, newLake(t).db(0))
	if !bytes.Contains(empty, []byte(`"sessions": 0`)) {
		t.Errorf("empty lake summary:\n%s", empty)
	}
}

// TestAsOf: an earlier snapshot of a lake gives the numbers of that snapshot: the same bytes
// as a lake that only ever had the first file.
func TestAsOf(t *testing.T) {
	first, second := genCSV(t, 60, 21), genCSV(t, 60, 22)
	second = strings.ReplaceAll(second, "P", "Q") // other practitioners' ids
	two := newLake(t)
	two.ingest("a.csv", first)
	two.ingest("b.csv", second)
	one := newLake(t)
	one.ingest("a.csv", first)
	_, asOf := summarize(t, two.db(1))
	_, want := summarize(t, one.db(0))
	if !bytes.Equal(asOf, want) {
		t.Fatalf("as-of 1 differs from a lake with only version 1:\n%s", firstDiff(asOf, want))
	}
	_, latest := summarize(t, two.db(0))
	if bytes.Equal(asOf, latest) {
		t.Fatal("the latest snapshot gives the same summary as version 1")
	}
}

// TestWriteRead writes a summary and reads it back into the same bytes.
func TestWriteRead(t *testing.T) {
	tl := newLake(t)
	tl.ingest("export.csv", genCSV(t, 40, 5))
	res, b := summarize(t, tl.db(0))
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, res); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, res); err != nil { // again, over the first
		t.Fatal(err)
	}
	s, err := summary.Read(filepath.Join(dir, summary.FileName))
	if err != nil {
		t.Fatal(err)
	}
	s.Plan.SHA256 = res.Summary.Plan.SHA256
	again, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Fatalf("read back differs:\n%s", firstDiff(b, again))
	}
	tables, _ := Tables(res)
	for _, tb := range tables {
		if _, err := filepath.Glob(filepath.Join(dir, summary.TablesDir, tb.Name)); err != nil {
			t.Error(err)
		}
	}
}
