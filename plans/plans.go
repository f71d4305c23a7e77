package plans

import _ "embed"

// DefaultName is the name under which the embedded default plan is reported.
const DefaultName = "default.yaml"

// Default is the text of plans/default.yaml.
//
//go:embed default.yaml
var Default []byte
