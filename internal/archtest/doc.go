// Package archtest holds no code, only tests of rules that span the repository, checked
// over its source with go/parser and go/ast (or go list) so that a change that breaks one fails CI:
//
//   - time is an input: the wall clock is read only where a time is recorded or measured
//     (commit and run records, lock files, durations in logs, file ages), never for a rule;
//     the date every rule uses comes from the --today flag (cmd/outcomes, globalOptions.date);
//   - the import rules of DESIGN.md section 11, checked over `go list -json ./...`: only
//     pipeline/duck imports duckdb-go and only the packages that must query the lake link it
//     (report, publish, summary and ingest do not); only pipeline/lake imports iceberg-go;
//     pipeline/stats and pipeline/source reach no storage; nothing imports cmd/...;
//   - small functions (STYLE.md section 11): none over 80 lines, a 90th percentile of at most
//     35 lines, and a median of at most 15 in cmd/outcomes, which is flags and printing.
package archtest
