package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The measures.json subset the schema takes its constraints from.
type measures struct {
	RecordSchemaVersion string             `json:"record_schema_version"`
	Fields              map[string]measure `json:"fields"`
	Disclosure          struct {
		QuasiIdentifiers []string `json:"quasi_identifiers"`
	} `json:"disclosure_control"`
}

type measure struct {
	Type                 string          `json:"type"`
	Min                  *json.Number    `json:"min"`
	Max                  *json.Number    `json:"max"`
	Unit                 string          `json:"unit"`
	Required             bool            `json:"required"`
	RawAllowed           json.RawMessage `json:"allowed_values"`
	InvalidValuesInRange []json.Number   `json:"invalid_values_in_range"`
	ItemScores           []json.Number   `json:"item_scores"`
	Formula              string          `json:"formula"`
	ProjectRule          string          `json:"project_rule"`
	AllowedValuesRule    string          `json:"allowed_values_rule"`
	Validation           string          `json:"validation"`
}

// Output: a Frictionless Table Schema with the project's x- properties. Structs, not maps, so
// the key order is fixed.
type tableSchema struct {
	Name          string      `json:"name"`
	Title         string      `json:"title"`
	Description   string      `json:"description"`
	Version       int         `json:"x-version"`
	Generated     string      `json:"x-generated"`
	Fields        []field     `json:"fields"`
	MissingValues []string    `json:"missingValues"`
	PrimaryKey    []string    `json:"primaryKey"`
	Rules         []rule      `json:"x-rules"`
	Derived       []field     `json:"x-derived"`
	PIIClasses    piiClasses  `json:"x-pii-classes"`
	Parsing       parsingNote `json:"x-parsing"`
}

type field struct {
	Name            string      `json:"name"`
	Title           string      `json:"title"`
	Description     string      `json:"description"`
	Type            string      `json:"type"`
	Format          string      `json:"format,omitempty"`
	TrueValues      []string    `json:"trueValues,omitempty"`
	FalseValues     []string    `json:"falseValues,omitempty"`
	Constraints     constraints `json:"constraints"`
	Aliases         []string    `json:"x-aliases,omitempty"`
	PII             string      `json:"x-pii"`
	Unit            string      `json:"x-unit,omitempty"`
	CaseInsensitive bool        `json:"x-caseInsensitive,omitempty"`
	MaximumRef      string      `json:"x-maximum,omitempty"`
}

type constraints struct {
	Required  bool  `json:"required"`
	MaxLength int   `json:"maxLength,omitempty"`
	Minimum   any   `json:"minimum,omitempty"`
	Maximum   any   `json:"maximum,omitempty"`
	Enum      []any `json:"enum,omitempty"`
}

type rule struct {
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Rule        string    `json:"rule,omitempty"`
	Field       string    `json:"field"`
	When        *whenCond `json:"when,omitempty"`
	Fields      []string  `json:"fields,omitempty"`
	Requires    []string  `json:"requires,omitempty"`
	Description string    `json:"description"`
}

type whenCond struct {
	Field string   `json:"field"`
	NotIn []string `json:"notIn"`
}

type piiClasses struct {
	Identifier string `json:"identifier"`
	Quasi      string `json:"quasi"`
	Outcome    string `json:"outcome"`
}

type parsingNote struct {
	Whitespace string `json:"whitespace"`
	Missing    string `json:"missing"`
	Names      string `json:"names"`
	Integer    string `json:"integer"`
	Number     string `json:"number"`
	Date       string `json:"date"`
	Boolean    string `json:"boolean"`
	Enum       string `json:"enum"`
}

// spec is what this file, not measures.json, decides about a field.
type spec struct {
	name, title, desc, typ string
	required               bool
	aliases                []string
	// fromMeasures: take type, range, enum and unit from measures.json under this name.
	fromMeasures bool
}

// v1 is DESIGN.md section 3's field list, in the order of its table.
var v1 = []spec{
	{name: "practitioner_id", title: "Practitioner ID", typ: "string", required: true,
		desc:    "The practitioner's own identifier. Never stored: the ingest replaces it with practitioner_key, a keyed hash.",
		aliases: []string{"practitioner", "therapist_id", "therapist", "prac_id", "provider_id", "clinician_id"}},
	{name: "client_id", title: "Client ID", typ: "string", required: true,
		desc:    "The practitioner's identifier for the client. Never stored: the ingest replaces it with client_key, a keyed hash of practitioner and client.",
		aliases: []string{"client", "patient_id", "patient", "client_code", "client_ref", "client_no"}},
	{name: "session_date", title: "Session date", typ: "date", required: true,
		desc:    "Date of the session, ISO 8601 (YYYY-MM-DD); other formats only with an explicit date_format in the configuration. Not after the ingest date, not before 2000-01-01.",
		aliases: []string{"date", "visit_date", "treatment_date", "appointment_date", "session_day"}},
	{name: "session_number", title: "Session number", typ: "integer", required: true,
		desc:    "The session's ordinal in the client's course of treatment, starting at 1.",
		aliases: []string{"session", "session_no", "session_num", "session_#", "visit_number", "visit_no", "treatment_number"}},
	{name: "modality", title: "Modality", required: true, fromMeasures: true,
		desc:    "CST (craniosacral therapy), SER (SomatoEmotional Release) or CST+SER.",
		aliases: []string{"therapy", "therapy_type", "treatment_type", "method"}},
	{name: "presenting_complaint", title: "Presenting complaint", required: true, fromMeasures: true,
		desc:    "The client's main complaint, from the controlled vocabulary of measures.md section 7.",
		aliases: []string{"complaint", "main_complaint", "presenting_problem", "condition", "complaint_code"}},
	{name: "age_band", title: "Age band", fromMeasures: true,
		desc:    "The client's age band. Quasi-identifier: published only in merged bands.",
		aliases: []string{"age_group", "age_range"}},
	{name: "sex", title: "Sex", fromMeasures: true,
		desc:    "The client's stated sex or gender. Quasi-identifier.",
		aliases: []string{"gender"}},
	{name: "pain_before", title: "Pain before", fromMeasures: true,
		desc:    "Pain intensity NRS just before the session: 0 = no pain, 10 = worst possible pain.",
		aliases: []string{"pain_pre", "pre_pain", "pain_start", "nrs_before", "nrs_pre"}},
	{name: "pain_after", title: "Pain after", fromMeasures: true,
		desc:    "Pain intensity NRS just after the session: 0 = no pain, 10 = worst possible pain.",
		aliases: []string{"pain_post", "post_pain", "pain_end", "nrs_after", "nrs_post"}},
	{name: "sleep_quality", title: "Sleep quality", fromMeasures: true,
		desc:    "Sleep quality NRS: 0 = worst possible sleep, 10 = best possible sleep (the reverse of the published Sleep Quality Scale).",
		aliases: []string{"sleep_score", "sleep_rating", "sleep_nrs"}},
	{name: "sleep_hours", title: "Sleep hours", fromMeasures: true,
		desc:    "Hours of sleep per night, decimal.",
		aliases: []string{"sleep_duration", "hours_sleep", "hours_of_sleep", "sleep_hrs"}},
	{name: "headache_days", title: "Headache days", fromMeasures: true,
		desc:    "Days with headache in the last 28 days.",
		aliases: []string{"headache_days_28", "headache_days_28d", "days_with_headache", "headache_frequency"}},
	{name: "hit6", title: "HIT-6 total", fromMeasures: true,
		desc:    "Headache Impact Test total. Only achievable totals are valid: each of the 6 items scores one of the item scores below, so some totals within the range cannot occur.",
		aliases: []string{"hit6_total", "hit6_score"}},
	{name: "mymop_symptom1", title: "MYMOP symptom 1", fromMeasures: true,
		desc:    "MYMOP score for the client's first named symptom, past week: 0 = as good as it could be, 6 = as bad as it could be.",
		aliases: []string{"mymop_s1", "mymop_sym1", "symptom1"}},
	{name: "mymop_symptom2", title: "MYMOP symptom 2", fromMeasures: true,
		desc:    "MYMOP score for the client's second named symptom (optional in MYMOP), past week: 0 best, 6 worst.",
		aliases: []string{"mymop_s2", "mymop_sym2", "symptom2"}},
	{name: "mymop_activity", title: "MYMOP activity", fromMeasures: true,
		desc:    "MYMOP score for the activity the client named, past week: 0 best, 6 worst.",
		aliases: []string{"mymop_act", "activity"}},
	{name: "mymop_wellbeing", title: "MYMOP wellbeing", fromMeasures: true,
		desc:    "MYMOP general wellbeing, past week: 0 best, 6 worst.",
		aliases: []string{"mymop_wb", "wellbeing"}},
	{name: "adverse_event", title: "Adverse event", required: true, fromMeasures: true,
		desc:    "Worst adverse event after the session: none, mild, moderate, severe, or serious (ICH E2A criteria, whatever its intensity).",
		aliases: []string{"ae", "ae_severity", "adverse_event_severity", "adverse_severity"}},
	{name: "adverse_event_type", title: "Adverse event type", fromMeasures: true,
		desc:    "Kind of adverse event: required exactly when adverse_event is not none, empty when it is none.",
		aliases: []string{"ae_type", "adverse_type", "adverse_event_kind"}},
	{name: "consent_research", title: "Research consent", typ: "boolean", required: true,
		desc:    "Whether the client consented to research use. Rows with false are excluded: counted, never stored.",
		aliases: []string{"consent", "research_consent", "consent_to_research", "consented"}},
}

// Values DESIGN.md fixes that measures.json does not hold.
const (
	idMaxLength      = 100
	sessionNumberMin = 1
	sessionNumberMax = 500
	earliestDate     = "2000-01-01"
	noAdverseEvent   = "none"
)

var (
	missingValues = []string{"", "NA", "N/A", "n/a", "na", "null", "NULL", "-"}
	trueValues    = []string{"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "1"}
	falseValues   = []string{"false", "False", "FALSE", "no", "No", "NO", "n", "N", "0"}
	mymopItems    = []string{"mymop_symptom1", "mymop_symptom2", "mymop_activity", "mymop_wellbeing"}
)

// generate returns sessions.v1.json for the given measures.json.
func generate(measuresJSON []byte) ([]byte, error) {
	var m measures
	dec := json.NewDecoder(bytes.NewReader(measuresJSON))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse measures: %w", err)
	}
	if m.RecordSchemaVersion != "1" {
		return nil, fmt.Errorf("measures are for record schema %q, want 1", m.RecordSchemaVersion)
	}
	ts := tableSchema{
		Name:  "sessions",
		Title: "CST Outcomes session record, schema v1",
		Description: "One row per treatment session (DESIGN.md section 3). Ranges, enums and units are " +
			"taken from shared/domain/measures.json by schemas/gen.",
		Version:       1,
		Generated:     "generated by schemas/gen from shared/domain/measures.json; do not edit by hand",
		MissingValues: missingValues,
		PrimaryKey:    []string{"practitioner_id", "client_id", "session_number"},
		PIIClasses: piiClasses{
			Identifier: "direct identifier: never stored, replaced by a keyed hash; masked in every message",
			Quasi:      "quasi-identifier: stored, but published only under disclosure control",
			Outcome:    "analysis data, not identifying on its own",
		},
		Parsing: parsing,
	}
	for _, sp := range v1 {
		f, err := buildField(sp, m)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", sp.name, err)
		}
		ts.Fields = append(ts.Fields, f)
	}
	rules, derived, err := buildRules(m)
	if err != nil {
		return nil, err
	}
	ts.Rules, ts.Derived = rules, derived
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ts); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var parsing = parsingNote{
	Whitespace: "surrounding white space is removed from every value before any check",
	Missing:    "a value equal to one of missingValues (after trimming, case-sensitive) is missing",
	Names:      "source column names are matched to name and x-aliases after lower-casing and removing spaces, underscores and hyphens",
	Integer:    "digits with an optional sign; an exact decimal such as 7.0 or 7,0 is accepted, 7.5 is not",
	Number:     "decimal point, or a decimal comma when unambiguous (one comma, no point, one or two digits after it: 7,5); 1,500 is rejected as ambiguous",
	Date:       "YYYY-MM-DD; a timestamp at midnight (2024-03-01T00:00:00, optional fraction of zeros and Z or offset) is accepted; other layouts only with an explicit date_format",
	Boolean:    "trueValues and falseValues, matched without regard to case",
	Enum:       "matched without regard to case (x-caseInsensitive); stored as the value listed in enum",
}

func buildField(sp spec, m measures) (field, error) {
	f := field{
		Name: sp.name, Title: sp.title, Description: sp.desc, Type: sp.typ,
		Constraints: constraints{Required: sp.required},
		Aliases:     sp.aliases,
		PII:         piiClass(sp.name, m),
	}
	switch sp.name {
	case "practitioner_id", "client_id":
		f.Constraints.MaxLength = idMaxLength
	case "session_date":
		f.Format = "default"
		f.Constraints.Minimum = earliestDate
		f.MaximumRef = "ingest_date"
	case "session_number":
		f.Constraints.Minimum, f.Constraints.Maximum = sessionNumberMin, sessionNumberMax
	case "consent_research":
		f.TrueValues, f.FalseValues = trueValues, falseValues
		f.CaseInsensitive = true
	}
	if !sp.fromMeasures {
		return f, nil
	}
	ms, ok := m.Fields[sp.name]
	if !ok {
		return f, fmt.Errorf("not in measures.json")
	}
	return fromMeasure(f, ms)
}

func fromMeasure(f field, ms measure) (field, error) {
	f.Unit = ms.Unit
	switch ms.Type {
	case "integer", "number":
		f.Type = ms.Type
		if ms.Min == nil || ms.Max == nil {
			return f, fmt.Errorf("%s without min and max", ms.Type)
		}
		f.Constraints.Minimum, f.Constraints.Maximum = *ms.Min, *ms.Max
		if len(ms.RawAllowed) > 0 {
			return allowedNumbers(f, ms)
		}
	case "enum":
		f.Type = "string"
		f.CaseInsensitive = true
		var vals []string
		if err := json.Unmarshal(ms.RawAllowed, &vals); err != nil || len(vals) == 0 {
			return f, fmt.Errorf("enum without allowed_values: %v", err)
		}
		for _, v := range vals {
			f.Constraints.Enum = append(f.Constraints.Enum, v)
		}
	default:
		return f, fmt.Errorf("unexpected type %q", ms.Type)
	}
	return f, nil
}

// allowedNumbers adds an integer field's achievable values (HIT-6) and checks them against
// the range and the listed impossible values.
func allowedNumbers(f field, ms measure) (field, error) {
	var vals []json.Number
	dec := json.NewDecoder(bytes.NewReader(ms.RawAllowed))
	dec.UseNumber()
	if err := dec.Decode(&vals); err != nil {
		return f, fmt.Errorf("allowed_values: %w", err)
	}
	lo, _ := ms.Min.Int64()
	hi, _ := ms.Max.Int64()
	var allowed []int64
	for _, v := range vals {
		n, err := v.Int64()
		if err != nil || n < lo || n > hi {
			return f, fmt.Errorf("allowed value %s not an integer in %d..%d", v, lo, hi)
		}
		allowed = append(allowed, n)
		f.Constraints.Enum = append(f.Constraints.Enum, v)
	}
	for _, v := range ms.InvalidValuesInRange {
		n, _ := v.Int64()
		if slices.Contains(allowed, n) {
			return f, fmt.Errorf("%d is both allowed and invalid", n)
		}
	}
	if len(ms.ItemScores) > 0 {
		f.Description += " Item scores: " + joinNumbers(ms.ItemScores) + "."
	}
	return f, nil
}

func joinNumbers(ns []json.Number) string {
	var b bytes.Buffer
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.String())
	}
	return b.String()
}

func piiClass(name string, m measures) string {
	switch {
	case name == "practitioner_id" || name == "client_id":
		return "identifier"
	case slices.Contains(m.Disclosure.QuasiIdentifiers, name):
		return "quasi"
	}
	return "outcome"
}

func buildRules(m measures) ([]rule, []field, error) {
	ae, ok := m.Fields["adverse_event"]
	if !ok {
		return nil, nil, fmt.Errorf("adverse_event not in measures.json")
	}
	var sev []string
	if err := json.Unmarshal(ae.RawAllowed, &sev); err != nil || !slices.Contains(sev, noAdverseEvent) {
		return nil, nil, fmt.Errorf("adverse_event has no %q level", noAdverseEvent)
	}
	prof, ok := m.Fields["mymop_profile"]
	if !ok || prof.Min == nil || prof.Max == nil {
		return nil, nil, fmt.Errorf("mymop_profile (with min and max) not in measures.json")
	}
	var requires []string
	for _, item := range mymopItems {
		if m.Fields[item].Type != "integer" {
			return nil, nil, fmt.Errorf("%s not an integer item in measures.json", item)
		}
		if m.Fields[item].Required {
			requires = append(requires, item)
		}
	}
	rules := []rule{{
		Name: "adverse_event_type_iff_adverse_event", Kind: "required_iff", Rule: "cross_field",
		Field: "adverse_event_type",
		When:  &whenCond{Field: "adverse_event", NotIn: []string{noAdverseEvent}},
		Description: "adverse_event_type is required exactly when adverse_event is not none, and must be empty when it is none (measures.json: " +
			ae.Validation + ")",
	}, {
		Name: "mymop_profile", Kind: "mean", Field: "mymop_profile",
		Fields: mymopItems, Requires: requires,
		Description: "mymop_profile = " + prof.Formula + "; " + prof.ProjectRule +
			". Not a violation when items are missing: the profile is then left empty.",
	}}
	derived := []field{{
		Name: "mymop_profile", Title: "MYMOP profile", Type: "number",
		Description: "Derived on ingest, never read from the source: " + prof.Formula + ". Valid values: " +
			prof.AllowedValuesRule + ".",
		Constraints: constraints{Minimum: *prof.Min, Maximum: *prof.Max},
		PII:         "outcome",
		Unit:        "MYMOP item score (mean)",
	}}
	return rules, derived, nil
}
