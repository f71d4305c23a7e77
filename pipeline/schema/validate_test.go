package schema

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// testToday is the ingest date of every test.
var testToday = time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)

const testLine = 42

// validRow is a row with every field valid; cases override some fields.
func validRow() map[string]string {
	return map[string]string{
		"practitioner_id": "P001", "client_id": "C0001", "session_date": "2024-03-01",
		"session_number": "3", "modality": "CST", "presenting_complaint": "neck_pain",
		"age_band": "30-44", "sex": "female", "pain_before": "6", "pain_after": "4",
		"sleep_quality": "5", "sleep_hours": "6.5", "headache_days": "4", "hit6": "58",
		"mymop_symptom1": "4", "mymop_symptom2": "", "mymop_activity": "3", "mymop_wellbeing": "2",
		"adverse_event": "none", "adverse_event_type": "", "consent_research": "yes",
	}
}

// validate runs one row, given as overrides of validRow, through a validator on benchHeader.
func validate(t testing.TB, opt Options, override map[string]string) (Session, []Violation) {
	t.Helper()
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Today.IsZero() {
		opt.Today = testToday
	}
	row := validRow()
	for k, v := range override {
		if _, ok := row[k]; !ok {
			t.Fatalf("no field %q", k)
		}
		row[k] = v
	}
	fields := make([]string, len(benchHeader))
	for i, h := range benchHeader {
		fields[i] = row[h]
	}
	if opt.Today.IsZero() {
		opt.Today = testToday
	}
	return s.NewValidator("visits.csv", m, opt).Validate(testLine, fields)
}

type ruleCase struct {
	name  string
	field string
	value string
	opt   Options
	// wantRule is the rule broken, "" for none.
	wantRule Rule
	// wantMsg must appear in the violation's Message.
	wantMsg string
	// check, when set, inspects the Session of a valid row.
	check func(Session) bool
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sess, vs := validate(t, tc.opt, map[string]string{tc.field: tc.value})
			if tc.wantRule == "" {
				if len(vs) != 0 {
					t.Fatalf("%s=%q: unexpected violations: %v", tc.field, tc.value, ErrorList(vs))
				}
				if tc.check != nil && !tc.check(sess) {
					t.Errorf("%s=%q: session %+v", tc.field, tc.value, sess)
				}
				return
			}
			if len(vs) != 1 {
				t.Fatalf("%s=%q: got %d violations (%v), want one %s", tc.field, tc.value, len(vs), ErrorList(vs), tc.wantRule)
			}
			v := vs[0]
			if v.Rule != tc.wantRule || v.Column != tc.field || v.Line != testLine || v.File != "visits.csv" {
				t.Errorf("got %v (rule %s, column %s, line %d), want rule %s on %s", v, v.Rule, v.Column, v.Line, tc.wantRule, tc.field)
			}
			if !errors.Is(v, tc.wantRule.Err()) {
				t.Errorf("errors.Is(%v, %v) = false", v, tc.wantRule.Err())
			}
			if !strings.Contains(v.Message, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", v.Message, tc.wantMsg)
			}
		})
	}
}

func intIs(get func(Session) Int, want int32) func(Session) bool {
	return func(s Session) bool { g := get(s); return g.Valid && g.V == want }
}

func TestValidateInteger(t *testing.T) {
	painAfter := func(s Session) Int { return s.PainAfter }
	runRuleCases(t, []ruleCase{
		{name: "plain", field: "pain_after", value: "7", check: intIs(painAfter, 7)},
		{name: "surrounding spaces", field: "pain_after", value: " 7 ", check: intIs(painAfter, 7)},
		{name: "tab and CR", field: "pain_after", value: "\t7\r", check: intIs(painAfter, 7)},
		{name: "exact .0", field: "pain_after", value: "7.0", check: intIs(painAfter, 7)},
		{name: "exact .00", field: "pain_after", value: "7.00", check: intIs(painAfter, 7)},
		{name: "exact decimal comma", field: "pain_after", value: "7,0", check: intIs(painAfter, 7)},
		{name: "plus sign", field: "pain_after", value: "+7", check: intIs(painAfter, 7)},
		{name: "leading zero", field: "pain_after", value: "07", check: intIs(painAfter, 7)},
		{name: "zero", field: "pain_after", value: "0", check: intIs(painAfter, 0)},
		{name: "minus zero", field: "pain_after", value: "-0", check: intIs(painAfter, 0)},
		{name: "maximum", field: "pain_after", value: "10", check: intIs(painAfter, 10)},
		{name: "empty is missing", field: "pain_after", value: "", check: func(s Session) bool { return !s.PainAfter.Valid }},
		{name: "NA is missing", field: "pain_after", value: "NA", check: func(s Session) bool { return !s.PainAfter.Valid }},
		{name: "spaces only is missing", field: "pain_after", value: "   ", check: func(s Session) bool { return !s.PainAfter.Valid }},
		{name: "above range", field: "pain_after", value: "11", wantRule: RuleRange, wantMsg: "pain_after is 11 on line 42; allowed: 0..10"},
		{name: "negative", field: "pain_after", value: "-1", wantRule: RuleRange, wantMsg: "allowed: 0..10"},
		{name: "huge", field: "pain_after", value: "99999999999999999999999", wantRule: RuleRange, wantMsg: "allowed: 0..10"},
		{name: "fraction", field: "pain_after", value: "7.5", wantRule: RuleType, wantMsg: `pain_after is "7.5" on line 42; it must be a whole number in 0..10`},
		{name: "decimal comma fraction", field: "pain_after", value: "7,5", wantRule: RuleType, wantMsg: "whole number"},
		{name: "word", field: "pain_after", value: "seven", wantRule: RuleType, wantMsg: `"seven"`},
		{name: "exponent", field: "pain_after", value: "7e0", wantRule: RuleType, wantMsg: "whole number"},
		{name: "thousands separator", field: "pain_after", value: "1,000", wantRule: RuleType, wantMsg: "thousands separator"},
		{name: "trailing dot", field: "pain_after", value: "7.", wantRule: RuleType, wantMsg: "whole number"},
		{name: "inner space", field: "pain_after", value: "1 0", wantRule: RuleType, wantMsg: "whole number"},
		{name: "sign only", field: "pain_after", value: "+", wantRule: RuleType, wantMsg: "whole number"},
		{name: "session number minimum", field: "session_number", value: "1", check: func(s Session) bool { return s.SessionNumber == 1 }},
		{name: "session number maximum", field: "session_number", value: "500.0", check: func(s Session) bool { return s.SessionNumber == 500 }},
		{name: "session number zero", field: "session_number", value: "0", wantRule: RuleRange, wantMsg: "session_number is 0 on line 42; allowed: 1..500"},
		{name: "session number 501", field: "session_number", value: "501", wantRule: RuleRange, wantMsg: "allowed: 1..500"},
		{name: "session number missing", field: "session_number", value: "", wantRule: RuleRequired, wantMsg: "session_number is missing on line 42; it is required"},
		{name: "headache days 28", field: "headache_days", value: "28", check: intIs(func(s Session) Int { return s.HeadacheDays }, 28)},
		{name: "headache days 29", field: "headache_days", value: "29", wantRule: RuleRange, wantMsg: "allowed: 0..28"},
		{name: "sleep quality 11", field: "sleep_quality", value: "11", wantRule: RuleRange, wantMsg: "allowed: 0..10"},
		{name: "mymop item 7", field: "mymop_activity", value: "7", wantRule: RuleRange, wantMsg: "allowed: 0..6"},
	})
}

func TestValidateHIT6(t *testing.T) {
	hit6 := func(s Session) Int { return s.HIT6 }
	cases := []ruleCase{
		{name: "lowest", field: "hit6", value: "36", check: intIs(hit6, 36)},
		{name: "38", field: "hit6", value: "38", check: intIs(hit6, 38)},
		{name: "40", field: "hit6", value: "40", check: intIs(hit6, 40)},
		{name: "76", field: "hit6", value: "76", check: intIs(hit6, 76)},
		{name: "highest", field: "hit6", value: "78", check: intIs(hit6, 78)},
		{name: "below range", field: "hit6", value: "35", wantRule: RuleRange, wantMsg: "hit6 is 35 on line 42; allowed: 36..78"},
		{name: "above range", field: "hit6", value: "79", wantRule: RuleRange, wantMsg: "allowed: 36..78"},
	}
	for _, v := range []string{"37", "39", "77", "77.0"} {
		cases = append(cases, ruleCase{name: "impossible " + v, field: "hit6", value: v, wantRule: RuleEnum,
			wantMsg: "is within 36..78 but is not an achievable total: 37, 39 and 77 cannot occur"})
	}
	runRuleCases(t, cases)
}

func TestValidateNumber(t *testing.T) {
	hours := func(want float64) func(Session) bool {
		return func(s Session) bool { return s.SleepHours.Valid && s.SleepHours.V == want }
	}
	runRuleCases(t, []ruleCase{
		{name: "decimal point", field: "sleep_hours", value: "7.5", check: hours(7.5)},
		{name: "integer", field: "sleep_hours", value: "7", check: hours(7)},
		{name: "decimal comma", field: "sleep_hours", value: "7,5", check: hours(7.5)},
		{name: "decimal comma two digits", field: "sleep_hours", value: " 7,25 ", check: hours(7.25)},
		{name: "leading point", field: "sleep_hours", value: ".5", check: hours(0.5)},
		{name: "zero", field: "sleep_hours", value: "0", check: hours(0)},
		{name: "24", field: "sleep_hours", value: "24.0", check: hours(24)},
		{name: "above range", field: "sleep_hours", value: "24.5", wantRule: RuleRange, wantMsg: "sleep_hours is 24.5 on line 42; allowed: 0..24"},
		{name: "negative", field: "sleep_hours", value: "-0.5", wantRule: RuleRange, wantMsg: "allowed: 0..24"},
		{name: "ambiguous comma", field: "sleep_hours", value: "7,500", wantRule: RuleType, wantMsg: "thousands separator or a decimal comma"},
		{name: "comma and point", field: "sleep_hours", value: "1,000.5", wantRule: RuleType, wantMsg: "thousands separator"},
		{name: "two commas", field: "sleep_hours", value: "1,5,0", wantRule: RuleType, wantMsg: "thousands separator"},
		{name: "word", field: "sleep_hours", value: "seven", wantRule: RuleType, wantMsg: `sleep_hours is "seven" on line 42; it must be a number in 0..24`},
		{name: "NaN", field: "sleep_hours", value: "NaN", wantRule: RuleType, wantMsg: "must be a number"},
		{name: "Inf", field: "sleep_hours", value: "Inf", wantRule: RuleType, wantMsg: "must be a number"},
		{name: "hex", field: "sleep_hours", value: "0x7", wantRule: RuleType, wantMsg: "must be a number"},
		{name: "two points", field: "sleep_hours", value: "7.5.1", wantRule: RuleType, wantMsg: "must be a number"},
		{name: "hours unit", field: "sleep_hours", value: "7h", wantRule: RuleType, wantMsg: "must be a number"},
	})
}

func dateIs(y int, m time.Month, d int) func(Session) bool {
	want := int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	return func(s Session) bool { return s.SessionDate == want }
}

func TestValidateDate(t *testing.T) {
	dmy := Options{DateFormat: "02/01/2006"}
	runRuleCases(t, []ruleCase{
		{name: "ISO", field: "session_date", value: "2024-03-01", check: dateIs(2024, 3, 1)},
		{name: "epoch arithmetic", field: "session_date", value: "2000-01-01", check: func(s Session) bool { return s.SessionDate == 10957 }},
		{name: "leap day", field: "session_date", value: "2024-02-29", check: dateIs(2024, 2, 29)},
		{name: "ingest date", field: "session_date", value: "2026-11-24", check: dateIs(2026, 11, 24)},
		{name: "midnight timestamp", field: "session_date", value: "2024-03-01T00:00:00", check: dateIs(2024, 3, 1)},
		{name: "midnight with space", field: "session_date", value: "2024-03-01 00:00", check: dateIs(2024, 3, 1)},
		{name: "midnight with fraction and Z", field: "session_date", value: "2024-03-01T00:00:00.000Z", check: dateIs(2024, 3, 1)},
		{name: "midnight with offset", field: "session_date", value: "2024-03-01T00:00:00+02:00", check: dateIs(2024, 3, 1)},
		{name: "configured layout", field: "session_date", value: "01/03/2024", opt: dmy, check: dateIs(2024, 3, 1)},
		{name: "ISO with configured layout", field: "session_date", value: "2024-03-01", opt: dmy, check: dateIs(2024, 3, 1)},
		{name: "configured pattern", field: "session_date", value: "31/01/2024", opt: Options{DateFormat: "dd/mm/yyyy"}, check: dateIs(2024, 1, 31)},
		{name: "configured pattern one digit", field: "session_date", value: "1.3.2024", opt: Options{DateFormat: "dd.mm.yyyy"}, check: dateIs(2024, 3, 1)},
		{name: "configured pattern month first", field: "session_date", value: "01/31/24", opt: Options{DateFormat: "mm/dd/yy"}, check: dateIs(2024, 1, 31)},
		{name: "configured pattern wrong order", field: "session_date", value: "31/01/2024", opt: Options{DateFormat: "mm/dd/yyyy"}, wantRule: RuleType, wantMsg: `configured format "mm/dd/yyyy"`},
		{name: "hint", field: "session_date", value: "31/01/2024", opt: Options{DateHint: "dd/mm/yyyy"}, wantRule: RuleType,
			wantMsg: `session_date is "31/01/2024" on line 42, not a date (YYYY-MM-DD); every date of this file fails like this: if the file writes dates day first, ingest it with --date-format dd/mm/yyyy`},
		{name: "hint month first", field: "session_date", value: "01/31/2024", opt: Options{DateHint: "mm/dd/yyyy"}, wantRule: RuleType,
			wantMsg: "if the file writes dates month first, ingest it with --date-format mm/dd/yyyy"},
		{name: "time of day", field: "session_date", value: "2024-03-01T14:30:00", wantRule: RuleType, wantMsg: "a session date has no time of day"},
		{name: "day-month without layout", field: "session_date", value: "01/03/2024", wantRule: RuleType, wantMsg: `session_date is "01/03/2024" on line 42; write dates as YYYY-MM-DD`},
		{name: "bad with layout", field: "session_date", value: "2024/03/01", opt: dmy, wantRule: RuleType, wantMsg: `configured format "02/01/2006"`},
		{name: "30 February", field: "session_date", value: "2024-02-30", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "29 February of a common year", field: "session_date", value: "2023-02-29", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "month 13", field: "session_date", value: "2024-13-01", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "no zero padding", field: "session_date", value: "2024-3-1", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "garbage after date", field: "session_date", value: "2024-03-01x", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "trailing colon", field: "session_date", value: "2024-03-01T00:00:", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "hours only", field: "session_date", value: "2024-03-01T00", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "bad zone", field: "session_date", value: "2024-03-01T00:00:00CET", wantRule: RuleType, wantMsg: "YYYY-MM-DD"},
		{name: "before 2000", field: "session_date", value: "1999-12-31", wantRule: RuleRange, wantMsg: "session_date is 1999-12-31 on line 42, before 2000-01-01, the earliest date accepted"},
		{name: "after the ingest date", field: "session_date", value: "2026-11-25", wantRule: RuleRange, wantMsg: "session_date is 2026-11-25 on line 42, after the ingest date 2026-11-24"},
		{name: "missing", field: "session_date", value: "", wantRule: RuleRequired, wantMsg: "session_date is missing"},
	})
}

func TestValidateEnum(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "canonical", field: "modality", value: "CST+SER", check: func(s Session) bool { return s.Modality == "CST+SER" }},
		{name: "lower case", field: "modality", value: "cst", check: func(s Session) bool { return s.Modality == "CST" }},
		{name: "spaces and mixed case", field: "modality", value: " Cst+Ser ", check: func(s Session) bool { return s.Modality == "CST+SER" }},
		{name: "complaint upper case", field: "presenting_complaint", value: "NECK_PAIN", check: func(s Session) bool { return s.PresentingComplaint == "neck_pain" }},
		{name: "age band", field: "age_band", value: "75+", check: func(s Session) bool { return s.AgeBand == "75+" }},
		{name: "optional sex missing", field: "sex", value: "", check: func(s Session) bool { return s.Sex == "" }},
		{name: "optional age band missing", field: "age_band", value: "n/a", check: func(s Session) bool { return s.AgeBand == "" }},
		{name: "modality typo", field: "modality", value: "CTS", wantRule: RuleEnum, wantMsg: `modality is "CTS" on line 42; allowed: CST, SER, CST+SER`},
		{name: "complaint with space", field: "presenting_complaint", value: "neck pain", wantRule: RuleEnum, wantMsg: "allowed: headache, migraine, neck_pain"},
		{name: "sex code", field: "sex", value: "F", wantRule: RuleEnum, wantMsg: "allowed: female, male, other, unknown"},
		{name: "non-ASCII", field: "modality", value: "ＣＳＴ", wantRule: RuleEnum, wantMsg: "allowed: CST"},
		{name: "modality missing", field: "modality", value: "", wantRule: RuleRequired, wantMsg: "modality is missing on line 42; it is required"},
		{name: "complaint missing", field: "presenting_complaint", value: "null", wantRule: RuleRequired, wantMsg: "presenting_complaint is missing"},
		{name: "adverse event missing", field: "adverse_event", value: "", wantRule: RuleRequired, wantMsg: "adverse_event is missing"},
	})
}

func TestValidateBoolean(t *testing.T) {
	var cases []ruleCase
	for _, v := range []string{"yes", "YES", "Yes", "y", "Y", "true", "True", "TRUE", "1", " yes "} {
		cases = append(cases, ruleCase{name: "true " + v, field: "consent_research", value: v, check: func(s Session) bool { return s.Consent }})
	}
	for _, v := range []string{"no", "NO", "n", "N", "false", "False", "0", "nO"} {
		cases = append(cases, ruleCase{name: "false " + v, field: "consent_research", value: v, check: func(s Session) bool { return !s.Consent }})
	}
	cases = append(cases,
		ruleCase{name: "maybe", field: "consent_research", value: "maybe", wantRule: RuleType, wantMsg: `consent_research is "maybe" on line 42; allowed: yes or no`},
		ruleCase{name: "2", field: "consent_research", value: "2", wantRule: RuleType, wantMsg: "allowed: yes or no"},
		ruleCase{name: "missing", field: "consent_research", value: "", wantRule: RuleRequired, wantMsg: "consent_research is missing"},
	)
	runRuleCases(t, cases)
}

func TestValidateIdentifier(t *testing.T) {
	long := strings.Repeat("x", 101)
	runRuleCases(t, []ruleCase{
		{name: "trimmed", field: "client_id", value: "  C 7\t", check: func(s Session) bool { return s.ClientID == "C 7" }},
		{name: "inner case kept", field: "practitioner_id", value: "pRaC-01", check: func(s Session) bool { return s.PractitionerID == "pRaC-01" }},
		{name: "100 characters", field: "client_id", value: long[:100], check: func(s Session) bool { return s.ClientID == long[:100] }},
		{name: "too long", field: "client_id", value: long, wantRule: RuleRange, wantMsg: "client_id on line 42 is 101 characters long; an identifier may have at most 100"},
		{name: "practitioner missing", field: "practitioner_id", value: "", wantRule: RuleRequired, wantMsg: "practitioner_id is missing on line 42"},
		{name: "client missing", field: "client_id", value: "NA", wantRule: RuleRequired, wantMsg: "client_id is missing"},
		{name: "non-ASCII kept", field: "client_id", value: "Zoë-7", check: func(s Session) bool { return s.ClientID == "Zoë-7" }},
		{name: "NUL inside", field: "client_id", value: "C1\x00", wantRule: RuleType,
			wantMsg: "client_id on line 42 contains a control character (U+0000) at character 3; an identifier must be printable text"},
		{name: "NUL inside practitioner", field: "practitioner_id", value: "P\x001", wantRule: RuleType, wantMsg: "practitioner_id on line 42 contains a control character (U+0000) at character 2"},
		{name: "tab inside", field: "client_id", value: "C\t1", wantRule: RuleType, wantMsg: "(U+0009)"},
		{name: "line break inside", field: "client_id", value: "C\n1", wantRule: RuleType, wantMsg: "(U+000A)"},
		{name: "DEL", field: "client_id", value: "C1\x7f", wantRule: RuleType, wantMsg: "(U+007F)"},
		{name: "C1 control after non-ASCII", field: "client_id", value: "Zoë\u0085x", wantRule: RuleType, wantMsg: "(U+0085) at character 4"},
		{name: "invalid UTF-8", field: "client_id", value: "C\xff1", wantRule: RuleType, wantMsg: "a byte that is not UTF-8 (0xFF)"},
	})
}

// TestIdentifierControlMasked checks that an identifier rejected for a control character is
// not echoed, not even the printable part of it.
func TestIdentifierControlMasked(t *testing.T) {
	_, vs := validate(t, Options{}, map[string]string{"client_id": "Jane\x00Doe", "practitioner_id": "Dr\x01Who"})
	if len(vs) != 2 {
		t.Fatalf("got %v, want two violations", ErrorList(vs))
	}
	for _, v := range vs {
		if v.Value != Masked || v.Rule != RuleType {
			t.Errorf("%s: Value, Rule = %q, %s; want %q, type", v.Column, v.Value, v.Rule, Masked)
		}
		for _, s := range []string{v.Message, v.Detail, v.Error()} {
			if strings.Contains(s, "Jane") || strings.Contains(s, "Doe") || strings.Contains(s, "Who") || strings.ContainsRune(s, 0) {
				t.Errorf("%s: %q reveals the identifier", v.Column, s)
			}
		}
	}
}

// TestIdentifierMasked checks that no violation of an identifier column reveals its value.
func TestIdentifierMasked(t *testing.T) {
	secret := "Jane-Doe-1970-" + strings.Repeat("s", 100)
	_, vs := validate(t, Options{}, map[string]string{"client_id": secret, "practitioner_id": secret})
	if len(vs) != 2 {
		t.Fatalf("got %v, want two violations", ErrorList(vs))
	}
	for _, v := range vs {
		if v.Value != Masked {
			t.Errorf("%s: Value = %q, want %q", v.Column, v.Value, Masked)
		}
		for _, s := range []string{v.Message, v.Detail, v.Error()} {
			if strings.Contains(s, "Jane") {
				t.Errorf("%s: %q reveals the identifier", v.Column, s)
			}
		}
	}
}

func TestValidateCrossField(t *testing.T) {
	tests := []struct {
		name         string
		event, type_ string
		wantRules    []Rule // in order of the row's columns
		wantMsg      string
		wantType     string
	}{
		{name: "none without type", event: "none", type_: ""},
		{name: "NONE without type", event: "NONE", type_: "NA"},
		{name: "mild with type", event: "mild", type_: "headache", wantType: "headache"},
		{name: "type case folded", event: "Serious", type_: "Emotional_Reaction", wantType: "emotional_reaction"},
		{name: "mild without type", event: "mild", type_: "", wantRules: []Rule{RuleCrossField},
			wantMsg: `adverse_event_type is missing on line 42 but adverse_event is "mild"; give the type of event (allowed: headache, dizziness`},
		{name: "type with none", event: "none", type_: "nausea", wantRules: []Rule{RuleCrossField},
			wantMsg: `adverse_event_type is "nausea" on line 42 but adverse_event is "none"; leave adverse_event_type empty`},
		{name: "bad type with none", event: "none", type_: "sneezing", wantRules: []Rule{RuleEnum}, wantMsg: `adverse_event_type is "sneezing"`},
		{name: "bad type with event", event: "severe", type_: "sneezing", wantRules: []Rule{RuleEnum}, wantMsg: "allowed: headache, dizziness"},
		{name: "bad event without type", event: "bad", type_: "", wantRules: []Rule{RuleEnum}, wantMsg: `adverse_event is "bad"`},
		{name: "missing event with type", event: "", type_: "nausea", wantRules: []Rule{RuleRequired}, wantMsg: "adverse_event is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, vs := validate(t, Options{}, map[string]string{"adverse_event": tt.event, "adverse_event_type": tt.type_})
			if len(vs) != len(tt.wantRules) {
				t.Fatalf("got %v, want rules %v", ErrorList(vs), tt.wantRules)
			}
			for i, v := range vs {
				if v.Rule != tt.wantRules[i] || !strings.Contains(v.Message, tt.wantMsg) {
					t.Errorf("got %s %q, want %s containing %q", v.Rule, v.Message, tt.wantRules[i], tt.wantMsg)
				}
			}
			if len(vs) == 0 && sess.AdverseEventType != tt.wantType {
				t.Errorf("AdverseEventType = %q, want %q", sess.AdverseEventType, tt.wantType)
			}
		})
	}
}

func TestCrossFieldWithoutTypeColumn(t *testing.T) {
	s := Latest()
	h := slices.DeleteFunc(slices.Clone(benchHeader), func(c string) bool { return c == "adverse_event_type" })
	m, err := s.Map(h)
	if err != nil {
		t.Fatal(err)
	}
	row := validRow()
	row["adverse_event"] = "moderate"
	var fields []string
	for _, c := range h {
		fields = append(fields, row[c])
	}
	_, vs := s.NewValidator("x.csv", m, Options{Today: testToday}).Validate(3, fields)
	if len(vs) != 1 || vs[0].Rule != RuleCrossField || vs[0].ColumnIndex != 0 || vs[0].Column != "adverse_event_type" {
		t.Errorf("got %#v, want one cross_field violation on adverse_event_type without a column index", vs)
	}
}

func TestMymopProfile(t *testing.T) {
	tests := []struct {
		name               string
		s1, s2, act, wb    string
		want               float64
		valid, wantViolate bool
	}{
		{name: "three items", s1: "2", act: "3", wb: "4", want: 3, valid: true},
		{name: "four items", s1: "2", s2: "5", act: "3", wb: "4", want: 3.5, valid: true},
		{name: "thirds", s1: "1", act: "0", wb: "0", want: 1.0 / 3, valid: true},
		{name: "all zero", s1: "0", act: "0", wb: "0", want: 0, valid: true},
		{name: "all six", s1: "6", s2: "6", act: "6", wb: "6", want: 6, valid: true},
		{name: "no wellbeing", s1: "2", s2: "5", act: "3"},
		{name: "no symptom1", s2: "5", act: "3", wb: "4"},
		{name: "no activity", s1: "2", wb: "4"},
		{name: "nothing"},
		{name: "invalid symptom1", s1: "9", act: "3", wb: "4", wantViolate: true},
		{name: "invalid symptom2", s1: "2", s2: "x", act: "3", wb: "4", wantViolate: true, want: 3, valid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, vs := validate(t, Options{}, map[string]string{
				"mymop_symptom1": tt.s1, "mymop_symptom2": tt.s2, "mymop_activity": tt.act, "mymop_wellbeing": tt.wb})
			if (len(vs) > 0) != tt.wantViolate {
				t.Errorf("violations %v, want some: %v", ErrorList(vs), tt.wantViolate)
			}
			p := sess.MymopProfile
			if p.Valid != tt.valid || (p.Valid && math.Abs(p.V-tt.want) > 1e-12) {
				t.Errorf("MymopProfile = %+v, want valid %v value %v", p, tt.valid, tt.want)
			}
		})
	}
}

func TestViolationFields(t *testing.T) {
	_, vs := validate(t, Options{}, map[string]string{"pain_after": "11"})
	if len(vs) != 1 {
		t.Fatalf("got %v", ErrorList(vs))
	}
	v := vs[0]
	want := Violation{File: "visits.csv", Line: 42, Column: "pain_after", ColumnIndex: 10, Rule: RuleRange,
		Value: "11", Message: "pain_after is 11 on line 42; allowed: 0..10", Detail: "11 not in 0..10"}
	if v != want {
		t.Errorf("got  %#v\nwant %#v", v, want)
	}
	if got, want := v.Error(), `visits.csv:42:10: column "pain_after": rule range: 11 not in 0..10`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(v, ErrRange) || errors.Is(v, ErrEnum) {
		t.Error("errors.Is does not match the rule's sentinel only")
	}
}

func TestViolationValueTruncated(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	_, vs := validate(t, Options{}, map[string]string{"modality": long})
	if len(vs) != 1 {
		t.Fatalf("got %v", ErrorList(vs))
	}
	v := vs[0].Value
	if len(v) > maxValueLen+len("…") || !strings.HasSuffix(v, "…") || !strings.HasPrefix(v, "éé") {
		t.Errorf("Value = %q (%d bytes), want at most %d bytes of the value and an ellipsis", v, len(v), maxValueLen)
	}
}

func TestViolationErrorFormats(t *testing.T) {
	tests := []struct {
		v    Violation
		want string
	}{
		{Violation{File: "a.csv", Line: 3, Column: "hit6", ColumnIndex: 2, Rule: RuleEnum, Detail: "37 is not an achievable total"},
			`a.csv:3:2: column "hit6": rule enum: 37 is not an achievable total`},
		{Violation{File: "a.csv", Line: 3, Column: "adverse_event_type", Rule: RuleCrossField, Detail: "missing"},
			`a.csv:3: column "adverse_event_type": rule cross_field: missing`},
		{Violation{File: "a.jsonl", Line: 9, Rule: RuleParse, Message: "line 9 is not valid JSON"},
			`a.jsonl:9: rule parse: line 9 is not valid JSON`},
		{Violation{Line: 9, Rule: RuleDuplicateInFile, Message: "same as line 4"},
			`9: rule duplicate_in_file: same as line 4`},
	}
	for _, tt := range tests {
		if got := tt.v.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	for _, r := range Rules {
		if r.Err() == nil || !errors.Is(Violation{Rule: r}, r.Err()) {
			t.Errorf("rule %s has no sentinel", r)
		}
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Error("empty list: Err() != nil")
	}
	l.Add(Violation{File: "b.csv", Line: 1, Rule: RuleParse, Message: "x"})
	l.Add(Violation{File: "a.csv", Line: 7, ColumnIndex: 2, Column: "hit6", Rule: RuleRange, Detail: "99 not in 36..78"})
	l.Add(Violation{File: "a.csv", Line: 7, ColumnIndex: 1, Column: "pain_after", Rule: RuleRange, Detail: "11 not in 0..10"})
	l.Add(Violation{File: "a.csv", Line: 3, ColumnIndex: 5, Column: "sex", Rule: RuleEnum, Detail: "bad"})
	l.Sort()
	var order []int
	for _, v := range l {
		order = append(order, v.Line*10+v.ColumnIndex)
	}
	if want := []int{35, 71, 72, 10}; !equalInts(order, want) {
		t.Errorf("sorted order %v, want %v", order, want)
	}
	want := `a.csv:3:5: column "sex": rule enum: bad (and 3 more errors)`
	if got := l.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var list ErrorList
	if err := l.Err(); !errors.As(err, &list) || len(list) != 4 {
		t.Errorf("errors.As(Err()) = %v", err)
	}
	if got := l[:1].Error(); got != `a.csv:3:5: column "sex": rule enum: bad` {
		t.Errorf("one error: %q", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		override map[string]string
		want     Disposition
	}{
		{"valid", nil, Accepted},
		{"consent no", map[string]string{"consent_research": "no"}, Excluded},
		{"consent no with other violations", map[string]string{"consent_research": "N", "pain_after": "11", "client_id": ""}, Excluded},
		{"consent yes with a violation", map[string]string{"pain_after": "11"}, Quarantined},
		{"consent missing", map[string]string{"consent_research": ""}, Quarantined},
		{"consent invalid", map[string]string{"consent_research": "maybe"}, Quarantined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, vs := validate(t, Options{}, tt.override)
			if got := Classify(sess, vs); got != tt.want {
				t.Errorf("Classify = %v, want %v (violations %v)", got, tt.want, ErrorList(vs))
			}
		})
	}
}

// TestValidateDoesNotAliasInput overwrites the caller's buffer after Validate and checks that
// the Session and violations are unchanged.
func TestValidateDoesNotAliasInput(t *testing.T) {
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	v := s.NewValidator("x.csv", m, Options{Today: testToday})
	row := validRow()
	row["modality"], row["pain_after"] = "cst", "99"
	var buf []byte
	var spans [][2]int
	for _, h := range benchHeader {
		spans = append(spans, [2]int{len(buf), len(buf) + len(row[h])})
		buf = append(buf, row[h]...)
	}
	fields := make([]string, len(spans))
	for i, sp := range spans {
		if sp[1] > sp[0] {
			fields[i] = unsafe.String(&buf[sp[0]], sp[1]-sp[0])
		}
	}
	sess, vs := v.Validate(2, fields)
	for i := range buf {
		buf[i] = '#'
	}
	if sess.PractitionerID != "P001" || sess.ClientID != "C0001" || sess.Modality != "CST" ||
		sess.PresentingComplaint != "neck_pain" {
		t.Errorf("session aliases the input: %+v", sess)
	}
	if len(vs) != 1 || vs[0].Value != "99" {
		t.Errorf("violation aliases the input: %v", ErrorList(vs))
	}
}

func TestValidateShortRow(t *testing.T) {
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	_, vs := s.NewValidator("x.csv", m, Options{Today: testToday}).Validate(5, []string{"P1", "C1"})
	var missing []string
	for _, v := range vs {
		if v.Rule != RuleRequired {
			t.Errorf("unexpected %v", v)
		}
		missing = append(missing, v.Column)
	}
	want := "session_date session_number modality presenting_complaint adverse_event consent_research"
	if got := strings.Join(missing, " "); got != want {
		t.Errorf("required violations for %q, want %q", got, want)
	}
}

// TestValidatorNeedsToday: the ingest date is an input; a validator never reads the clock.
func TestValidatorNeedsToday(t *testing.T) {
	s := Latest()
	m, _ := s.Map(benchHeader)
	defer func() {
		if recover() == nil {
			t.Error("no panic for a zero Options.Today")
		}
	}()
	s.NewValidator("x.csv", m, Options{})
}
