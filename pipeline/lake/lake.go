package lake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/catalog/hadoop"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// Errors callers branch on.
var (
	// ErrInvariant says a batch's counts break rows read = accepted + quarantined + excluded.
	ErrInvariant = errors.New("lake: counts invariant violated")
	// ErrSchema says a record does not have the table's columns.
	ErrSchema = errors.New("lake: record does not match the table schema")
	// ErrConflict says another writer committed while this batch was being written: the
	// writers' lock (state/lock) was not held by everyone.
	ErrConflict = errors.New("lake: concurrent commit")
	// ErrClosed says the lake or the batch is closed.
	ErrClosed = errors.New("lake: closed")
	// ErrUnknownVersion says a lake version does not exist.
	ErrUnknownVersion = errors.New("lake: unknown version")
	// ErrErased says a lake version was expired by a forget or by retention: see ErasedError.
	ErrErased = errors.New("lake: version erased")
	// ErrDeleteFiles says a scan task carries delete files: the lake is copy-on-write only.
	ErrDeleteFiles = errors.New("lake: delete files are not supported (copy-on-write only)")
)

// The catalog layout: <lake>/warehouse/cst/{sessions,quarantine}.
const (
	Namespace       = "cst"
	SessionsTable   = "sessions"
	QuarantineTable = "quarantine"
	warehouseDir    = "warehouse"
	checksumsDir    = "checksums"
)

var (
	sessionsIdent   = table.Identifier{Namespace, SessionsTable}
	quarantineIdent = table.Identifier{Namespace, QuarantineTable}
)

// Options configure a Lake. The zero value is ready to use.
type Options struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // the commit time; nil: time.Now
	// Allocator is used for Arrow and Parquet buffers; nil: memory.DefaultAllocator.
	Allocator memory.Allocator
	// Writer overrides the Parquet settings; the zero value means DefaultWriterOptions.
	Writer WriterOptions
}

// Lake is an opened lake directory. Its methods may be called from several goroutines; a
// batch ([Append]) belongs to one.
type Lake struct {
	dir       string
	warehouse string
	log       *slog.Logger
	now       func() time.Time
	mem       memory.Allocator
	wopt      WriterOptions
	fs        *syncFS
	cat       *hadoop.Catalog

	mu      sync.Mutex
	closed  bool
	appends map[*Append]bool // open batches

	hooks hooks
}

// hooks let tests fail or stop a commit at chosen points.
type hooks struct {
	// afterQuarantine runs between the quarantine and the sessions commit; an error stops the
	// commit there and is returned, leaving everything on disk as a crash would.
	afterQuarantine func() error
	// commitTable runs before each catalog commit; an error is returned in its place.
	commitTable func(ident table.Identifier) error
	// vacuumDelete runs before vacuum deletes a file; an error stops vacuum there.
	vacuumDelete func(path string) error
}

// Open opens the lake in dir (<workspace>/lake), creating the warehouse, the namespace and the
// tables when they are absent. Files left by a crashed writer are ignored.
func Open(ctx context.Context, dir string, opt Options) (*Lake, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	l := &Lake{
		dir: abs, warehouse: filepath.Join(abs, warehouseDir),
		log: opt.Logger, now: opt.Now, mem: opt.Allocator, wopt: opt.Writer,
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.mem == nil {
		l.mem = memory.DefaultAllocator
	}
	if l.wopt.RowGroupRows == 0 {
		l.wopt = DefaultWriterOptions()
	}
	l.fs = newSyncFS()
	if err := l.open(ctx); err != nil {
		l.fs.close()
		return nil, fmt.Errorf("open lake %s: %w", abs, err)
	}
	return l, nil
}

func (l *Lake) open(ctx context.Context) error {
	if err := l.fs.mkdirAll(l.warehouse); err != nil {
		return err
	}
	cat, err := hadoop.NewCatalog("cst", l.warehouse, iceberg.Properties{fsProp: l.fs.id})
	if err != nil {
		return err
	}
	l.cat = cat
	err = cat.CreateNamespace(ctx, table.Identifier{Namespace}, nil)
	if err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		return err
	}
	if err := l.fs.syncDir(l.warehouse); err != nil {
		return err
	}
	if err := l.createTable(ctx, sessionsIdent, sessionsColumns, sessionsSpec()); err != nil {
		return err
	}
	return l.createTable(ctx, quarantineIdent, quarantineColumns, *iceberg.UnpartitionedSpec)
}

// tableProperties are set on both tables when they are created.
var tableProperties = iceberg.Properties{
	table.PropertyFormatVersion: "2",
	table.ParquetCompressionKey: "zstd",
	// Conflicts are handled by Lake itself (reload, check the lake version, redo), so the
	// library's own refresh-and-replay is off.
	table.CommitNumRetriesKey: "0",
	"write.delete.mode":       "copy-on-write",
	"write.update.mode":       "copy-on-write",
	"write.merge.mode":        "copy-on-write",
	// No lower and upper bounds of client keys (or of quarantined values) in the manifests:
	// a manifest that records a deleted file keeps its statistics, so bounds would keep a
	// forgotten client's key in the metadata (see Forget in doc.go).
	table.MetricsModeColumnConfPrefix + ".client_key": "counts",
	table.MetricsModeColumnConfPrefix + ".value":      "counts",
	table.MetricsModeColumnConfPrefix + ".message":    "counts",
}

func (l *Lake) createTable(ctx context.Context, ident table.Identifier, cols []column, spec iceberg.PartitionSpec) error {
	for wait := time.Duration(0); ; wait += creationPoll {
		ok, err := l.cat.CheckTableExists(ctx, ident)
		if err != nil {
			return err
		}
		if !ok {
			_, err = l.cat.CreateTable(ctx, ident, icebergSchema(cols),
				catalog.WithPartitionSpec(&spec), catalog.WithProperties(tableProperties))
			if err != nil && !errors.Is(err, catalog.ErrTableAlreadyExists) {
				return fmt.Errorf("create table %s: %w", ident[1], err)
			}
		}
		tbl, err := l.load(ctx, ident)
		if err == nil {
			return l.upgradeTable(ctx, tbl, cols)
		}
		if !errors.Is(err, catalog.ErrNoSuchTable) || wait >= creationTimeout {
			return err
		}
		// Another process is creating the table, or one died while creating it and left
		// its claim on version 1: wait for the one, clear the other.
		if err := l.clearCreationClaim(ident[1]); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(creationPoll):
		}
	}
}

// A table is created in milliseconds; a claim on its version 1 older than creationStale was
// left by a process that died while creating it.
const (
	creationPoll    = 100 * time.Millisecond
	creationTimeout = 15 * time.Second
	creationStale   = 5 * time.Second
)

func (l *Lake) clearCreationClaim(name string) error {
	claim := filepath.Join(l.tableDir(name), "metadata", "v1.metadata.json.claim")
	fi, err := os.Stat(claim)
	if err != nil || time.Since(fi.ModTime()) < creationStale {
		return nil
	}
	if err := os.Remove(claim); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	l.log.Warn("removed the claim of a table creation that did not finish", "table", name)
	return nil
}

// upgradeTable brings a table created by an earlier release up to date: it adds the columns
// added since (at the end, nullable: quarantine's client_key) and the table properties it
// lacks, each by a metadata-only commit; then it checks the field ids. A commit that loses a
// race with another process doing the same is reloaded and checked again.
func (l *Lake) upgradeTable(ctx context.Context, tbl *table.Table, cols []column) error {
	for attempt := 0; attempt < 3; attempt++ {
		var missing []column
		for _, c := range cols {
			if _, ok := tbl.Schema().FindFieldByName(c.name); !ok {
				missing = append(missing, c)
			}
		}
		props := iceberg.Properties{}
		for k, v := range tableProperties {
			if _, ok := tbl.Properties()[k]; !ok && strings.HasPrefix(k, table.MetricsModeColumnConfPrefix) {
				props[k] = v
			}
		}
		if len(missing) == 0 && len(props) == 0 {
			return checkFieldIDs(tbl.Schema(), cols)
		}
		tx := tbl.NewTransaction()
		if len(missing) > 0 {
			us := tx.UpdateSchema(true, false)
			for _, c := range missing {
				if !c.nullable {
					return fmt.Errorf("%w: table %s lacks required column %s", ErrSchema, tbl.Identifier()[1], c.name)
				}
				us.AddColumn([]string{c.name}, c.typ, "", false, nil)
			}
			if err := us.Commit(); err != nil {
				return fmt.Errorf("upgrade table %s: %w", tbl.Identifier()[1], err)
			}
		}
		if len(props) > 0 {
			if err := tx.SetProperties(props); err != nil {
				return err
			}
		}
		_, err := tx.Commit(ctx)
		if err == nil {
			l.log.Info("upgraded table", "table", tbl.Identifier()[1], "columns_added", len(missing), "properties_added", len(props))
		}
		fresh, lerr := l.load(ctx, tbl.Identifier())
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		tbl = fresh
	}
	return checkFieldIDs(tbl.Schema(), cols)
}

// checkFieldIDs checks that the table numbers its columns as this package does.
func checkFieldIDs(sc *iceberg.Schema, cols []column) error {
	for i, c := range cols {
		f, ok := sc.FindFieldByName(c.name)
		if !ok || f.ID != i+1 {
			return fmt.Errorf("%w: table column %s is missing or has another field id", ErrSchema, c.name)
		}
	}
	return nil
}

// Close releases the lake. It is idempotent. A batch still open (neither committed nor
// aborted) is a caller's bug: Close aborts it and says so in its error.
func (l *Lake) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	open := make([]*Append, 0, len(l.appends))
	for a := range l.appends {
		open = append(open, a)
	}
	l.mu.Unlock()
	var errs []error
	for _, a := range open {
		errs = append(errs, fmt.Errorf("lake: closed with batch for version %d still open (aborted)", a.version), a.Abort())
	}
	l.fs.close()
	if l.cat != nil {
		errs = append(errs, l.cat.Close())
	}
	return errors.Join(errs...)
}

// track records a batch as open (or, with open false, as finished).
func (l *Lake) track(a *Append, open bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if open {
		if l.appends == nil {
			l.appends = map[*Append]bool{}
		}
		l.appends[a] = true
	} else {
		delete(l.appends, a)
	}
}

func (l *Lake) checkOpen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	return nil
}

// Dir returns the lake directory.
func (l *Lake) Dir() string { return l.dir }

// load loads a table from the catalog, wired to commit through Lake (hooks) and to write
// through the lake's syncing file system.
func (l *Lake) load(ctx context.Context, ident table.Identifier) (*table.Table, error) {
	t, err := l.cat.LoadTable(ctx, ident)
	if err != nil {
		return nil, fmt.Errorf("load table %s: %w", ident[1], err)
	}
	fsF := func(context.Context) (icebergio.IO, error) { return l.fs, nil }
	return table.New(ident, t.Metadata(), t.MetadataLocation(), fsF, catalogIO{l}), nil
}

// catalogIO is the catalog the loaded tables commit through: the hadoop catalog, plus the
// test hook.
type catalogIO struct{ l *Lake }

func (c catalogIO) LoadTable(ctx context.Context, ident table.Identifier) (*table.Table, error) {
	return c.l.load(ctx, ident)
}

func (c catalogIO) CommitTable(ctx context.Context, ident table.Identifier, reqs []table.Requirement, updates []table.Update) (table.Metadata, string, error) {
	if h := c.l.hooks.commitTable; h != nil {
		if err := h(ident); err != nil {
			return nil, "", err
		}
	}
	return c.l.cat.CommitTable(ctx, ident, reqs, updates)
}

// tableDir returns the directory of a table.
func (l *Lake) tableDir(name string) string { return filepath.Join(l.warehouse, Namespace, name) }

// removeStaleClaims removes what a crashed commit leaves in a table's metadata directory:
// version claims (which would block that version number for a minute) and temporary files.
// Only a writer holding the workspace lock may call it: no other commit can be in flight.
func (l *Lake) removeStaleClaims(name string) error {
	dir := filepath.Join(l.tableDir(name), "metadata")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range ents {
		n := e.Name()
		if isClaim(n) || isTemp(n) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			l.log.Info("removed stale metadata file", "table", name, "file", n)
			removed = true
		}
	}
	if removed {
		return l.fs.syncDir(dir)
	}
	return nil
}

func isClaim(name string) bool {
	return filepath.Ext(name) == ".claim" && len(name) > 1 && name[0] == 'v'
}

// isTemp matches the hadoop catalog's temporary files: <uuid>.metadata.json and
// <uuid>-version-hint.temp.
func isTemp(name string) bool {
	if len(name) < 36 {
		return false
	}
	rest := name[36:]
	return (rest == ".metadata.json" || rest == "-version-hint.temp") && isUUID(name[:36])
}

func isUUID(s string) bool {
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
				return false
			}
		}
	}
	return true
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// relPath returns path relative to base, or path itself if it is not under base.
func relPath(base, path string) string {
	if path == "" {
		return ""
	}
	r, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}
