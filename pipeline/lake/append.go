package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
)

// Source describes the source file of a batch.
type Source struct {
	Name          string // file name as the user knows it
	SHA256        string // hex sha256 of the file's bytes: the idempotency key
	Format        string // csv, jsonl, parquet, xlsx
	SchemaVersion int    // the schema version the rows were validated with
}

// Counts are a batch's row counts. Accepted rows are written to sessions; Violations counts
// the rows written to quarantine (one per violation, so a source row may have several).
type Counts struct {
	Read, Accepted, Quarantined, Excluded, Violations int64
}

// Check returns an error wrapping ErrInvariant unless rows read = accepted + quarantined +
// excluded and no count is negative.
func (c Counts) Check() error {
	if c.Read < 0 || c.Accepted < 0 || c.Quarantined < 0 || c.Excluded < 0 || c.Violations < 0 {
		return fmt.Errorf("%w: negative count in %+v", ErrInvariant, c)
	}
	if c.Read != c.Accepted+c.Quarantined+c.Excluded {
		return fmt.Errorf("%w: rows read %d != accepted %d + quarantined %d + excluded %d",
			ErrInvariant, c.Read, c.Accepted, c.Quarantined, c.Excluded)
	}
	return nil
}

// AlreadyIngestedError says a source's sha256 is already committed (and Force was not given).
type AlreadyIngestedError struct {
	SHA256  string
	Version int64
}

func (e *AlreadyIngestedError) Error() string {
	return fmt.Sprintf("source %.12s… already ingested in lake version %d", e.SHA256, e.Version)
}

// AppendOption configures a batch.
type AppendOption func(*Append)

// Force commits the batch even if its source's sha256 is already in the lake (--force).
func Force() AppendOption { return func(a *Append) { a.force = true } }

type appendState int

const (
	appendOpen appendState = iota
	appendCommitted
	appendAborted
	appendUnknown // a commit failed in a way that may have published it: keep the files
)

// Append is a batch being written: its data files are written as the records come, and
// Commit publishes them as the next lake version. An Append is used by one goroutine.
type Append struct {
	l       *Lake
	src     Source
	force   bool
	version int64
	batch   string

	mu         sync.Mutex
	state      appendState
	sessions   *tableWriter
	quarantine *tableWriter
	checksums  string // path of the checksum file, once written
}

// NewAppend starts a batch that will become the next lake version. The caller holds the
// workspace lock (state/lock): NewAppend first repairs what a crashed writer left (stale
// metadata claims; a quarantine snapshot committed without its sessions snapshot).
func (l *Lake) NewAppend(ctx context.Context, src Source, opts ...AppendOption) (*Append, error) {
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	a := &Append{l: l, src: src, version: st.latestVersion() + 1, batch: uuid.NewString()}
	for _, o := range opts {
		o(a)
	}
	prefix := fmt.Sprintf("v%06d-%s", a.version, a.batch[:8])
	a.sessions = l.newTableWriter(SessionsTable, prefix, SessionsSchema(), true)
	a.quarantine = l.newTableWriter(QuarantineTable, prefix, QuarantineSchema(), false)
	l.track(a, true)
	return a, nil
}

func (l *Lake) newTableWriter(name, prefix string, sc *arrow.Schema, partitioned bool) *tableWriter {
	return &tableWriter{
		table: name, dir: filepath.Join(l.tableDir(name), "data"), prefix: prefix,
		sc: sc, props: l.wopt.properties(l.mem, sc), opt: l.wopt, mem: l.mem, fs: l.fs,
		partitioned: partitioned, open: map[int]*fileWriter{}, dirs: map[string]bool{},
	}
}

// prepareWrite removes stale claims, loads the state and repairs the quarantine table.
func (l *Lake) prepareWrite(ctx context.Context) (*state, error) {
	if err := l.checkOpen(); err != nil {
		return nil, err
	}
	for _, name := range []string{SessionsTable, QuarantineTable} {
		if err := l.removeStaleClaims(name); err != nil {
			return nil, err
		}
	}
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	if err := l.repair(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// repair points the quarantine table's main branch back at the snapshot the latest lake
// version names, undoing a quarantine commit whose sessions commit never happened (a crash
// between the two). The orphaned snapshot stays in the metadata until vacuum expires it.
func (l *Lake) repair(ctx context.Context, st *state) error {
	want, cur := st.quarantineRef(), currentSnapshotID(st.quarantine)
	if want == cur {
		return nil
	}
	var upd table.Update
	if want == 0 {
		upd = table.NewRemoveSnapshotRefUpdate(table.MainBranch)
	} else {
		upd = table.NewSetSnapshotRefUpdate(table.MainBranch, want, table.BranchRef, 0, 0, 0)
	}
	var curp *int64
	if cur != 0 {
		curp = &cur
	}
	req := table.AssertRefSnapshotID(table.MainBranch, curp)
	_, _, err := catalogIO{l}.CommitTable(ctx, quarantineIdent, []table.Requirement{req}, []table.Update{upd})
	if err != nil {
		return fmt.Errorf("repair quarantine (snapshot %d → %d): %w", cur, want, err)
	}
	l.log.Warn("repaired quarantine after an interrupted commit",
		"orphan_snapshot", cur, "restored_snapshot", want, "version", st.latestVersion())
	q, err := l.load(ctx, quarantineIdent)
	if err != nil {
		return err
	}
	st.quarantine = q
	return nil
}

// Version returns the lake version this batch becomes when it commits: fill the lineage
// column commit_version with it.
func (a *Append) Version() int64 { return a.version }

func (a *Append) checkOpen() error {
	if a.state != appendOpen {
		return fmt.Errorf("%w: batch for version %d is no longer open", ErrClosed, a.version)
	}
	return nil
}

// WriteSessions writes accepted rows (records with [SessionsSchema]). Records are streamed to
// Parquet, one open file per year of session_date; the caller may release rec afterwards.
func (a *Append) WriteSessions(ctx context.Context, rec arrow.RecordBatch) error {
	return a.write(ctx, a.sessions, rec)
}

// WriteQuarantine writes violations (records with [QuarantineSchema]).
func (a *Append) WriteQuarantine(ctx context.Context, rec arrow.RecordBatch) error {
	return a.write(ctx, a.quarantine, rec)
}

func (a *Append) write(ctx context.Context, t *tableWriter, rec arrow.RecordBatch) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSchema(rec.Schema(), t.sc); err != nil {
		return fmt.Errorf("write %s: %w", t.table, err)
	}
	if err := checkNulls(t.sc, rec); err != nil {
		return fmt.Errorf("write %s: %w", t.table, err)
	}
	if err := checkVersion(t.sc, rec, a.version); err != nil {
		return fmt.Errorf("write %s: %w", t.table, err)
	}
	if err := t.write(ctx, rec); err != nil {
		return fmt.Errorf("write %s: %w", t.table, err)
	}
	return nil
}

// checkVersion checks that every row's commit_version is the batch's version.
func checkVersion(sc *arrow.Schema, rec arrow.RecordBatch, version int64) error {
	col, ok := rec.Column(sc.FieldIndices("commit_version")[0]).(*array.Int64)
	if !ok {
		return fmt.Errorf("%w: commit_version is not int64", ErrSchema)
	}
	for i, v := range col.Int64Values() {
		if v != version {
			return fmt.Errorf("%w: row %d has commit_version %d; this batch is version %d (Append.Version)", ErrSchema, i, v, version)
		}
	}
	return nil
}

// Abort removes the batch's data files. It is idempotent, and a no-op after a successful
// Commit. After a Commit whose outcome is unknown (an I/O error while publishing), the files
// are kept: they may be live; vacuum removes them if they are not.
func (a *Append) Abort() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.state {
	case appendCommitted, appendAborted:
		return nil
	case appendUnknown:
		a.state = appendAborted
		a.l.track(a, false)
		return nil
	}
	a.state = appendAborted
	a.l.track(a, false)
	a.sessions.abort()
	a.quarantine.abort()
	if a.checksums != "" {
		_ = os.Remove(a.checksums)
	}
	return nil
}

// Commit publishes the batch as lake version [Append.Version] (see the package
// documentation for the protocol). It checks c first: a batch whose counts break the
// invariant, or whose Accepted and Violations differ from the rows written, is not committed
// (the caller then calls Abort). A batch with no rows commits too: its source and counts are
// recorded.
func (a *Append) Commit(ctx context.Context, c Counts) (*Commit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.checkOpen(); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	if err := a.finish(c); err != nil {
		return nil, err
	}
	cm, err := a.l.publish(ctx, a, c)
	switch {
	case err == nil:
		a.state = appendCommitted
		a.l.track(a, false)
	case errors.Is(err, errUnknownOutcome):
		a.state = appendUnknown
	}
	return cm, err
}

// finish closes the data files, checks the row counts against c, and writes the checksum
// file. The files are synced as they are closed, their directories here.
func (a *Append) finish(c Counts) error {
	for _, t := range []*tableWriter{a.sessions, a.quarantine} {
		if err := t.closeAll(); err != nil {
			return err
		}
	}
	if n := rowsOf(a.sessions.done); n != c.Accepted {
		return fmt.Errorf("%w: %d rows accepted, %d written to sessions", ErrInvariant, c.Accepted, n)
	}
	if n := rowsOf(a.quarantine.done); n != c.Violations {
		return fmt.Errorf("%w: %d violations, %d rows written to quarantine", ErrInvariant, c.Violations, n)
	}
	for _, t := range []*tableWriter{a.sessions, a.quarantine} {
		if err := t.syncDirs(); err != nil {
			return err
		}
	}
	if a.checksums == "" {
		path, err := a.l.writeChecksums(a.version, a.batch, append(a.sessions.done, a.quarantine.done...))
		if err != nil {
			return err
		}
		a.checksums = path
	}
	return nil
}

func rowsOf(files []dataFile) (n int64) {
	for _, f := range files {
		n += f.rows
	}
	return n
}

// checksumFile is the JSON file that records the sha256 of each data file of a version
// (Iceberg manifests carry sizes and row counts, but no checksum).
type checksumFile struct {
	Version int64           `json:"version"`
	Batch   string          `json:"batch"`
	Files   []checksumEntry `json:"files"`
}

type checksumEntry struct {
	Table  string `json:"table"`
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// writeChecksums writes checksums/vNNNNNN-<batch>.json atomically and durably, and returns
// its path.
func (l *Lake) writeChecksums(version int64, batch string, files []dataFile) (string, error) {
	cf := checksumFile{Version: version, Batch: batch, Files: []checksumEntry{}}
	for _, f := range files {
		cf.Files = append(cf.Files, checksumEntry{Table: f.table, Path: f.path, Bytes: f.bytes, Rows: f.rows, SHA256: f.sha256})
	}
	data, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(l.dir, checksumsDir)
	if err := l.fs.mkdirAll(dir); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("v%06d-%s.json", version, batch))
	if err := l.writeFileAtomic(path, data); err != nil {
		return "", err
	}
	return path, nil
}

// writeFileAtomic writes a temporary file in path's directory, syncs it, renames it to path
// and syncs the directory.
func (l *Lake) writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = writeFault(path); err == nil {
		if _, err = tmp.Write(data); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	l.fs.synced(tmp.Name())
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return l.fs.syncDir(filepath.Dir(path))
}
