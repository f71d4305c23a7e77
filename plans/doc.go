// Package plans holds the analysis plans shipped with the program. The default plan
// (default.yaml) is embedded and used by `outcomes summarize` unless --plan or summarize.plan in
// outcomes.yaml names another; pipeline/analysis parses and checks plans, and docs/summary.md
// describes their keys.
package plans
