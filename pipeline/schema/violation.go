package schema

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule is the stable code of a validation rule (DESIGN.md section 3), used in the quarantine
// table, counts and reports.
type Rule string

// The rules. The last three are found by the ingest, not by [Validator.Validate].
const (
	RuleRange           Rule = "range"
	RuleEnum            Rule = "enum"
	RuleType            Rule = "type"
	RuleRequired        Rule = "required"
	RuleCrossField      Rule = "cross_field"
	RuleDuplicateInFile Rule = "duplicate_in_file"
	RuleConflictInFile  Rule = "conflict_in_file"
	RuleParse           Rule = "parse"
)

// Rules lists every rule code, in a fixed order (for reports and counts).
var Rules = []Rule{RuleRange, RuleEnum, RuleType, RuleRequired, RuleCrossField,
	RuleDuplicateInFile, RuleConflictInFile, RuleParse}

// Sentinels, one per rule: a [Violation] unwraps to the one for its rule, so
// errors.Is(v, schema.ErrRange) works.
var (
	ErrRange           = errors.New("schema: value out of range")
	ErrEnum            = errors.New("schema: value not allowed")
	ErrType            = errors.New("schema: value of the wrong type")
	ErrRequired        = errors.New("schema: required value missing")
	ErrCrossField      = errors.New("schema: fields inconsistent")
	ErrDuplicateInFile = errors.New("schema: duplicate row in file")
	ErrConflictInFile  = errors.New("schema: conflicting rows in file")
	ErrParse           = errors.New("schema: row could not be parsed")
)

// Err returns the sentinel error of the rule, or nil for an unknown code.
func (r Rule) Err() error {
	switch r {
	case RuleRange:
		return ErrRange
	case RuleEnum:
		return ErrEnum
	case RuleType:
		return ErrType
	case RuleRequired:
		return ErrRequired
	case RuleCrossField:
		return ErrCrossField
	case RuleDuplicateInFile:
		return ErrDuplicateInFile
	case RuleConflictInFile:
		return ErrConflictInFile
	case RuleParse:
		return ErrParse
	}
	return nil
}

// Masked replaces the value of an identifier column in every violation: a quarantined row
// never reveals a source id.
const Masked = "***"

// maxValueLen is the longest offending value a violation carries, in bytes (then "…").
const maxValueLen = 64

// Violation is one broken rule in one source row. It is what the quarantine table stores.
type Violation struct {
	File        string // source file name as given to NewValidator
	Line        int    // source line (or row number) a person would look for
	Column      string // schema field name; "" when the violation is not about one column
	ColumnIndex int    // 1-based source column; 0 when not a single source column
	Rule        Rule
	// Value is the offending value, trimmed, truncated to about 64 bytes, and [Masked] for
	// identifier columns. "" when missing.
	Value string
	// Message is a sentence a practitioner understands:
	// "pain_after is 11 on line 42; allowed: 0..10".
	Message string
	// Detail is the short technical form Error prints after the rule ("11 not in 0..10");
	// Error falls back to Message when it is empty.
	Detail string
}

// Error prints the violation as file:line:col: column "name": rule code: detail, e.g.
// visits.csv:4:7: column "pain_after": rule range: 11 not in 0..10.
func (v Violation) Error() string {
	var b strings.Builder
	if v.File != "" {
		b.WriteString(v.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.Itoa(v.Line))
	if v.ColumnIndex > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(v.ColumnIndex))
	}
	b.WriteString(": ")
	if v.Column != "" {
		b.WriteString("column ")
		b.WriteString(strconv.Quote(v.Column))
		b.WriteString(": ")
	}
	b.WriteString("rule ")
	b.WriteString(string(v.Rule))
	b.WriteString(": ")
	if v.Detail != "" {
		b.WriteString(v.Detail)
	} else {
		b.WriteString(v.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel of the violation's rule.
func (v Violation) Unwrap() error { return v.Rule.Err() }

// truncate returns a copy of s (never aliasing it) with invalid UTF-8 replaced, cut to at
// most maxValueLen bytes on a rune boundary and marked with "…" when cut.
func truncate(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxValueLen {
		return strings.Clone(s)
	}
	cut := maxValueLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut]) + "…"
}

// ErrorList collects violations (of one or many files) so that they can be reported together,
// sorted by position, as go/scanner.ErrorList does. The zero value is an empty list.
type ErrorList []Violation

// Add appends a violation.
func (l *ErrorList) Add(v Violation) { *l = append(*l, v) }

// Len, Swap and Less implement sort.Interface: by file, line, column index, column, rule.
func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := &l[i], &l[j]
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.ColumnIndex != b.ColumnIndex {
		return a.ColumnIndex < b.ColumnIndex
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Rule < b.Rule
}

// Sort sorts the list by position (stable, so violations at one position keep their order).
func (l ErrorList) Sort() { sort.Stable(l) }

// Error prints the first violation and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// RowViolation returns a violation of the whole row at line of the validator's file, for the
// rules the ingest finds (duplicate_in_file, conflict_in_file, parse). The message must not
// contain source values: it is stored and printed as is.
func (v *Validator) RowViolation(line int, rule Rule, detail, message string) Violation {
	return Violation{File: v.file, Line: line, Rule: rule, Detail: detail, Message: message}
}
