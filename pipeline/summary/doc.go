// Package summary holds summary.json's types: the [Summary] of one lake snapshot under one
// analysis [Plan], the numbers it is written with ([Float], [Ordered]), and the names of the
// files beside it ([FileName], [TablesDir], [TrajectoryTable], [ChangesTable]).
//
// pipeline/analysis computes a Summary and writes it; pipeline/report and pipeline/publish read
// it back with [Read]. This package links neither DuckDB nor the statistics, so the packages
// that only read a summary build and test without them (DESIGN.md section 11).
//
// # Determinism
//
// The types fix the key order: struct fields in order, [Ordered] objects in the order of their
// slice (subgroup levels sorted by byte order, outcomes in the plan's order). [Float] writes
// numbers with strconv.FormatFloat(x, 'g', -1, 64) and NaN or ±Inf as null; [Summary.Marshal]
// indents by two spaces and escapes no HTML. The same Summary gives the same bytes.
//
// # Compatibility
//
// [SchemaVersion] changes only when a field is removed or changes meaning (docs/summary.md);
// [Read] refuses a summary of another version, or a file that is not a summary, with an error
// wrapping [ErrNotSummary].
package summary
