package lake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

var (
	// errRetry marks a commit that failed on a conflict and committed nothing: reload and redo.
	errRetry = errors.New("lake: commit conflict")
	// errUnknownOutcome marks a commit that failed after it may have been published.
	errUnknownOutcome = errors.New("lake: commit outcome unknown")
)

const maxCommitAttempts = 5

// publish commits a finished batch, redoing it after a conflict that committed nothing.
func (l *Lake) publish(ctx context.Context, a *Append, c Counts) (*Commit, error) {
	var files batchFiles
	l.fs.takeHintErr() // only this commit's hint counts
	for attempt := 1; ; attempt++ {
		cm, err := l.publishOnce(ctx, a, c, &files)
		if err == nil {
			l.log.Info("committed lake version", "version", cm.Version, "source", cm.Source.Name,
				"rows_read", c.Read, "rows_accepted", c.Accepted, "rows_quarantined", c.Quarantined,
				"rows_excluded", c.Excluded, "files", cm.AddedFiles)
			l.warnHint(cm.Version)
			return cm, nil
		}
		if !errors.Is(err, errRetry) || attempt == maxCommitAttempts {
			return nil, fmt.Errorf("commit version %d: %w", a.version, err)
		}
		l.log.Warn("commit conflict; reloading and redoing", "version", a.version, "attempt", attempt, "error", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
		}
	}
}

// warnHint warns, after the commit of version, when the commit's version hint could not be
// written: the version is committed (its metadata file is the commit point) and this package
// finds it without the hint, but engines that read version-hint.text first may see an older
// version until the next commit rewrites the hint.
func (l *Lake) warnHint(version int64) {
	if err := l.fs.takeHintErr(); err != nil {
		l.log.Warn("committed lake version, but its version hint (version-hint.text) was not updated: "+
			"outcomes is not affected; other engines may see an older version until the next commit",
			"version", version, "error", err)
	}
}

// batchFiles are a batch's data files as Iceberg sees them, built once.
type batchFiles struct {
	built                bool
	sessions, quarantine []iceberg.DataFile
	files                int
	rows, bytes          int64
}

// publishOnce is one attempt of the commit protocol (see doc.go).
func (l *Lake) publishOnce(ctx context.Context, a *Append, c Counts, bf *batchFiles) (*Commit, error) {
	st, err := l.prepareWrite(ctx) // stale claims, reload, repair the quarantine table
	if err != nil {
		return nil, err
	}
	if last, ok := st.latest(); ok && last.batch == a.batch {
		return &last, nil // an earlier attempt's outcome was in doubt, but it committed
	}
	if v := st.latestVersion(); v != a.version-1 {
		return nil, fmt.Errorf("%w: the lake moved to version %d while version %d was being written; is every writer holding state/lock?",
			ErrConflict, v, a.version)
	}
	if v, ok := st.ingested(a.src.SHA256); ok && !a.force {
		return nil, &AlreadyIngestedError{SHA256: a.src.SHA256, Version: v}
	}
	if err := l.buildDataFiles(ctx, st, a, bf); err != nil {
		return nil, err
	}
	rows, viols, err := l.totals(ctx, st)
	if err != nil {
		return nil, err
	}
	cm := &Commit{
		Rows: rows + c.Accepted, Violations: viols + c.Violations, HasTotals: true,
		Version: a.version, Time: l.now().UTC(), Operation: OpIngest, Source: a.src, Counts: c,
		Force: a.force, QuarantineSnapshot: st.quarantineRef(),
		AddedFiles: bf.files, AddedRows: bf.rows, AddedBytes: bf.bytes,
		checksums: relPath(l.dir, a.checksums), batch: a.batch,
	}
	if len(bf.quarantine) > 0 {
		props := iceberg.Properties{propVersion: itoa(a.version), propBatch: a.batch, propOperation: OpIngest}
		id, err := l.appendFiles(ctx, st.quarantine, bf.quarantine, props, a.batch)
		if err != nil {
			return nil, fmt.Errorf("quarantine: %w", err)
		}
		cm.QuarantineSnapshot = id
	}
	if h := l.hooks.afterQuarantine; h != nil {
		if err := h(); err != nil {
			return nil, err
		}
	}
	id, err := l.appendFiles(ctx, st.sessions, bf.sessions, cm.summary(), a.batch)
	if err != nil {
		if len(bf.quarantine) > 0 && !errors.Is(err, errUnknownOutcome) {
			l.undoQuarantine(ctx)
		}
		return nil, fmt.Errorf("sessions: %w", err)
	}
	cm.SessionsSnapshot = id
	return cm, nil
}

// totals returns the rows of sessions and quarantine at the latest version: recorded in its
// commit, or counted from the manifests for a version written before totals were recorded.
func (l *Lake) totals(ctx context.Context, st *state) (rows, viols int64, err error) {
	c, ok := st.latest()
	if !ok {
		return 0, 0, nil
	}
	if c.HasTotals {
		return c.Rows, c.Violations, nil
	}
	sf, qf, err := st.planVersion(ctx, c)
	if err != nil {
		return 0, 0, err
	}
	for _, f := range sf {
		rows += f.Count()
	}
	for _, f := range qf {
		viols += f.Count()
	}
	return rows, viols, nil
}

// buildDataFiles reads the footer of each data file into an Iceberg DataFile (statistics,
// record count, size, partition), and checks the partition against the year it was written
// for.
func (l *Lake) buildDataFiles(ctx context.Context, st *state, a *Append, bf *batchFiles) error {
	if bf.built {
		return nil
	}
	var err error
	if bf.sessions, err = l.dataFiles(ctx, st.sessions, a.sessions.done, true); err != nil {
		return err
	}
	if bf.quarantine, err = l.dataFiles(ctx, st.quarantine, a.quarantine.done, false); err != nil {
		return err
	}
	for _, f := range append(a.sessions.done[:len(a.sessions.done):len(a.sessions.done)], a.quarantine.done...) {
		bf.files++
		bf.rows += f.rows
		bf.bytes += f.bytes
	}
	bf.built = true
	return nil
}

func (l *Lake) dataFiles(ctx context.Context, tbl *table.Table, files []dataFile, partitioned bool) ([]iceberg.DataFile, error) {
	spec := tbl.Spec()
	out := make([]iceberg.DataFile, 0, len(files))
	for _, f := range files {
		df, err := table.FileToDataFile(ctx, l.fs, f.path, tbl.Schema(), spec, 0, tbl.Properties())
		if err != nil {
			return nil, fmt.Errorf("read back %s: %w", f.path, err)
		}
		if df.Count() != f.rows || df.FileSizeBytes() != f.bytes {
			return nil, fmt.Errorf("read back %s: %d rows, %d bytes; wrote %d rows, %d bytes",
				f.path, df.Count(), df.FileSizeBytes(), f.rows, f.bytes)
		}
		if partitioned {
			got, ok := df.Partition()[yearPartitionID]
			if want := int32(f.year - 1970); !ok || fmt.Sprint(got) != fmt.Sprint(want) {
				return nil, fmt.Errorf("read back %s: partition %s=%v, want %d (year %d)",
					f.path, yearPartitionName, got, want, f.year)
			}
		}
		out = append(out, df)
	}
	return out, nil
}

// appendFiles commits one append snapshot of files to tbl (an empty snapshot when there are
// none), on the condition that the table's main branch has not moved since tbl was loaded.
// It returns the new snapshot id. After a failure it reloads the table to learn the
// outcome: committed after all (batch found at the head), a conflict (errRetry), or not
// committed.
func (l *Lake) appendFiles(ctx context.Context, tbl *table.Table, files []iceberg.DataFile, props iceberg.Properties, batch string) (int64, error) {
	tx := tbl.NewTransaction()
	if err := tx.AssertRefSnapshotID(table.MainBranch); err != nil {
		return 0, err
	}
	var err error
	if len(files) == 0 {
		err = tx.AddFiles(ctx, nil, props, true)
	} else {
		err = tx.AddDataFiles(ctx, files, props, table.WithoutDuplicateCheck())
	}
	if err != nil {
		return 0, err
	}
	conflict := func(err error, moved bool) bool { return moved || errors.Is(err, table.ErrCommitFailed) }
	return l.commitTx(ctx, tbl, tx, batch, conflict, errRetry)
}

// commitTx commits tx, built on tbl, and returns the new snapshot id. After a failure it
// reloads the table to learn the outcome: committed after all (batch found at the head), a
// conflict as the caller defines it (wrapped in conflictErr; moved says whether the main
// branch moved since tbl was loaded), or not committed.
func (l *Lake) commitTx(ctx context.Context, tbl *table.Table, tx *table.Transaction, batch string,
	conflict func(err error, moved bool) bool, conflictErr error) (int64, error) {
	base := currentSnapshotID(tbl)
	nt, err := tx.Commit(ctx)
	if err == nil {
		return currentSnapshotID(nt), nil
	}
	fresh, lerr := l.load(ctx, tbl.Identifier())
	if lerr != nil {
		return 0, fmt.Errorf("%w: %w (and reloading failed: %w)", errUnknownOutcome, err, lerr)
	}
	if s := fresh.CurrentSnapshot(); s != nil && s.Summary != nil && s.Summary.Properties[propBatch] == batch {
		return s.SnapshotID, nil
	}
	if conflict(err, currentSnapshotID(fresh) != base) {
		return 0, fmt.Errorf("%w: %w", conflictErr, err)
	}
	return 0, err
}

// undoQuarantine rolls back a quarantine commit whose sessions commit failed, so that the
// quarantine head does not name files an Abort is about to remove. It is best effort: the
// next writer repairs the table anyway.
func (l *Lake) undoQuarantine(ctx context.Context) {
	st, err := l.loadState(ctx)
	if err == nil {
		err = l.repair(ctx, st)
	}
	if err != nil {
		l.log.Warn("could not roll back the quarantine commit; the next writer will", "error", err)
	}
}
