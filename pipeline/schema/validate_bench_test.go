package schema

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var benchHeader = []string{"practitioner_id", "client_id", "session_date", "session_number", "modality",
	"presenting_complaint", "age_band", "sex", "pain_before", "pain_after", "sleep_quality", "sleep_hours",
	"headache_days", "hit6", "mymop_symptom1", "mymop_symptom2", "mymop_activity", "mymop_wellbeing",
	"adverse_event", "adverse_event_type", "consent_research"}

// benchRows makes n plausible, valid rows from a fixed seed (a realistic mix: missing optional
// values, varied case, ids repeating across a client's sessions).
func benchRows(n int) [][]string {
	r := rand.New(rand.NewPCG(1, 2))
	complaints := []string{"headache", "migraine", "neck_pain", "back_pain", "Stress", "other"}
	mods := []string{"CST", "cst", "SER", "CST+SER"}
	opt := func(s string) string {
		if r.IntN(5) == 0 {
			return ""
		}
		return s
	}
	rows := make([][]string, n)
	for i := range rows {
		client := i / 6
		ae, aeType := "none", ""
		if r.IntN(20) == 0 {
			ae, aeType = "mild", "headache"
		}
		rows[i] = contiguous([]string{
			fmt.Sprintf("P%03d", client/40), fmt.Sprintf("C%06d", client),
			time.Date(2024, 1, 1+i%300, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			fmt.Sprint(1 + i%6), mods[r.IntN(len(mods))], complaints[r.IntN(len(complaints))],
			opt("30-44"), opt("female"), fmt.Sprint(r.IntN(11)), opt(fmt.Sprint(r.IntN(11))),
			opt(fmt.Sprint(r.IntN(11))), opt(fmt.Sprintf("%.1f", 4+r.Float64()*5)), opt(fmt.Sprint(r.IntN(29))),
			opt(fmt.Sprint(40 + r.IntN(30))), fmt.Sprint(r.IntN(7)), opt(fmt.Sprint(r.IntN(7))),
			fmt.Sprint(r.IntN(7)), fmt.Sprint(r.IntN(7)), ae, aeType, "yes",
		})
	}
	return rows
}

// contiguous returns the fields as substrings of one string, as a CSV splitter gives them.
func contiguous(fields []string) []string {
	line := strings.Join(fields, ",")
	out := make([]string, len(fields))
	pos := 0
	for i, f := range fields {
		out[i] = line[pos : pos+len(f)]
		pos += len(f) + 1
	}
	return out
}

func BenchmarkValidate(b *testing.B) {
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		b.Fatal(err)
	}
	rows := benchRows(4096)
	v := s.NewValidator("bench.csv", m, Options{Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		sess, viol := v.Validate(n+2, rows[n%len(rows)])
		if viol != nil || !sess.Consent {
			b.Fatalf("row %d: %v", n, viol)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkValidateBadRows: one row in ten breaks a rule (a typo, a range, a missing type), as
// with gen --bad-share 0.1; the violations and their messages are what costs.
func BenchmarkValidateBadRows(b *testing.B) {
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		b.Fatal(err)
	}
	rows := benchRows(4096)
	for i := 0; i < len(rows); i += 10 {
		row := append([]string(nil), rows[i]...)
		switch i % 30 {
		case 0:
			row[4] = "CTS"
		case 10:
			row[9] = "11"
		default:
			row[18] = "mild"
		}
		rows[i] = row
	}
	v := s.NewValidator("bench.csv", m, Options{Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		v.Validate(n+2, rows[n%len(rows)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
