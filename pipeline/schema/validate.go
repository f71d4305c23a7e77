package schema

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Int is an optional integer value: Valid is false when the value is missing or invalid.
type Int struct {
	V     int32
	Valid bool
}

// Float is an optional number: Valid is false when the value is missing, invalid or (for a
// derived value) not computable.
type Float struct {
	V     float64
	Valid bool
}

// Session is one validated row of schema v1, typed. Fields that broke a rule are left at
// their zero value (Valid false); the violations say why.
type Session struct {
	// PractitionerID and ClientID are trimmed of surrounding white space only. The ingest
	// pseudonymises them; they are never stored.
	PractitionerID, ClientID string
	SessionDate              int32 // days since 1970-01-01 (Arrow date32)
	SessionNumber            int32

	// Enum values, spelt as in the schema ("CST"); "" when missing (the optional ones).
	Modality, PresentingComplaint, AgeBand, Sex, AdverseEvent, AdverseEventType string

	PainBefore, PainAfter, SleepQuality, HeadacheDays, HIT6     Int
	MymopSymptom1, MymopSymptom2, MymopActivity, MymopWellbeing Int
	SleepHours                                                  Float
	// MymopProfile is derived: the mean of mymop_symptom1, mymop_symptom2 (if present),
	// mymop_activity and mymop_wellbeing, computed only when symptom1, activity and wellbeing
	// are all present and valid.
	MymopProfile Float

	// Consent is true only for a valid "yes" in consent_research; see [Classify].
	Consent bool
}

// Options are the per-file choices of a validation.
type Options struct {
	// DateFormat is a date format accepted for session_date besides ISO 8601: a pattern
	// such as "dd/mm/yyyy" or a Go layout such as "02/01/2006" (see [DateLayout]); ""
	// accepts ISO 8601 only.
	DateFormat string
	// DateHint is a date format that would read every session_date of the file, from
	// [Validator.DateFormatHint] after a first pass over it; the messages of its dates that
	// do not parse then say so, naming the --date-format flag ([DateHintText]).
	DateHint string
	// Today is the ingest date: session dates after it are out of range. Its calendar date is
	// taken in its own location. It is required: the date is an input (the command's --today),
	// never read from the clock here, so the same file validates the same way on any day.
	Today time.Time
}

// Validator validates the rows of one file. It is not safe for concurrent use: give each
// goroutine its own.
type Validator struct {
	s       *Schema
	file    string
	cols    []int // per field: source column or -1
	opt     Options
	layout  string // the Go layout of opt.DateFormat
	dates   dateStats
	today   int32
	todayS  string
	ids     idCopier
	lastIDs [2]string // last practitioner and client id returned, for reuse
}

// NewValidator returns a validator for the rows of file (the name used in violations), whose
// columns are mapped by m (from s.Map).
// It panics if m was made by another schema or opt.Today is zero (a programmer's mistake).
func (s *Schema) NewValidator(file string, m *Mapping, opt Options) *Validator {
	if m.schema != s {
		panic("schema: NewValidator with a Mapping of another schema")
	}
	if opt.Today.IsZero() {
		panic("schema: NewValidator without Options.Today (the ingest date is an input)")
	}
	layout, err := DateLayout(opt.DateFormat)
	if err != nil {
		layout = opt.DateFormat // reads nothing, and the messages show it as given
	}
	return &Validator{
		s: s, file: file, cols: m.Index, opt: opt, layout: layout,
		today: dayOf(opt.Today), todayS: opt.Today.Format(time.DateOnly),
	}
}

// DateFormatHint returns the date format (such as "dd/mm/yyyy") that would read every
// session_date validated so far, when none of them parsed and all read as day, month and
// year in one order (see [Options].DateHint); "" otherwise. Call it after the last row.
func (v *Validator) DateFormatHint() string {
	h := v.dates.hint()
	if l, _ := DateLayout(h); h == "" || l == v.layout {
		return ""
	}
	return h
}

// Validate checks one source row. fields is indexed by source column (as the header) and may
// alias a buffer the caller reuses: nothing returned aliases it. It returns the typed row and
// the rule violations, nil when there are none; a row with no violation has every required
// field set. line is the source line put in violations.
func (v *Validator) Validate(line int, fields []string) (Session, []Violation) {
	var (
		sess Session
		out  []Violation
	)
	present := [numSlots]bool{}
	for i := range v.s.specs {
		sp := &v.s.specs[i]
		col := v.cols[i]
		raw := ""
		if col >= 0 && col < len(fields) {
			raw = fields[col]
		}
		val := trim(raw)
		if v.s.missing.is(val) {
			if sp.required {
				out = append(out, v.required(line, sp, col))
			}
			continue
		}
		if bad := v.field(&sess, sp, val); bad.rule != "" {
			out = append(out, v.violation(line, sp, col, val, bad))
			continue
		}
		present[sp.slot] = true
	}
	out = v.crossField(line, &sess, present[:], out)
	v.deriveProfile(&sess, present[:])
	return sess, out
}

// trim is strings.TrimSpace with a fast path for the usual value, which starts and ends with a
// printable ASCII byte.
func trim(s string) string {
	if len(s) > 0 && s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80 {
		return s
	}
	return strings.TrimSpace(s)
}

// field parses and checks one present value into sess; it returns the zero problem, or what
// is wrong.
func (v *Validator) field(sess *Session, sp *spec, val string) problem {
	switch sp.kind {
	case kindID:
		return v.setID(sess, sp, val)
	case kindEnum:
		return setEnum(sess, sp, val)
	case kindInt:
		return setInt(sess, sp, val)
	case kindNumber:
		return setNumber(sess, sp, val)
	case kindDate:
		return v.setDate(sess, sp, val)
	case kindBool:
		return setBool(sess, sp, val)
	}
	return problem{}
}

func (v *Validator) setID(sess *Session, sp *spec, val string) problem {
	if sp.maxLen > 0 && len(val) > sp.maxLen {
		return problem{rule: RuleRange, why: whyTooLong}
	}
	if controlAt(val) >= 0 {
		return problem{rule: RuleType, why: whyControl}
	}
	last := &v.lastIDs[0]
	dst := &sess.PractitionerID
	if sp.slot == slotClientID {
		last, dst = &v.lastIDs[1], &sess.ClientID
	}
	if *last != val {
		*last = v.ids.copy(val)
	}
	*dst = *last
	return problem{}
}

// controlAt returns the byte index of the first control character in s (C0, DEL or C1, such
// as NUL, a tab or a line break inside the value), or of its first invalid UTF-8 byte, or -1.
// An identifier holding one is not the id a person typed: "C1\x00" would otherwise be
// pseudonymised as a client other than "C1", and such a value cannot be shown or searched for.
func controlAt(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return i
		} else if c >= 0x80 {
			return controlRuneAt(s, i)
		}
	}
	return -1
}

// controlRuneAt is controlAt's slow path from s[i:], the first non-ASCII byte.
func controlRuneAt(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unicode.IsControl(r) {
			return i
		}
		i += size
	}
	return -1
}

func setEnum(sess *Session, sp *spec, val string) problem {
	canon, ok := lookupEnum(sp, val)
	if !ok {
		return problem{rule: RuleEnum, why: whyNotListed}
	}
	*enumSlot(sess, sp.slot) = canon
	return problem{}
}

// lookupEnum returns the schema's spelling of val, trying the exact spelling first (the usual
// case). Short lists are scanned, which beats hashing; long ones go through the map.
func lookupEnum(sp *spec, val string) (string, bool) {
	if len(sp.enum) > 8 {
		return lookupEnumMap(sp, val)
	}
	for _, e := range sp.enum {
		if e == val {
			return e, true
		}
	}
	if !sp.fold {
		return "", false
	}
	var buf [maxFoldLen]byte
	low, ok := lowerInto(&buf, val)
	if !ok {
		return "", false
	}
	for i, e := range sp.enumLower {
		if e == string(low) {
			return sp.enum[i], true
		}
	}
	return "", false
}

func lookupEnumMap(sp *spec, val string) (string, bool) {
	if c, ok := sp.lookup[val]; ok || !sp.fold {
		return c, ok
	}
	var buf [maxFoldLen]byte
	low, ok := lowerInto(&buf, val)
	if !ok {
		return "", false
	}
	c, ok := sp.lookup[string(low)] // no allocation: the conversion is only a map key
	return c, ok
}

func enumSlot(sess *Session, sl slot) *string {
	switch sl {
	case slotModality:
		return &sess.Modality
	case slotPresentingComplaint:
		return &sess.PresentingComplaint
	case slotAgeBand:
		return &sess.AgeBand
	case slotSex:
		return &sess.Sex
	case slotAdverseEvent:
		return &sess.AdverseEvent
	}
	return &sess.AdverseEventType
}

func setInt(sess *Session, sp *spec, val string) problem {
	n, res := parseInt(val)
	switch res {
	case intNotNum:
		return problem{rule: RuleType, why: whyNotInteger}
	case intFraction:
		return problem{rule: RuleType, why: whyFraction}
	case intAmbig:
		return problem{rule: RuleType, why: whyAmbiguous}
	case intOverflow:
		return problem{rule: RuleRange, why: whyOutOfRange}
	}
	if n < sp.lo || n > sp.hi {
		return problem{rule: RuleRange, why: whyOutOfRange}
	}
	if sp.allowed != nil && !sp.allowed[n-sp.lo] {
		return problem{rule: RuleEnum, why: whyNotAchievable}
	}
	if sp.slot == slotSessionNumber {
		sess.SessionNumber = int32(n)
		return problem{}
	}
	*intSlot(sess, sp.slot) = Int{V: int32(n), Valid: true}
	return problem{}
}

func intSlot(sess *Session, sl slot) *Int {
	switch sl {
	case slotPainBefore:
		return &sess.PainBefore
	case slotPainAfter:
		return &sess.PainAfter
	case slotSleepQuality:
		return &sess.SleepQuality
	case slotHeadacheDays:
		return &sess.HeadacheDays
	case slotHIT6:
		return &sess.HIT6
	case slotMymopSymptom1:
		return &sess.MymopSymptom1
	case slotMymopSymptom2:
		return &sess.MymopSymptom2
	case slotMymopActivity:
		return &sess.MymopActivity
	}
	return &sess.MymopWellbeing
}

func setNumber(sess *Session, sp *spec, val string) problem {
	f, res := parseNumber(val)
	switch res {
	case numNotNum:
		return problem{rule: RuleType, why: whyNotNumber}
	case numAmbig:
		return problem{rule: RuleType, why: whyAmbiguous}
	}
	if f < sp.flo || f > sp.fhi {
		return problem{rule: RuleRange, why: whyOutOfRange}
	}
	sess.SleepHours = Float{V: f, Valid: true}
	return problem{}
}

func (v *Validator) setDate(sess *Session, sp *spec, val string) problem {
	v.dates.seen++
	d, res := parseDate(val)
	if res == dateBad && v.layout != "" {
		if t, err := time.Parse(v.layout, val); err == nil {
			d, res = dayOf(t), dateOK
		}
	}
	switch res {
	case dateBad:
		v.dates.failed(val)
		return problem{rule: RuleType, why: whyNotDate}
	case dateHasTime:
		return problem{rule: RuleType, why: whyHasTime}
	}
	if d < sp.minDate {
		return problem{rule: RuleRange, why: whyTooEarly, day: d}
	}
	if sp.maxToday && d > v.today {
		return problem{rule: RuleRange, why: whyFuture, day: d}
	}
	sess.SessionDate = d
	return problem{}
}

func setBool(sess *Session, sp *spec, val string) problem {
	b, ok := sp.boolVals[val]
	if !ok && sp.fold {
		var buf [maxFoldLen]byte
		if low, ok2 := lowerInto(&buf, val); ok2 {
			b, ok = sp.boolVals[string(low)]
		}
	}
	if !ok {
		return problem{rule: RuleType, why: whyNotBool}
	}
	sess.Consent = b
	return problem{}
}

// crossField applies the required_iff rule: adverse_event_type is required exactly when
// adverse_event is present, valid and not none. Nothing is checked when adverse_event itself
// is missing or invalid (that is already a violation).
func (v *Validator) crossField(line int, sess *Session, present []bool, out []Violation) []Violation {
	cr := &v.s.cross
	if !cr.ok {
		return out
	}
	cond, target := &v.s.specs[cr.cond], &v.s.specs[cr.target]
	if !present[cond.slot] {
		return out
	}
	condVal := *enumSlot(sess, cond.slot)
	exempt := false
	for _, n := range cr.notIn {
		exempt = exempt || n == condVal
	}
	targetVal := *enumSlot(sess, target.slot)
	col := v.cols[cr.target]
	switch {
	case exempt && targetVal != "":
		*enumSlot(sess, target.slot) = ""
		return append(out, v.crossViolation(line, cr, col, targetVal, condVal, true))
	case !exempt && targetVal == "" && !v.hasViolation(out, target.name):
		return append(out, v.crossViolation(line, cr, col, "", condVal, false))
	}
	return out
}

func (v *Validator) hasViolation(out []Violation, column string) bool {
	for i := range out {
		if out[i].Column == column {
			return true
		}
	}
	return false
}

// deriveProfile sets MymopProfile by the mean rule.
func (v *Validator) deriveProfile(sess *Session, present []bool) {
	pr := &v.s.profile
	if !pr.ok {
		return
	}
	for _, sl := range pr.requires {
		if !present[sl] {
			return
		}
	}
	sum, n := 0, 0
	for _, sl := range pr.inputs {
		if present[sl] {
			sum += int(intSlot(sess, sl).V)
			n++
		}
	}
	sess.MymopProfile = Float{V: float64(sum) / float64(n), Valid: true}
}

// idCopier copies identifier strings into large blocks, so that a row costs no allocation.
// A block is never written again where a string was cut from it, so the strings stay
// immutable; a kept string keeps its whole block (64 KiB) alive.
type idCopier struct {
	block []byte
}

const idBlockSize = 64 << 10

func (c *idCopier) copy(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > idBlockSize/16 {
		return strings.Clone(s)
	}
	if cap(c.block)-len(c.block) < len(s) {
		c.block = make([]byte, 0, idBlockSize)
	}
	start := len(c.block)
	c.block = append(c.block, s...)
	return unsafe.String(&c.block[start], len(s))
}

// Disposition is what the ingest does with a validated row.
type Disposition uint8

const (
	Accepted    Disposition = iota // stored in sessions
	Excluded                       // consent refused: counted, never stored
	Quarantined                    // stored in quarantine, one row per violation
)

func (d Disposition) String() string {
	switch d {
	case Accepted:
		return "accepted"
	case Excluded:
		return "excluded"
	}
	return "quarantined"
}

// Classify decides a row's fate from Validate's result: a valid "no" in consent_research
// excludes the row whatever else is wrong with it (it must not be kept, even in quarantine);
// otherwise any violation quarantines it, including a missing or invalid consent_research.
func Classify(sess Session, violations []Violation) Disposition {
	consentBad := false
	for i := range violations {
		consentBad = consentBad || violations[i].Column == slotInfo[slotConsent].name
	}
	switch {
	case !sess.Consent && !consentBad:
		return Excluded
	case len(violations) > 0:
		return Quarantined
	}
	return Accepted
}
