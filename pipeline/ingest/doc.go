// Package ingest takes one practitioners' export from file to lake: read (pipeline/source),
// map and validate (pipeline/schema), pseudonymise (pipeline/pseudo), and append accepted rows
// to `sessions` and violations to `quarantine` in one lake commit (pipeline/lake).
//
// # Plan of one file
//
//  1. Hash the file (sha256), noting its size and modification time; only a regular file
//     is opened. Unless forced, a file whose hash is already committed is reported as
//     already ingested and not read.
//  2. Open the reader and map its header. A missing required column, two columns for one
//     field, or a file that cannot be read at all rejects the whole file: nothing is written.
//  3. Read every record. A row that cannot be split is quarantined (rule parse); otherwise
//     it is validated. A valid "no" in consent_research excludes the row: counted, never
//     stored. A row with violations is quarantined, one quarantine row per violation.
//     Accepted rows get their keyed ids and go to `sessions` in Arrow batches, written by a
//     second goroutine so that both cores work.
//  4. Duplicates within the file: the first of several identical rows is kept and the others
//     are quarantined (duplicate_in_file); rows that share the natural key (practitioner,
//     client, session_number) but differ are all quarantined (conflict_in_file). To keep
//     memory small and the common case to one pass, the first pass keeps only a 64-bit hash
//     of each accepted row's natural key (8 bytes a row). When two hashes meet, the batch is
//     abandoned and the file is read again: once to decide the suspects by their exact
//     values (a hash collision is neither a duplicate nor a conflict), and once to write
//     with the decisions.
//  5. A file whose dates all fail the same way: when no session_date of the file parsed and
//     all read as numbers in one order ("31/01/2024"), the batch is abandoned and the file is
//     read again with that format as the schema's date hint, so that every quarantine message
//     of those dates names the --date-format that would read them; the report carries it too
//     (DateFormatHint). Such a file is wholly quarantined, so the second read costs only in
//     a file that needs a person anyway.
//  6. Check the counts invariant, rows read = accepted + quarantined + excluded, and commit.
//     A batch where it fails is not committed. Before the commit the file is stat'ed and
//     hashed again: if its size, time or hash changed since step 1 (an export still being
//     written), the recorded sha256 would not be that of the rows read, so the file is
//     rejected ([ErrChanged]) and nothing is written.
//
// Identifiers never leave this package unhashed: the lake holds keys, the quarantine holds
// masked values, and unknown columns (names, contact details, notes) are never read past the
// header.
package ingest
