// Package measures reads the project's outcome-measure reference (schemas/measures.json, the
// source of truth for the domain facts, embedded in the binary) and evaluates its responder
// rules.
//
// For every field it gives the direction (higher_is_worse, higher_is_better, ...), the MCIDs
// (mcid_abs, mcid_pct; absent when none is established, as for sleep_quality) and the ids of its
// responder rules; for every responder definition the rule and its evaluability condition as
// text. The thresholds are never retyped in Go: [Responder.Evaluate] parses the rule text with a
// small expression language that covers the forms measures.json uses:
//
//	number | name | ( expr ) | expr op expr
//	op: * / (precedence 3), + - (2), < <= > >= == != (1), AND (0.5), OR (0)
//	"always" (as evaluable_if): true
//
// Names are before and after, or for a field-specific rule <field>_before and <field>_after
// (pain_before, pain_after). Rules that are not expressions (pain_ladder, a list of bands) parse
// to an error and are reported as such; they are not used as default rules.
//
// # Exactness
//
// Arithmetic is exact, on rationals (math/big.Rat): 10 → 7 is a reduction of exactly 30%, so
// pain_pct30 holds, where 0.3 in floating point would make it depend on rounding. A value read
// as float64 becomes a rational by [Exact]: a multiple of 1/12 (every integer score and every
// MYMOP profile, whose values are means of 3 or 4 integers) within 1e-9 is snapped to that
// multiple; any other value is taken at its shortest decimal representation. Division by zero
// makes a comparison false (the caller tests evaluability first: percentages need before ≥ 1).
package measures
