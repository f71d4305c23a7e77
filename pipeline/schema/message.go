package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// why is the precise reason behind a rule violation; it picks the message.
type why uint8

const (
	whyTooLong why = iota + 1
	whyNotListed
	whyNotInteger
	whyFraction
	whyAmbiguous
	whyOutOfRange
	whyNotAchievable
	whyNotNumber
	whyNotDate
	whyHasTime
	whyTooEarly
	whyFuture
	whyNotBool
	whyControl
)

// problem is what a field check found wrong; the zero value means nothing.
type problem struct {
	rule Rule
	why  why
	day  int32 // dates out of range
}

// required builds the violation for a missing required value.
func (v *Validator) required(line int, sp *spec, col int) Violation {
	return Violation{
		File: v.file, Line: line, Column: sp.name, ColumnIndex: col + 1, Rule: RuleRequired,
		Detail:  "missing",
		Message: fmt.Sprintf("%s is missing on line %d; it is required", sp.name, line),
	}
}

// violation builds the violation for a present value that broke a rule.
func (v *Validator) violation(line int, sp *spec, col int, val string, p problem) Violation {
	shown := truncate(val)
	if sp.identifier {
		shown = Masked
	}
	detail, msg := v.explain(line, sp, val, shown, p)
	return Violation{
		File: v.file, Line: line, Column: sp.name, ColumnIndex: col + 1, Rule: p.rule,
		Value: shown, Detail: detail, Message: msg,
	}
}

func (v *Validator) explain(line int, sp *spec, val, shown string, p problem) (detail, msg string) {
	is := fmt.Sprintf("%s is %q on line %d", sp.name, shown, line)
	switch p.why {
	case whyTooLong:
		return fmt.Sprintf("value longer than %d bytes", sp.maxLen),
			fmt.Sprintf("%s on line %d is %d characters long; an identifier may have at most %d", sp.name, line, len(val), sp.maxLen)
	case whyControl:
		c := controlName(val[controlAt(val):])
		return "identifier contains " + c,
			fmt.Sprintf("%s on line %d contains %s at character %d; an identifier must be printable text (the file may be damaged, or was exported with the wrong settings)",
				sp.name, line, c, utf8.RuneCountInString(val[:controlAt(val)])+1)
	case whyNotListed:
		allowed := strings.Join(sp.enum, ", ")
		return fmt.Sprintf("%q not one of %s", shown, allowed), is + "; allowed: " + allowed
	case whyNotInteger, whyFraction:
		return fmt.Sprintf("%q is not a whole number", shown),
			fmt.Sprintf("%s; it must be a whole number in %s", is, sp.rangeText)
	case whyAmbiguous:
		return fmt.Sprintf("%q is ambiguous", shown),
			is + "; the comma could be a thousands separator or a decimal comma: write the number with a decimal point (7.5) and no thousands separator"
	case whyOutOfRange:
		return fmt.Sprintf("%s not in %s", shown, sp.rangeText),
			fmt.Sprintf("%s is %s on line %d; allowed: %s", sp.name, shown, line, sp.rangeText)
	case whyNotAchievable:
		return fmt.Sprintf("%s is not an achievable total (%s cannot occur)", shown, sp.gaps),
			fmt.Sprintf("%s is %s on line %d; it is within %s but is not an achievable total: %s cannot occur, so a score was probably added up wrongly",
				sp.name, shown, line, sp.rangeText, sp.gaps)
	case whyNotNumber:
		return fmt.Sprintf("%q is not a number", shown),
			fmt.Sprintf("%s; it must be a number in %s, such as 7.5", is, sp.rangeText)
	case whyNotDate:
		detail = fmt.Sprintf("%q is not a YYYY-MM-DD date", shown)
		if v.opt.DateHint != "" {
			return detail, is + ", not a date (YYYY-MM-DD); " + DateHintText(v.opt.DateHint)
		}
		return detail, is + "; write dates as " + v.dateFormats()
	case whyHasTime:
		return fmt.Sprintf("%q has a time of day", shown), is + "; a session date has no time of day: give the date only (YYYY-MM-DD)"
	case whyTooEarly:
		return fmt.Sprintf("%s before %s", civilFromDays(p.day), sp.minDateStr),
			fmt.Sprintf("%s is %s on line %d, before %s, the earliest date accepted", sp.name, civilFromDays(p.day), line, sp.minDateStr)
	case whyFuture:
		return fmt.Sprintf("%s after the ingest date %s", civilFromDays(p.day), v.todayS),
			fmt.Sprintf("%s is %s on line %d, after the ingest date %s; a session cannot be in the future", sp.name, civilFromDays(p.day), line, v.todayS)
	case whyNotBool:
		return fmt.Sprintf("%q is not yes or no", shown), is + "; allowed: yes or no (also true/false, y/n, 1/0)"
	}
	return string(p.rule), is
}

// controlName names the control character or invalid byte at the start of s without
// showing any of the value around it: "a control character (U+0000)".
func controlName(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("a byte that is not UTF-8 (0x%02X)", s[0])
	}
	return fmt.Sprintf("a control character (%U)", r)
}

func (v *Validator) dateFormats() string {
	if v.opt.DateFormat != "" {
		return fmt.Sprintf("YYYY-MM-DD (e.g. 2024-03-01) or in the configured format %q", v.opt.DateFormat)
	}
	return "YYYY-MM-DD, e.g. 2024-03-01"
}

// crossViolation builds the violation of the required_iff rule: either the target is given
// although the condition exempts it (given), or it is missing although required.
func (v *Validator) crossViolation(line int, cr *crossRule, col int, targetVal, condVal string, given bool) Violation {
	target, cond := v.s.specs[cr.target].name, v.s.specs[cr.cond].name
	vi := Violation{File: v.file, Line: line, Column: target, ColumnIndex: col + 1, Rule: cr.rule, Value: targetVal}
	if given {
		vi.Detail = fmt.Sprintf("%q given but %s is %q", targetVal, cond, condVal)
		vi.Message = fmt.Sprintf("%s is %q on line %d but %s is %q; leave %s empty, or record the event's severity in %s",
			target, targetVal, line, cond, condVal, target, cond)
		return vi
	}
	vi.Detail = fmt.Sprintf("missing while %s is %q", cond, condVal)
	vi.Message = fmt.Sprintf("%s is missing on line %d but %s is %q; give the type of event (allowed: %s)",
		target, line, cond, condVal, strings.Join(v.s.specs[cr.target].enum, ", "))
	return vi
}
