package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	if got := Versions(); !slices.Equal(got, []int{1}) {
		t.Errorf("Versions() = %v, want [1]", got)
	}
	s, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	if s != Latest() {
		t.Error("Latest() is not the cached version 1")
	}
	if s.Version() != 1 || s.Name() != "sessions" || len(s.Fields()) != 21 {
		t.Errorf("version %d name %q fields %d", s.Version(), s.Name(), len(s.Fields()))
	}
	if _, err := Load(99); err == nil {
		t.Error("Load(99): no error")
	}
	if !json.Valid(s.JSON()) {
		t.Error("JSON() is not valid JSON")
	}
	var buf bytes.Buffer
	if err := s.Describe(&buf); err != nil || !bytes.Equal(buf.Bytes(), s.JSON()) {
		t.Errorf("Describe: err %v, output differs from the (already indented) embedded file", err)
	}
}

func TestSchemaV1Content(t *testing.T) {
	s, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	wantRequired := map[string]bool{"practitioner_id": true, "client_id": true, "session_date": true,
		"session_number": true, "modality": true, "presenting_complaint": true, "adverse_event": true,
		"consent_research": true}
	for _, f := range s.Fields() {
		if f.Required != wantRequired[f.Name] {
			t.Errorf("%s: required = %v, want %v (DESIGN.md section 3)", f.Name, f.Required, wantRequired[f.Name])
		}
		if f.PII == "" || f.Title == "" || f.Description == "" {
			t.Errorf("%s: PII %q title %q description %q", f.Name, f.PII, f.Title, f.Description)
		}
	}
	hit6, _ := s.Field("hit6")
	if len(hit6.Enum) != 40 || slices.Contains(hit6.Enum, "37") || hit6.Minimum != "36" || hit6.Maximum != "78" {
		t.Errorf("hit6: %+v", hit6)
	}
	pain, _ := s.Field("pain_before")
	if !slices.Contains(pain.Aliases, "pain_pre") || pain.Unit != "NRS points" || pain.PII != PIIOutcome {
		t.Errorf("pain_before: %+v", pain)
	}
	for _, n := range []string{"practitioner_id", "client_id"} {
		if f, _ := s.Field(n); f.PII != PIIIdentifier {
			t.Errorf("%s: PII %q", n, f.PII)
		}
	}
	if f, _ := s.Field("age_band"); f.PII != PIIQuasi {
		t.Errorf("age_band: PII %q", f.PII)
	}
	if d, _ := s.Field("session_date"); d.Minimum != "2000-01-01" {
		t.Errorf("session_date minimum %q", d.Minimum)
	}
	if got := s.PrimaryKey(); !slices.Equal(got, []string{"practitioner_id", "client_id", "session_number"}) {
		t.Errorf("primary key %v", got)
	}
	if d := s.Derived(); len(d) != 1 || d[0].Name != "mymop_profile" || d[0].Maximum != "6" {
		t.Errorf("derived %+v", d)
	}
	var doc struct {
		Fields []struct {
			Name       string   `json:"name"`
			TrueValues []string `json:"trueValues"`
		} `json:"fields"`
		Rules []struct {
			Name string `json:"name"`
		} `json:"x-rules"`
	}
	if err := json.Unmarshal(s.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	consent := doc.Fields[len(doc.Fields)-1]
	if consent.Name != "consent_research" || !slices.Contains(consent.TrueValues, "yes") {
		t.Errorf("consent_research trueValues: %+v", consent)
	}
	if len(doc.Rules) != 2 {
		t.Errorf("x-rules: %+v", doc.Rules)
	}
}

// TestParseRejects edits the embedded schema and checks that Load-time compilation refuses
// what Validate could not honour.
func TestParseRejects(t *testing.T) {
	raw := string(Latest().JSON())
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"alias shared by two fields", `"pain_pre",`, `"pain_post",`, `is also a name of field`},
		{"unknown field", `"name": "sleep_hours",`, `"name": "sleep_minutes",`, `unknown to this program`},
		{"type mismatch", `"type": "number",`, `"type": "integer",`, `does not fit`},
		{"rule kind", `"kind": "mean"`, `"kind": "median"`, `unsupported kind`},
		{"enum case clash", `"CST",`, `"CST", "cst",`, `differ only in case`},
		{"date format", `"format": "default"`, `"format": "%d/%m/%Y"`, `only "default"`},
		{"hit6 enum outside range", `"enum": [
          36,`, `"enum": [
          35,`, `not an integer in 36..78`},
		{"not JSON", `{`, `[`, `parse`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := strings.Replace(raw, tt.old, tt.new, 1)
			if mod == raw {
				t.Fatalf("test input %q not in the schema", tt.old)
			}
			_, err := parse([]byte(mod))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse: err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	done := make(chan bool)
	for range 4 {
		go func() {
			s := Latest()
			m, err := s.Map(benchHeader)
			if err == nil {
				v := s.NewValidator("x.csv", m, Options{Today: testToday})
				for i, row := range benchRows(50) {
					if _, vs := v.Validate(i+2, row); vs != nil {
						err = vs[0]
					}
				}
			}
			if err != nil {
				t.Error(err)
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}
