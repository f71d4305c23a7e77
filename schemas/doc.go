// Package schemas holds the versioned session-record schemas of DESIGN.md section 3, embedded
// in the binary.
//
// Each schema is a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)
// named sessions.vN.json, plus project properties prefixed "x-": x-aliases, x-pii, x-unit,
// x-caseInsensitive, x-rules (cross-field and derivation rules) and x-derived (fields computed on
// ingest). A new version is a new file; files are never edited once rows have been validated
// with them.
//
// # Generation
//
// The ranges, enums and units come from the project's outcome-measure reference,
// measures.json in this folder (the source of truth for the domain facts), so they are never
// retyped: sessions.v1.json is written by the generator in ./gen (go generate ./schemas), and
// a test in ./gen regenerates it in memory and fails if the committed file has drifted.
//
// This package only embeds the files; pipeline/schema loads, compiles and applies them.
package schemas
