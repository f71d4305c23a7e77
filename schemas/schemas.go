package schemas

import "embed"

//go:generate go run ./gen -measures measures.json -o sessions.v1.json

// FS holds every schema file (sessions.vN.json), as committed, and measures.json, the
// outcome-measure reference the schemas and the analyses take their numbers from.
//
//go:embed *.json
var FS embed.FS
