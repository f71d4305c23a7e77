// Package run is the nightly job, `outcomes run` (DESIGN.md section 8): under one workspace
// lock it ingests the inbox, then runs the derived steps (summarize, report, publish,
// notebooks) that have something new to work on, and keeps a run record of what it did.
//
// Everything happens in one process: a step is a function value ([Step]) in a list; [Steps]
// builds the nightly list from the workspace ([IngestStep], [SummarizeStep], [ReportStep],
// [PublishStep], one [NotebookStep] per notebook), each calling its stage's package as the
// matching command does. The runner itself ([Run]) knows nothing of DuckDB, the analysis or
// the report: it calls the steps it is given, and a step whose package is not in the build
// (Do == nil) is recorded as "skipped: not available in this build".
//
// # The run
//
//  1. Take state/lock (internal/lock): held by another process, fail at once with a
//     *lock.HeldError naming its pid and start time (exit 75), or wait up to Options.Wait.
//     No record is written for a run that did not get the lock.
//  2. Recover: every record in state/runs still "running" belongs to a dead process (we hold
//     the lock): mark it crashed, complete it from what it left (the files it rejected, by
//     their reason files; the lake versions it committed, from the lake log between its start
//     and the start of the next run, with their quarantine alerts) and carry its alerts into
//     this run, which then exits 3: a crash never swallows "a person must look". The crashed
//     records are written after this run's first record, so a crash in between loses nothing. Remove the temporary files of interrupted atomic writes
//     (".outcomes-tmp-*" in state/runs, inbox, archive, rejected; dot-named temporaries under
//     reports/ older than this run).
//  3. Write state/runs/<id>.json with status running. The record is replaced atomically
//     (temporary file, fsync, rename, fsync of the directory) after each file and each step,
//     and at the end.
//  4. Ingest: list inbox/ in name order; skip dotfiles, *.tmp and *.part, and leave files
//     modified within inbox.settle for the next run. An entry that is not a regular file (a
//     symbolic link, a directory, a FIFO) is never read or moved, and asks a person to look
//     (exit 3) for as long as it is there; so does a file modified more than an hour (or
//     inbox.settle, if longer) after the run's start, which is not ingested. For each
//     regular file: ingest.File (one
//     lake commit, durable when it returns: the lake fsyncs before it publishes), then move the
//     file by rename to archive/<date>/ (committed, or already committed: a duplicate) or to
//     rejected/<date>/ after writing FILE.reason.txt. A name already taken there becomes
//     NAME~2.ext.
//  5. Derived steps, in order. Each one's inputs are the lake version, the plan's sha256, the
//     program version and its own key (a notebook's sha256). It runs unless the lake is empty,
//     or the newest record where it succeeded has the same inputs and its output still exists
//     ("nothing new: summary of snapshot N is current").
//  6. Retention: remove archive/<YYYY-MM-DD>/ older than archive.keep_days, and all but the
//     newest runs.keep records. rejected/ is left for a person.
//  7. Final record: status ok (exit 0), attention (exit 3: a file rejected, a file's
//     quarantined share above quarantine.alert_share, an inbox entry the run cannot take,
//     or a step that refused, such as a public bundle failing its disclosure audit: each in
//     Record.Alerts), failed (exit 1), or interrupted (exit 130,
//     or 143 after SIGTERM), with a one-line summary that the command prints on stderr.
//     Release the lock.
//
// After a step fails the rest are skipped. When the context is cancelled (SIGINT, SIGTERM),
// the file being ingested is finished (committed and moved: ingest.File gets a context
// without the cancellation, so the stop waits for at most one file), no further file is
// started, a derived step in progress is cancelled (its package writes atomically, so the old
// output stays), the remaining steps are skipped, and the record says interrupted.
//
// # Crash recovery
//
// A run can be killed (SIGKILL, power loss) anywhere. What each point leaves, and how the
// next run resolves it:
//
//   - Before or while writing the first record: a temporary file at most; removed in step 2.
//   - While ingesting a file, before its commit point: lake orphans no snapshot names (the
//     lake ignores them; the next run, finding the crashed record, vacuums them away) and the
//     file still in the inbox. The next run ingests it: it is in the lake exactly once.
//   - After the commit, before the move: the file is in the inbox and its sha256 in the lake.
//     The next run finds it already ingested (ingest.File checks the sha256 before reading)
//     and archives it as a duplicate, never ingesting it twice.
//   - During the move: rename is atomic, so the file is in the inbox or in archive/ (or
//     rejected/), never both and never half. A rejected file's reason is written before the
//     rename; if the rename did not happen the next run rejects it again and rewrites it.
//   - During a derived step: its output files are written atomically by its package (the
//     summary's tables directory and summary.json by rename), so the old or the new output is
//     there, plus temporaries that step 2 removes. The step has no ok record, so the next
//     run runs it again.
//   - During retention: a directory or record half removed; the next run removes the rest.
//   - Before the final record: the record says running with the steps so far; the next run
//     marks it crashed. Gating trusts each step's own ok record, so work already done is not
//     redone.
//
// In every case each inbox file ends up ingested once (one lake version carries its sha256)
// and in archive/ or rejected/ once; cmd/outcomes' run tests kill the process at random
// points and at each named point (Options.Hook) and check exactly this.
package run
