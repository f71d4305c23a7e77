package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// kind is how a field's text is parsed.
type kind uint8

const (
	kindID     kind = iota // free text identifier, masked in violations
	kindEnum               // string with an enum constraint
	kindInt                // integer
	kindNumber             // number (float64)
	kindDate               // date (days since 1970-01-01)
	kindBool               // boolean
)

// slot is the Session field a schema field fills.
type slot uint8

const (
	slotPractitionerID slot = iota
	slotClientID
	slotSessionDate
	slotSessionNumber
	slotModality
	slotPresentingComplaint
	slotAgeBand
	slotSex
	slotPainBefore
	slotPainAfter
	slotSleepQuality
	slotSleepHours
	slotHeadacheDays
	slotHIT6
	slotMymopSymptom1
	slotMymopSymptom2
	slotMymopActivity
	slotMymopWellbeing
	slotAdverseEvent
	slotAdverseEventType
	slotConsent
	numSlots
)

// slotInfo names the schema field behind each Session field and the kind it must have.
var slotInfo = [numSlots]struct {
	name string
	kind kind
}{
	slotPractitionerID:      {"practitioner_id", kindID},
	slotClientID:            {"client_id", kindID},
	slotSessionDate:         {"session_date", kindDate},
	slotSessionNumber:       {"session_number", kindInt},
	slotModality:            {"modality", kindEnum},
	slotPresentingComplaint: {"presenting_complaint", kindEnum},
	slotAgeBand:             {"age_band", kindEnum},
	slotSex:                 {"sex", kindEnum},
	slotPainBefore:          {"pain_before", kindInt},
	slotPainAfter:           {"pain_after", kindInt},
	slotSleepQuality:        {"sleep_quality", kindInt},
	slotSleepHours:          {"sleep_hours", kindNumber},
	slotHeadacheDays:        {"headache_days", kindInt},
	slotHIT6:                {"hit6", kindInt},
	slotMymopSymptom1:       {"mymop_symptom1", kindInt},
	slotMymopSymptom2:       {"mymop_symptom2", kindInt},
	slotMymopActivity:       {"mymop_activity", kindInt},
	slotMymopWellbeing:      {"mymop_wellbeing", kindInt},
	slotAdverseEvent:        {"adverse_event", kindEnum},
	slotAdverseEventType:    {"adverse_event_type", kindEnum},
	slotConsent:             {"consent_research", kindBool},
}

// spec is a compiled field: everything Validate needs, precomputed.
type spec struct {
	name       string
	slot       slot
	kind       kind
	required   bool
	identifier bool
	maxLen     int // identifiers: longest accepted value in bytes; 0 = no limit

	lo, hi    int64  // integers
	allowed   []bool // integers with an enum: allowed[v-lo]
	gaps      string // integers with an enum: the impossible values in range, "37, 39 and 77"
	flo, fhi  float64
	rangeText string // "0..10"

	enum      []string          // enums: canonical values
	enumLower []string          // enums: lower-cased canonical values, parallel to enum
	lookup    map[string]string // enums: canonical and lower-cased value → canonical
	boolVals  map[string]bool   // booleans: lower-cased text → value
	fold      bool              // match enums and booleans without regard to case

	minDate    int32 // dates: earliest day (days since epoch)
	minDateStr string
	maxToday   bool // dates: not after the ingest date
}

func slotOf(name string) (slot, bool) {
	for i, si := range slotInfo {
		if si.name == name {
			return slot(i), true
		}
	}
	return 0, false
}

func kindOf(ff fileField) (kind, error) {
	switch ff.Type {
	case "string":
		if len(ff.Constraints.Enum) > 0 {
			return kindEnum, nil
		}
		return kindID, nil
	case "integer":
		return kindInt, nil
	case "number":
		return kindNumber, nil
	case "date":
		return kindDate, nil
	case "boolean":
		return kindBool, nil
	}
	return 0, fmt.Errorf("unsupported type %q", ff.Type)
}

func compileField(ff fileField) (spec, error) {
	sl, ok := slotOf(ff.Name)
	if !ok {
		return spec{}, fmt.Errorf("unknown to this program (no Session field)")
	}
	k, err := kindOf(ff)
	if err != nil {
		return spec{}, err
	}
	if k != slotInfo[sl].kind {
		return spec{}, fmt.Errorf("type %q does not fit its Session field", ff.Type)
	}
	sp := spec{
		name: ff.Name, slot: sl, kind: k, required: ff.Constraints.Required,
		identifier: ff.PII == PIIIdentifier, fold: ff.CaseInsensitive,
		maxLen: ff.Constraints.MaxLength,
	}
	switch k {
	case kindInt:
		err = compileInt(&sp, ff)
	case kindNumber:
		err = compileNumber(&sp, ff)
	case kindDate:
		err = compileDate(&sp, ff)
	case kindEnum:
		err = compileEnum(&sp, ff)
	case kindBool:
		err = compileBool(&sp, ff)
	case kindID:
		if !sp.identifier {
			err = fmt.Errorf("a string without enum must be an identifier (x-pii)")
		}
	}
	return sp, err
}

func compileInt(sp *spec, ff fileField) error {
	sp.lo, sp.hi = math.MinInt32, math.MaxInt32
	c := ff.Constraints
	for _, b := range []struct {
		raw []byte
		dst *int64
	}{{c.Minimum, &sp.lo}, {c.Maximum, &sp.hi}} {
		if len(b.raw) == 0 {
			continue
		}
		v, err := strconv.ParseInt(string(b.raw), 10, 32)
		if err != nil {
			return fmt.Errorf("bound %s: %w", b.raw, err)
		}
		*b.dst = v
	}
	if sp.lo > sp.hi {
		return fmt.Errorf("minimum %d above maximum %d", sp.lo, sp.hi)
	}
	sp.rangeText = fmt.Sprintf("%d..%d", sp.lo, sp.hi)
	if len(c.Enum) == 0 {
		return nil
	}
	if sp.hi-sp.lo > 1<<16 {
		return fmt.Errorf("enum needs a narrow minimum..maximum")
	}
	sp.allowed = make([]bool, sp.hi-sp.lo+1)
	for _, e := range c.Enum {
		v, err := strconv.ParseInt(string(e), 10, 64)
		if err != nil || v < sp.lo || v > sp.hi {
			return fmt.Errorf("enum value %s not an integer in %s", e, sp.rangeText)
		}
		sp.allowed[v-sp.lo] = true
	}
	var gaps []string
	for i, ok := range sp.allowed {
		if !ok {
			gaps = append(gaps, strconv.FormatInt(sp.lo+int64(i), 10))
		}
	}
	sp.gaps = joinAnd(gaps)
	return nil
}

// joinAnd joins "a", "b", "c" as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func compileNumber(sp *spec, ff fileField) error {
	sp.flo, sp.fhi = math.Inf(-1), math.Inf(1)
	c := ff.Constraints
	var err error
	if len(c.Minimum) > 0 {
		if sp.flo, err = strconv.ParseFloat(string(c.Minimum), 64); err != nil {
			return err
		}
	}
	if len(c.Maximum) > 0 {
		if sp.fhi, err = strconv.ParseFloat(string(c.Maximum), 64); err != nil {
			return err
		}
	}
	sp.rangeText = fmt.Sprintf("%s..%s", rawText(c.Minimum), rawText(c.Maximum))
	return nil
}

func compileDate(sp *spec, ff fileField) error {
	if ff.Format != "" && ff.Format != "default" {
		return fmt.Errorf("date format %q: only \"default\" (ISO 8601) is supported", ff.Format)
	}
	sp.minDate = math.MinInt32
	if m := rawText(ff.Constraints.Minimum); m != "" {
		d, ok := parseISODate(m)
		if !ok {
			return fmt.Errorf("minimum %q is not a YYYY-MM-DD date", m)
		}
		sp.minDate, sp.minDateStr = d, m
	}
	switch ff.MaximumRef {
	case "":
	case "ingest_date":
		sp.maxToday = true
	default:
		return fmt.Errorf("x-maximum %q: only \"ingest_date\" is supported", ff.MaximumRef)
	}
	return nil
}

func compileEnum(sp *spec, ff fileField) error {
	sp.lookup = map[string]string{}
	for _, e := range ff.Constraints.Enum {
		v := rawText(e)
		if v == "" || len(v) > maxFoldLen {
			return fmt.Errorf("enum value %q: empty or too long", v)
		}
		keys := []string{v}
		if sp.fold {
			keys = append(keys, strings.ToLower(v))
		}
		for _, k := range keys {
			if c, dup := sp.lookup[k]; dup && c != v {
				return fmt.Errorf("enum values %q and %q differ only in case", c, v)
			}
			sp.lookup[k] = v
		}
		sp.enum = append(sp.enum, v)
		sp.enumLower = append(sp.enumLower, strings.ToLower(v))
	}
	return nil
}

func compileBool(sp *spec, ff fileField) error {
	sp.boolVals = map[string]bool{}
	for _, set := range []struct {
		vals []string
		b    bool
	}{{ff.TrueValues, true}, {ff.FalseValues, false}} {
		if len(set.vals) == 0 {
			return fmt.Errorf("boolean without trueValues and falseValues")
		}
		for _, v := range set.vals {
			k := v
			if sp.fold {
				k = strings.ToLower(v)
			}
			if old, dup := sp.boolVals[k]; (dup && old != set.b) || len(k) > maxFoldLen {
				return fmt.Errorf("boolean value %q is both true and false, or too long", v)
			}
			sp.boolVals[k] = set.b
		}
	}
	return nil
}

// crossRule: target is required exactly when cond's value is present and not in notIn, and
// must be empty when cond's value is in notIn (adverse_event_type and adverse_event).
type crossRule struct {
	ok     bool
	target int // field index
	cond   int // field index
	notIn  []string
	rule   Rule
}

// meanRule: target = mean of the present inputs, computed only when every required input is
// present (mymop_profile).
type meanRule struct {
	ok       bool
	inputs   []slot
	requires []slot
}

func (s *Schema) compileRules(rules []fileRule) error {
	for _, r := range rules {
		var err error
		switch r.Kind {
		case "required_iff":
			err = s.compileCross(r)
		case "mean":
			err = s.compileMean(r)
		default:
			err = fmt.Errorf("unsupported kind %q", r.Kind)
		}
		if err != nil {
			return fmt.Errorf("schema: rule %q: %w", r.Name, err)
		}
	}
	return nil
}

func (s *Schema) compileCross(r fileRule) error {
	if s.cross.ok {
		return fmt.Errorf("only one required_iff rule is supported")
	}
	if r.When == nil {
		return fmt.Errorf("no when")
	}
	t, c := s.index(r.Field), s.index(r.When.Field)
	if t < 0 || c < 0 || s.specs[t].kind != kindEnum || s.specs[c].kind != kindEnum {
		return fmt.Errorf("fields %q and %q must be enum fields of the schema", r.Field, r.When.Field)
	}
	if r.Rule.Err() == nil {
		return fmt.Errorf("unknown rule code %q", r.Rule)
	}
	cr := crossRule{ok: true, target: t, cond: c, rule: r.Rule}
	for _, v := range r.When.NotIn {
		canon, ok := s.specs[c].lookup[v]
		if !ok {
			return fmt.Errorf("%q is not a value of %s", v, r.When.Field)
		}
		cr.notIn = append(cr.notIn, canon)
	}
	s.cross = cr
	return nil
}

func (s *Schema) compileMean(r fileRule) error {
	if r.Field != "mymop_profile" || s.profile.ok {
		return fmt.Errorf("only one mean rule, for mymop_profile, is supported")
	}
	m := meanRule{ok: true}
	for _, n := range r.Fields {
		i := s.index(n)
		if i < 0 || s.specs[i].kind != kindInt {
			return fmt.Errorf("input %q is not an integer field", n)
		}
		m.inputs = append(m.inputs, s.specs[i].slot)
	}
	for _, n := range r.Requires {
		i := s.index(n)
		if i < 0 || !containsSlot(m.inputs, s.specs[i].slot) {
			return fmt.Errorf("required input %q is not an input", n)
		}
		m.requires = append(m.requires, s.specs[i].slot)
	}
	if len(m.inputs) == 0 {
		return fmt.Errorf("no inputs")
	}
	s.profile = m
	return nil
}

func containsSlot(ss []slot, x slot) bool {
	for _, s := range ss {
		if s == x {
			return true
		}
	}
	return false
}

// missingSet answers "is this trimmed value missing?" without hashing most values: only a
// value whose length and first byte could match one of the missing values is looked up.
type missingSet struct {
	vals   map[string]bool
	first  [256]bool
	maxLen int
}

func newMissingSet(vals []string) missingSet {
	m := missingSet{vals: map[string]bool{}}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		m.vals[v] = true
		if v != "" {
			m.first[v[0]] = true
			m.maxLen = max(m.maxLen, len(v))
		}
	}
	return m
}

func (m *missingSet) is(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > m.maxLen || !m.first[s[0]] {
		return false
	}
	return m.vals[s]
}

// normalize is how column names are compared: lower-cased, without spaces (any white space),
// underscores, hyphens or byte-order marks.
func normalize(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}
