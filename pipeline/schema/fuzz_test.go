package schema

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzValidate feeds rows (fields separated by '|', in benchHeader order) to Validate and
// checks invariants, not exact outputs: no panic; a row without violations has every required
// field and only in-range values; Valid flags agree with the ranges; violations are well formed
// and never reveal identifier values.
func FuzzValidate(f *testing.F) {
	for _, row := range benchRows(8) {
		f.Add(strings.Join(row, "|"), false)
	}
	f.Add("P1|C1|2024-03-01T00:00:00Z|7.0|cst|NECK_PAIN|75+|F|11|7,5|x|7,500|29|37|1|2|3|4|mild||maybe", true)
	f.Add("|||||||||||||||||||||", false)
	f.Add("P1|C1|01/03/2024|500|SER|other||||||24||78|6|6|6|6|none|nausea|0", true)
	f.Add("\xff|\x00|2024-02-30|-0|CST+SER|sleep|0-17|unknown|+0|10.00|0|.5|0|36|0||0|0|serious|other|Y", false)
	f.Fuzz(func(t *testing.T, line string, dmy bool) {
		fields := strings.Split(line, "|")
		opt := Options{Today: testToday}
		if dmy {
			opt.DateFormat = "02/01/2006"
		}
		s := Latest()
		m, err := s.Map(benchHeader)
		if err != nil {
			t.Fatal(err)
		}
		sess, vs := s.NewValidator("fuzz.csv", m, opt).Validate(7, fields)
		checkViolations(t, s, vs)
		checkValues(t, sess, vs)
		if len(vs) == 0 {
			checkComplete(t, sess)
		}
	})
}

func checkViolations(t *testing.T, s *Schema, vs []Violation) {
	for _, v := range vs {
		if v.File != "fuzz.csv" || v.Line != 7 || v.Rule.Err() == nil || v.Message == "" || v.Error() == "" {
			t.Errorf("malformed violation %#v", v)
		}
		f, ok := s.Field(v.Column)
		if !ok {
			t.Errorf("violation on unknown column %q", v.Column)
		}
		if f.PII == PIIIdentifier && v.Value != "" && v.Value != Masked {
			t.Errorf("identifier value revealed: %#v", v)
		}
		if len(v.Value) > maxValueLen+len("…") {
			t.Errorf("value not truncated: %d bytes", len(v.Value))
		}
	}
}

func hasViolation(vs []Violation, column string) bool {
	return slices.ContainsFunc(vs, func(v Violation) bool { return v.Column == column })
}

// checkValues: every Valid value is in its range, whatever else is wrong with the row.
func checkValues(t *testing.T, sess Session, vs []Violation) {
	ints := []struct {
		name   string
		v      Int
		lo, hi int32
	}{
		{"pain_before", sess.PainBefore, 0, 10}, {"pain_after", sess.PainAfter, 0, 10},
		{"sleep_quality", sess.SleepQuality, 0, 10}, {"headache_days", sess.HeadacheDays, 0, 28},
		{"hit6", sess.HIT6, 36, 78}, {"mymop_symptom1", sess.MymopSymptom1, 0, 6},
		{"mymop_symptom2", sess.MymopSymptom2, 0, 6}, {"mymop_activity", sess.MymopActivity, 0, 6},
		{"mymop_wellbeing", sess.MymopWellbeing, 0, 6},
	}
	for _, c := range ints {
		if c.v.Valid && (c.v.V < c.lo || c.v.V > c.hi) {
			t.Errorf("%s = %d valid but outside %d..%d", c.name, c.v.V, c.lo, c.hi)
		}
		if c.v.Valid && hasViolation(vs, c.name) {
			t.Errorf("%s valid and violated", c.name)
		}
	}
	if h := sess.HIT6; h.Valid && (h.V == 37 || h.V == 39 || h.V == 77) {
		t.Errorf("hit6 = %d accepted", h.V)
	}
	if sh := sess.SleepHours; sh.Valid && !(sh.V >= 0 && sh.V <= 24) {
		t.Errorf("sleep_hours = %v", sh.V)
	}
	checkProfile(t, sess)
}

func checkProfile(t *testing.T, sess Session) {
	p := sess.MymopProfile
	want := sess.MymopSymptom1.Valid && sess.MymopActivity.Valid && sess.MymopWellbeing.Valid
	if p.Valid != want {
		t.Fatalf("MymopProfile.Valid = %v, want %v", p.Valid, want)
	}
	if !p.Valid {
		return
	}
	sum, n := sess.MymopSymptom1.V+sess.MymopActivity.V+sess.MymopWellbeing.V, 3.0
	if sess.MymopSymptom2.Valid {
		sum, n = sum+sess.MymopSymptom2.V, 4
	}
	if math.Abs(p.V-float64(sum)/n) > 1e-12 || p.V < 0 || p.V > 6 {
		t.Errorf("MymopProfile = %v, items %+v", p.V, sess)
	}
}

// checkComplete: a row without violations is complete and consistent.
func checkComplete(t *testing.T, sess Session) {
	minDay, maxDay := dayOf(mustDate("2000-01-01")), dayOf(testToday)
	switch {
	case sess.PractitionerID == "" || sess.ClientID == "":
		t.Errorf("identifier missing: %+v", sess)
	case strings.TrimSpace(sess.PractitionerID) != sess.PractitionerID || len(sess.ClientID) > 100:
		t.Errorf("identifier not trimmed or too long: %q", sess.ClientID)
	case sess.SessionDate < minDay || sess.SessionDate > maxDay:
		t.Errorf("session_date %d outside %d..%d", sess.SessionDate, minDay, maxDay)
	case sess.SessionNumber < 1 || sess.SessionNumber > 500:
		t.Errorf("session_number %d", sess.SessionNumber)
	case !slices.Contains([]string{"CST", "SER", "CST+SER"}, sess.Modality):
		t.Errorf("modality %q", sess.Modality)
	case sess.PresentingComplaint == "":
		t.Error("presenting_complaint missing")
	case (sess.AdverseEvent == "none") != (sess.AdverseEventType == ""):
		t.Errorf("adverse event %q with type %q", sess.AdverseEvent, sess.AdverseEventType)
	}
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
