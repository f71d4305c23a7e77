package analysis

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/cstoutcomes/outcomes/internal/atomicfile"
)

// Write writes summary.json and tables/*.csv into dir (created if needed). Each file is
// written to a temporary name and renamed, tables first and summary.json last, so a reader
// never sees a half-written file and summary.json's presence means the tables are complete.
// Other files in dir (a report) are left alone.
func Write(dir string, res *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tables, err := Tables(res)
	if err != nil {
		return err
	}
	if err := writeTables(dir, tables); err != nil {
		return err
	}
	b, err := res.Summary.Marshal()
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, summary.FileName), b)
}

// writeTables writes the tables into a new directory beside dir/tables and swaps it in.
func writeTables(dir string, tables []Table) error {
	return atomicfile.WriteDir(filepath.Join(dir, summary.TablesDir), func(d *atomicfile.Dir) error {
		for _, t := range tables {
			if err := d.WriteFile(t.Name, t.CSV(), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeAtomic writes b to path whole or not at all, durably (internal/atomicfile).
func writeAtomic(path string, b []byte) error { return atomicfile.WriteFile(path, b, 0o644) }

// Table is one tidy CSV table: a header and rows of text (null as "").
type Table struct {
	Name   string // file name, e.g. course.csv
	Header []string
	Rows   [][]string
}

// CSV renders t with encoding/csv (RFC 4180, \n line ends).
func (t Table) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(t.Header)
	w.WriteAll(t.Rows) // flushes; a bytes.Buffer does not fail
	return b.Bytes()
}

// Tables returns the tidy tables of a result, in a fixed order.
func Tables(res *Result) ([]Table, error) {
	s := res.Summary
	var out []Table
	for _, a := range []string{summary.WithinSession, summary.Course} {
		t := Table{Name: a + ".csv", Header: append([]string{"measure", "subgroup", "level"}, columns(summary.PairedBlock{})...)}
		for _, e := range s.Outcomes {
			pa := e.Value.Course
			if a == summary.WithinSession {
				pa = e.Value.WithinSession
			}
			if pa == nil {
				continue
			}
			t.Rows = append(t.Rows, append([]string{e.Key, "overall", ""}, values(pa.Overall)...))
			for _, by := range []struct {
				name string
				o    summary.Ordered[*summary.PairedBlock]
			}{{"modality", pa.ByModality}, {"presenting_complaint", pa.ByComplaint}} {
				for _, l := range by.o {
					t.Rows = append(t.Rows, append([]string{e.Key, by.name, l.Key}, values(l.Value)...))
				}
			}
		}
		out = append(out, t)
	}
	out = append(out, mixedModelTable(s), metaTable(s), practitionersTable(res))
	out = append(out, safetyTables(s)...)
	out = append(out, dataQualityTables(s)...)
	out = append(out, multiplicityTable(s))
	out = append(out, res.Aggregates...)
	return out, nil
}

func mixedModelTable(s *summary.Summary) Table {
	t := Table{Name: "mixed_model.csv", Header: []string{"measure", "term", "estimate", "se", "df", "t", "p",
		"var_practitioner", "var_client", "var_residual", "reml_criterion", "n_obs", "n_clients", "n_practitioners",
		"singular", "undefined_reason"}}
	for _, e := range s.Outcomes {
		if e.Value.MixedModel == nil {
			continue
		}
		b := e.Value.MixedModel.Overall
		v := summary.LMMVariance{Practitioner: summary.Null, Client: summary.Null, Residual: summary.Null}
		if b.Variance != nil {
			v = *b.Variance
		}
		singular := ""
		if b.Singular != nil {
			singular = strconv.FormatBool(*b.Singular)
		}
		null := summary.FixedEffect{Estimate: summary.Null, SE: summary.Null, DF: summary.Null, T: summary.Null, P: summary.Null}
		terms := []struct {
			name string
			fe   summary.FixedEffect
		}{{"(Intercept)", null}, {"session_number", null}}
		if b.Fixed != nil {
			terms[0].fe, terms[1].fe = b.Fixed.Intercept, b.Fixed.SessionNumber
		}
		for _, term := range terms {
			t.Rows = append(t.Rows, append([]string{e.Key, term.name}, values(term.fe)...))
			last := &t.Rows[len(t.Rows)-1]
			*last = append(*last, v.Practitioner.String(), v.Client.String(), v.Residual.String(), b.REMLCriterion.String(),
				strconv.Itoa(b.NObs), strconv.Itoa(b.NClients), strconv.Itoa(b.NPractitioners), singular, b.UndefinedReason)
		}
	}
	return t
}

func metaTable(s *summary.Summary) Table {
	t := Table{Name: "meta_analysis.csv", Header: append([]string{"measure"}, columns(summary.MetaBlock{})...)}
	for _, e := range s.Outcomes {
		if e.Value.MetaAnalysis != nil {
			t.Rows = append(t.Rows, append([]string{e.Key}, values(e.Value.MetaAnalysis.Overall)...))
		}
	}
	return t
}

func practitionersTable(res *Result) Table {
	t := Table{Name: "meta_practitioners.csv", Header: []string{"measure", "practitioner_key", "clients", "mean_change",
		"sd_change", "vi", "included", "reason"}}
	for _, p := range res.Practitioners {
		t.Rows = append(t.Rows, []string{p.Measure, p.PractitionerKey, strconv.Itoa(p.Clients), p.MeanChange.String(),
			p.SDChange.String(), p.VI.String(), strconv.FormatBool(p.Included), p.Reason})
	}
	return t
}

func safetyTables(s *summary.Summary) []Table {
	rates := Table{Name: "safety.csv", Header: []string{"subgroup", "level", "sessions", "any_adverse_event",
		"rate_per_1000", "rate_ci_low", "rate_ci_high", "non_emotional_adverse_event", "non_emotional_rate_per_1000",
		"non_emotional_rate_ci_low", "non_emotional_rate_ci_high", "undefined_reason"}}
	events := Table{Name: "safety_events.csv", Header: []string{"subgroup", "level", "kind", "value", "sessions"}}
	add := func(sg, level string, b *summary.SafetyBlock) {
		rates.Rows = append(rates.Rows, []string{sg, level, strconv.Itoa(b.Sessions), strconv.Itoa(b.AnyAdverseEvent),
			b.RatePer1000.String(), b.RateCILow.String(), b.RateCIHigh.String(), strconv.Itoa(b.NonEmotional),
			b.NonEmotionalRate.String(), b.NonEmotionalRateCILow.String(), b.NonEmotionalRateCIHigh.String(), b.UndefinedReason})
		for _, e := range b.BySeverity {
			events.Rows = append(events.Rows, []string{sg, level, "severity", e.Key, strconv.Itoa(e.Value)})
		}
		for _, e := range b.ByType {
			events.Rows = append(events.Rows, []string{sg, level, "type", e.Key, strconv.Itoa(e.Value)})
		}
	}
	if s.Safety.Overall != nil {
		add("overall", "", s.Safety.Overall)
	}
	for _, e := range s.Safety.ByModality {
		add("modality", e.Key, e.Value)
	}
	for _, e := range s.Safety.ByComplaint {
		add("presenting_complaint", e.Key, e.Value)
	}
	return []Table{rates, events}
}

func dataQualityTables(s *summary.Summary) []Table {
	dq := s.DataQuality
	viol := Table{Name: "data_quality_violations.csv", Header: columns(summary.RuleCount{})}
	for _, c := range dq.ViolationsByRule {
		viol.Rows = append(viol.Rows, values(c))
	}
	miss := Table{Name: "data_quality_missingness.csv", Header: columns(summary.Missingness{})}
	for _, m := range dq.Missingness {
		miss.Rows = append(miss.Rows, values(m))
	}
	spc := Table{Name: "data_quality_sessions_per_client.csv", Header: columns(summary.CountCount{})}
	for _, c := range dq.SessionsPerClient.Distribution {
		spc.Rows = append(spc.Rows, values(c))
	}
	months := Table{Name: "data_quality_months.csv", Header: columns(summary.MonthCount{})}
	for _, m := range dq.SessionsByMonth {
		months.Rows = append(months.Rows, values(m))
	}
	commits := Table{Name: "data_quality_commits.csv", Header: columns(summary.CommitRows{})}
	for _, c := range dq.Commits {
		commits.Rows = append(commits.Rows, values(c))
	}
	return []Table{viol, miss, spc, months, commits}
}

func multiplicityTable(s *summary.Summary) Table {
	t := Table{Name: "multiplicity.csv", Header: append([]string{"method"}, columns(summary.TestResult{})...)}
	for _, r := range s.Multiplicity.Tests {
		t.Rows = append(t.Rows, append([]string{s.Multiplicity.Method}, values(r)...))
	}
	return t
}

// columns returns the JSON names of a struct's fields, in order.
func columns(v any) []string {
	rt := reflect.TypeOf(v)
	var out []string
	for i := range rt.NumField() {
		out = append(out, jsonName(rt.Field(i)))
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// values formats a struct's fields as CSV text (pointer to struct allowed): Float as in
// summary.json with null as "", nil pointers as "", ints and bools in Go's format.
func values(v any) []string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	out := make([]string, rv.NumField())
	for i := range rv.NumField() {
		out[i] = cell(rv.Field(i))
	}
	return out
}

func cell(f reflect.Value) string {
	if fl, ok := f.Interface().(summary.Float); ok {
		return fl.String()
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.String:
		return f.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(f.Bool())
	}
	return fmt.Sprint(f.Interface())
}
