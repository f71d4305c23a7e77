// Command gen writes the session-record schema (schemas/sessions.v1.json) from the project's
// outcome-measure reference, schemas/measures.json.
//
// The field list, names, titles, aliases, privacy classes and cross-field rules are written
// here, once; every range, enum, unit and value set that measures.json holds is copied from it,
// never retyped. The output is deterministic (fixed field order, no maps), so the test beside
// this file can regenerate the schema in memory and fail when the committed file has drifted.
//
// Usage, from schemas/ (what go generate runs):
//
//	go run ./gen -measures measures.json -o sessions.v1.json
//
// The committed sessions.v1.json still says, in its description and x-generated, that it was
// taken from shared/domain/measures.json: that was the file's name when v1 was generated,
// and a schema file is not edited once rows have been validated with it, so the generator
// keeps writing those two strings as they are.
//
// Departures from measures.json, on purpose (DESIGN.md section 3 decides): age_band and sex are
// optional per row, and the MYMOP items are optional per row (their "required" in
// measures.json is the precondition of the profile rule, which becomes x-rules here).
package main
