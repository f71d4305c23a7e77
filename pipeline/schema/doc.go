// Package schema loads the embedded session-record schemas (schemas/sessions.vN.json, a
// Frictionless Table Schema with x- properties) and validates source rows against them,
// producing typed [Session] values or [Violation]s.
//
// # Room
//
// It receives rows as strings with their source line numbers (pipeline/source reads files) and
// hands back typed values; it never reads files, hashes identifiers (pipeline/pseudo), detects
// duplicate rows (pipeline/ingest, which creates the duplicate_in_file, conflict_in_file and
// parse violations with the constants defined here) or writes anything.
//
// # Plan
//
//  1. [Load] or [Latest] parses and compiles a schema once: field kinds, ranges, enum lookup
//     tables, aliases (process-wide cache; a *Schema is immutable and safe for concurrent use).
//  2. [Schema.Map] matches a file's header to fields: names and x-aliases compared after
//     lower-casing and removing spaces, underscores and hyphens. A missing required column is a
//     [*MissingColumnsError]; two columns for one field a [*DuplicateColumnsError]; a header
//     with no field at all (no header row, or not a session export) an
//     [*UnmatchedHeaderError]; all reject the file before any row is read. Unknown columns are listed (never stored), and those whose
//     name suggests contact data or free text are listed again in [Mapping].PII.
//  3. [Schema.NewValidator] builds a [Validator] per file; [Validator.Validate] checks one row:
//     required, type, range, enum (HIT-6: achievable totals only), the cross-field rule on
//     adverse events, and derives mymop_profile.
//  4. [Classify] turns a row's result into accepted, excluded (consent refused) or quarantined.
//
// For the ingest's own findings, [Validator.RowViolation] builds a whole-row violation
// (duplicate_in_file, conflict_in_file, parse), and [ValueLooksPersonal] tells whether a value
// of an unknown column looks like contact data or free text, for the warning DESIGN.md asks
// for. [ErrorList] collects and sorts violations for printing.
//
// # Parsing rules
//
// Every value is trimmed of surrounding white space (strings.TrimSpace) first; a value equal to
// one of the schema's missingValues ("", "NA", "N/A", "n/a", "na", "null", "NULL", "-") is
// missing. Then, by type:
//
//   - integer: optional sign and digits ("7", " 7 ", "+7", "07"); an exact decimal is accepted
//     ("7.0", "7.00", and "7,0" with a decimal comma); "7.5" and "seven" are type violations.
//     "1,000" is a type violation (ambiguous: a thousands separator or a decimal comma?); a
//     point is always a decimal point, so "1.000" is 1. A whole number outside the int32 range
//     is a range violation.
//   - number: a decimal point ("7.5", "7", "7e0"), or a decimal comma when unambiguous: one
//     comma, no point, one or two digits after it ("7,5", "7,25"). "7,500" is ambiguous and a
//     type violation; so are "Inf" and "NaN".
//   - date: ISO 8601 YYYY-MM-DD, or a timestamp at midnight ("2024-03-01T00:00:00", "T00:00",
//     a space instead of T, fractions of zeros, "Z" or any offset): spreadsheets often add a
//     midnight time to dates. Any other time of day is a type violation (a session date has no
//     time). With [Options].DateFormat set, that format is accepted too: a pattern such as
//     dd/mm/yyyy or a Go layout ([DateLayout]); ISO still is: it cannot be confused with any
//     day-month layout. Dates before the schema's minimum (2000-01-01) or after
//     [Options].Today are range violations. When every date of a file fails and all read as
//     numbers in one order ("31/01/2024"), [Validator.DateFormatHint] names the format that
//     would read them; given back as [Options].DateHint, it goes into their messages.
//   - boolean: the schema's trueValues/falseValues without regard to case (true/false, yes/no,
//     y/n, 1/0).
//   - enum (string with an enum constraint): without regard to case; the Session gets the
//     schema's spelling ("cst" → "CST"), interned, so it costs no allocation.
//   - identifier (practitioner_id, client_id): any text up to maxLength (100) characters,
//     trimmed of surrounding white space and nothing else (the pseudonymisation hashes exactly
//     this). A control character inside (NUL, a tab, a line break, DEL, C1) or a byte that
//     is not UTF-8 breaks rule type: "C1\x00" is not the id a person typed, and would
//     otherwise become a client other than "C1". Violations on identifier columns never show
//     the value: it is masked as "***".
//
// # Consent
//
// Rows are validated in full whatever their consent. A row whose consent_research is a valid
// "no" is excluded (counted, never stored) even if other fields have violations; a row whose
// consent_research is missing or invalid is quarantined, since nobody may assume either answer.
// [Classify] encodes this.
//
// # Performance
//
// Validate does no allocation on the happy path: integers, dates and booleans are parsed by
// hand, enums and booleans are looked up through a lower-cased stack buffer, and identifier
// strings are copied into 64 KiB blocks owned by the Validator (a kept identifier keeps its
// block alive). Violations and their messages (fmt) are built only when a rule fails.
package schema
