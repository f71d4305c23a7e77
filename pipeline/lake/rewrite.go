package lake

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
)

// rewrite is a copy-on-write lifecycle commit (forget, compact) being prepared: new data
// files written under the version's name, and the live files they replace. It is committed
// by the same two-step protocol as a batch (doc.go): quarantine first, sessions last.
type rewrite struct {
	op               string
	version          int64
	batch            string
	base             int64 // the sessions snapshot the rewrite read
	s, q             *tableWriter
	removeS, removeQ []iceberg.DataFile
	forgetKeySHA     string
	reason           string
	checksums        string
}

func (l *Lake) newRewrite(st *state, op string, targetSize int64) *rewrite {
	rw := &rewrite{op: op, version: st.latestVersion() + 1, batch: uuid.NewString(), base: currentSnapshotID(st.sessions)}
	prefix := fmt.Sprintf("v%06d-%s", rw.version, rw.batch[:8])
	rw.s = l.newTableWriter(SessionsTable, prefix, SessionsSchema(), true)
	rw.q = l.newTableWriter(QuarantineTable, prefix, QuarantineSchema(), false)
	if targetSize > 0 {
		rw.s.opt.TargetFileSize, rw.q.opt.TargetFileSize = targetSize, targetSize
	}
	return rw
}

// abort removes the rewrite's new files (never the live ones).
func (rw *rewrite) abort() {
	rw.s.abort()
	rw.q.abort()
	for _, f := range append(rw.s.done, rw.q.done...) {
		_ = os.Remove(f.path)
	}
	if rw.checksums != "" {
		_ = os.Remove(rw.checksums)
	}
}

func (rw *rewrite) empty() bool { return len(rw.removeS)+len(rw.removeQ) == 0 }

// publishRewrite commits a rewrite as the next lake version. On an error that committed
// nothing the new files are removed; when the outcome is unknown they are kept (they may be
// live: vacuum removes them if not).
func (l *Lake) publishRewrite(ctx context.Context, rw *rewrite) (*Commit, error) {
	l.fs.takeHintErr() // only this commit's hint counts
	cm, err := l.publishRewriteOnce(ctx, rw)
	if err != nil {
		if !errors.Is(err, errUnknownOutcome) {
			rw.abort()
		}
		return nil, fmt.Errorf("commit version %d (%s): %w", rw.version, rw.op, err)
	}
	l.log.Info("committed lake version", "version", cm.Version, "operation", cm.Operation,
		"files_added", cm.AddedFiles, "rows_removed", cm.RemovedRows, "violations_removed", cm.RemovedViolations)
	l.warnHint(cm.Version)
	return cm, nil
}

// publishRewriteOnce commits rw by the commit protocol of doc.go, whose steps it follows:
//
//   - steps 2-4: close and sync the new files, and write their checksum file (sealRewrite);
//   - step 5: the lake, repaired and reloaded, must not have moved since the rewrite read it
//     (recheckRewrite); then the new files become Iceberg data files (rewriteDataFiles) and
//     the version's record is made (rewriteCommit);
//   - step 6: commit the quarantine snapshot, if quarantine files change
//     (commitRewriteQuarantine);
//   - step 7: commit the sessions snapshot, the commit point (commitRewriteSessions).
func (l *Lake) publishRewriteOnce(ctx context.Context, rw *rewrite) (*Commit, error) {
	if err := l.sealRewrite(rw); err != nil {
		return nil, err
	}
	st, err := l.recheckRewrite(ctx, rw)
	if err != nil {
		return nil, err
	}
	addS, addQ, err := l.rewriteDataFiles(ctx, st, rw)
	if err != nil {
		return nil, err
	}
	cm, err := l.rewriteCommit(ctx, st, rw)
	if err != nil {
		return nil, err
	}
	changesQ := len(rw.removeQ)+len(addQ) > 0
	if err := l.commitRewriteQuarantine(ctx, st, rw, changesQ, addQ, cm); err != nil {
		return nil, err
	}
	if err := l.commitRewriteSessions(ctx, st, rw, changesQ, addS, cm); err != nil {
		return nil, err
	}
	return cm, nil
}

// newFiles returns the rewrite's new data files, sessions first.
func (rw *rewrite) newFiles() []dataFile {
	return append(rw.s.done[:len(rw.s.done):len(rw.s.done)], rw.q.done...)
}

// sealRewrite is steps 2-4 of the protocol: it closes and syncs the new files and their
// directories, and writes their checksum file.
func (l *Lake) sealRewrite(rw *rewrite) error {
	for _, t := range []*tableWriter{rw.s, rw.q} {
		if err := t.closeAll(); err != nil {
			return err
		}
		if err := t.syncDirs(); err != nil {
			return err
		}
	}
	path, err := l.writeChecksums(rw.version, rw.batch, rw.newFiles())
	if err != nil {
		return err
	}
	rw.checksums = path
	return nil
}

// recheckRewrite is step 5 of the protocol: it repairs and reloads the lake, which must
// still be at the version and sessions snapshot the rewrite read ([ErrConflict] if not).
func (l *Lake) recheckRewrite(ctx context.Context, rw *rewrite) (*state, error) {
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	if st.latestVersion() != rw.version-1 || currentSnapshotID(st.sessions) != rw.base {
		return nil, fmt.Errorf("%w: the lake moved to version %d while %s was rewriting version %d; is every writer holding state/lock?",
			ErrConflict, st.latestVersion(), rw.op, rw.version-1)
	}
	return st, nil
}

// rewriteDataFiles reads the new files into Iceberg data files, sessions and quarantine.
func (l *Lake) rewriteDataFiles(ctx context.Context, st *state, rw *rewrite) (addS, addQ []iceberg.DataFile, err error) {
	if addS, err = l.dataFiles(ctx, st.sessions, rw.s.done, true); err != nil {
		return nil, nil, err
	}
	if addQ, err = l.dataFiles(ctx, st.quarantine, rw.q.done, false); err != nil {
		return nil, nil, err
	}
	return addS, addQ, nil
}

// rewriteCommit returns the record of the rewrite's version: what it added and removed, and
// the table totals after it. Its snapshots are filled in by steps 6 and 7.
func (l *Lake) rewriteCommit(ctx context.Context, st *state, rw *rewrite) (*Commit, error) {
	rows, viols, err := l.totals(ctx, st)
	if err != nil {
		return nil, err
	}
	cm := &Commit{
		Version: rw.version, Time: l.now().UTC(), Operation: rw.op,
		QuarantineSnapshot: st.quarantineRef(), ForgetKeySHA256: rw.forgetKeySHA, Reason: rw.reason,
		checksums: relPath(l.dir, rw.checksums), batch: rw.batch, HasTotals: true,
	}
	for _, f := range rw.newFiles() {
		cm.AddedFiles++
		cm.AddedRows += f.rows
		cm.AddedBytes += f.bytes
	}
	cm.RemovedRows = countOf(rw.removeS) - rowsOf(rw.s.done)
	cm.RemovedViolations = countOf(rw.removeQ) - rowsOf(rw.q.done)
	cm.Rows, cm.Violations = rows-cm.RemovedRows, viols-cm.RemovedViolations
	return cm, nil
}

// commitRewriteQuarantine is step 6 of the protocol: when the rewrite changes quarantine
// files (changesQ), it commits the quarantine snapshot that replaces rw.removeQ with addQ and
// records it in cm. The test hook afterQuarantine runs next and stops the commit as a crash
// would.
func (l *Lake) commitRewriteQuarantine(ctx context.Context, st *state, rw *rewrite, changesQ bool, addQ []iceberg.DataFile, cm *Commit) error {
	if changesQ {
		props := iceberg.Properties{propVersion: itoa(rw.version), propBatch: rw.batch, propOperation: rw.op}
		id, err := l.commitFiles(ctx, st.quarantine, rw.removeQ, addQ, props, rw.batch, rw.op == OpForget)
		if err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
		cm.QuarantineSnapshot = id
	}
	if h := l.hooks.afterQuarantine; h != nil {
		if err := h(); err != nil {
			return errors.Join(errUnknownOutcome, err) // as a crash would: keep the files
		}
	}
	return nil
}

// commitRewriteSessions is step 7 of the protocol, the commit point: it commits the sessions
// snapshot that replaces rw.removeS with addS and carries cm as its summary. If it fails
// having committed nothing, a quarantine snapshot of step 6 (changesQ) is rolled back.
func (l *Lake) commitRewriteSessions(ctx context.Context, st *state, rw *rewrite, changesQ bool, addS []iceberg.DataFile, cm *Commit) error {
	id, err := l.commitFiles(ctx, st.sessions, rw.removeS, addS, cm.summary(), rw.batch, rw.op == OpForget)
	if err != nil {
		if changesQ && !errors.Is(err, errUnknownOutcome) {
			l.undoQuarantine(ctx)
		}
		return fmt.Errorf("sessions: %w", err)
	}
	cm.SessionsSnapshot = id
	return nil
}

func countOf(files []iceberg.DataFile) (n int64) {
	for _, f := range files {
		n += f.Count()
	}
	return n
}

// commitFiles commits a snapshot of tbl that removes the data files remove and adds add (a
// copy-on-write overwrite; an append when remove is empty), asserting the main branch, in one
// catalog commit. Outcomes as for appendFiles.
//
// With scrub, the overwrite is followed in the same commit by a rewrite of the manifests and
// an empty append that carries props: the overwrite's manifests keep an entry, with its
// column statistics, for each file it deleted, and a manifest rewrite drops the entries
// deleted by earlier snapshots. So the snapshot that carries props names no statistics of
// the deleted files: forget uses it, for tables whose files were written with client_key
// bounds (before they were turned off); the two snapshots before it are expired with the rest.
func (l *Lake) commitFiles(ctx context.Context, tbl *table.Table, remove, add []iceberg.DataFile, props iceberg.Properties, batch string, scrub bool) (int64, error) {
	if len(remove) == 0 {
		return l.appendFiles(ctx, tbl, add, props, batch)
	}
	tx := tbl.NewTransaction()
	if err := tx.AssertRefSnapshotID(table.MainBranch); err != nil {
		return 0, err
	}
	overwriteProps := props
	if scrub {
		overwriteProps = iceberg.Properties{propBatch: batch + "-overwrite", propOperation: props[propOperation]}
	}
	if err := tx.ReplaceDataFilesWithDataFiles(ctx, remove, add, overwriteProps); err != nil {
		return 0, err
	}
	if scrub {
		// One manifest per partition spec, whatever its size: every manifest is rewritten.
		if _, err := tx.RewriteManifests(ctx, table.WithManifestTargetSize(1<<40)); err != nil {
			return 0, fmt.Errorf("rewrite manifests: %w", err)
		}
		if err := tx.AddFiles(ctx, nil, props, true); err != nil {
			return 0, err
		}
	}
	moved := func(_ error, moved bool) bool { return moved }
	return l.commitTx(ctx, tbl, tx, batch, moved, ErrConflict)
}

// readFile streams the rows of a data file in records of the table's Arrow schema sc (a
// column the file lacks, added to the table after it was written, is null). Only the columns
// named in cols are read when cols is not empty (the others are then null).
func readFile(ctx context.Context, path string, sc *arrow.Schema, mem memory.Allocator, cols []string, fn func(rec arrow.RecordBatch) error) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer rdr.Close()
	rr, err := recordReader(ctx, rdr, mem, cols)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		rec, err := conform(rr.RecordBatch(), sc, mem)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		err = fn(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// recordReader returns a reader of the records of a Parquet file, of the columns named in
// cols that the file has (all columns when there are none).
func recordReader(ctx context.Context, rdr *file.Reader, mem memory.Allocator, cols []string) (pqarrow.RecordReader, error) {
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, mem)
	if err != nil {
		return nil, err
	}
	fsc, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, c := range cols {
		if i := fsc.FieldIndices(c); len(i) > 0 {
			idx = append(idx, i[0])
		}
	}
	return fr.GetRecordReader(ctx, idx, nil)
}

// conform returns rec with exactly the fields of sc, by name; a missing field becomes nulls.
func conform(rec arrow.RecordBatch, sc *arrow.Schema, mem memory.Allocator) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, sc.NumFields())
	n := rec.NumRows()
	for i, f := range sc.Fields() {
		if j := rec.Schema().FieldIndices(f.Name); len(j) > 0 {
			c := rec.Column(j[0])
			if !arrow.TypeEqual(c.DataType(), f.Type) {
				return nil, fmt.Errorf("%w: column %s is %s, want %s", ErrSchema, f.Name, c.DataType(), f.Type)
			}
			c.Retain()
			cols[i] = c
			continue
		}
		cols[i] = array.MakeArrayOfNull(mem, f.Type, int(n))
	}
	out := array.NewRecordBatch(sc, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// copyRows writes the rows of rec for which keep is true (all, if keep is nil) to w and
// returns how many it wrote.
func copyRows(ctx context.Context, w *tableWriter, rec arrow.RecordBatch, keep []bool, mem memory.Allocator) (int64, error) {
	if keep == nil {
		return rec.NumRows(), w.write(ctx, rec)
	}
	b := array.NewBooleanBuilder(mem)
	b.AppendValues(keep, nil)
	mask := b.NewBooleanArray()
	b.Release()
	defer mask.Release()
	out, err := compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
	if err != nil {
		return 0, err
	}
	defer out.Release()
	return out.NumRows(), w.write(ctx, out)
}

// stringColumn returns column name of rec as strings (nil if rec has no such column).
func stringColumn(rec arrow.RecordBatch, name string) *array.String {
	i := rec.Schema().FieldIndices(name)
	if len(i) == 0 {
		return nil
	}
	c, _ := rec.Column(i[0]).(*array.String)
	return c
}
