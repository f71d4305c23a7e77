// Package archtest holds no code, only tests of rules that span the repository, checked
// over its source with go/parser and go/ast so that a change that breaks one fails CI:
//
//   - time is an input: the wall clock is read only where a time is recorded or measured
//     (commit and run records, lock files, durations in logs, file ages), never for a rule;
//     the date every rule uses comes from the --today flag (cmd/outcomes, globalOptions.date).
package archtest
