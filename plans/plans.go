// Package plans holds the analysis plans shipped with the program. The default plan
// (default.yaml) is embedded and used by `outcomes summarize` unless --plan names another;
// pipeline/analysis parses and checks plans (see docs/summary.md).
package plans

import _ "embed"

// DefaultName is the name under which the embedded default plan is reported.
const DefaultName = "default.yaml"

// Default is the text of plans/default.yaml.
//
//go:embed default.yaml
var Default []byte
