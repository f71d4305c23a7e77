package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// Status is the outcome of ingesting one file.
type Status string

// The statuses of a [Report].
const (
	Committed       Status = "committed"        // the batch is in the lake
	AlreadyIngested Status = "already_ingested" // the same bytes were committed before
	Rejected        Status = "rejected"         // the file could not be read at all; nothing written
	Checked         Status = "checked"          // validated only (dry run, schema check)
)

// Options configure the ingest of one file.
type Options struct {
	// Lake receives the batch. With DryRun it is only asked whether the file was ingested
	// before; nil validates without any lake (outcomes schema check).
	Lake *lake.Lake
	// Hasher pseudonymises ids; required unless DryRun or Lake is nil.
	Hasher *pseudo.Hasher
	Schema *schema.Schema // nil: schema.Latest()
	Source source.Options
	// Validate carries the ingest date (required: [File] refuses a zero Validate.Today, since
	// the date is an input and never read from the clock) and the date format.
	Validate schema.Options
	DryRun   bool
	Force    bool // re-ingest a file whose sha256 is already committed
	Logger   *slog.Logger
	// Progress, if set, is called now and then with the bytes read so far and the total.
	Progress func(done, total int64)
	// BatchRows is the number of rows per Arrow batch (default 16384).
	BatchRows int
	// Alloc allocates Arrow memory (default memory.DefaultAllocator); tests pass a checked one.
	Alloc memory.Allocator
	// SampleViolations is how many violations the report keeps in full (default 20).
	SampleViolations int
}

// Report says what happened to one file. Its JSON form is `outcomes ingest --json`.
type Report struct {
	Source           string           `json:"source"`
	SHA256           string           `json:"sha256"`
	Format           string           `json:"format"`
	RowsRead         int64            `json:"rows_read"`
	RowsAccepted     int64            `json:"rows_accepted"`
	RowsQuarantined  int64            `json:"rows_quarantined"`
	RowsExcluded     int64            `json:"rows_excluded"`
	ViolationsByRule map[string]int64 `json:"violations_by_rule"`
	UnknownColumns   []string         `json:"unknown_columns"`
	PIIColumns       []string         `json:"pii_columns"`
	Snapshot         int64            `json:"snapshot"`
	Status           Status           `json:"status"`
	Error            string           `json:"error,omitempty"`
	// DateFormatHint is the --date-format that would read the file's dates, when none of
	// them parsed and all read as numbers in one order ("dd/mm/yyyy"); see
	// schema.DateHintText for the advice that goes with it.
	DateFormatHint string `json:"date_format_hint,omitempty"`
	// Violations holds the first few violations in file order, grouped by rule when printed.
	Violations []schema.Violation `json:"-"`
	// Err is the reason a file was rejected.
	Err error `json:"-"`
}

// Counts returns the report's row counts in the lake's terms.
func (r *Report) Counts() lake.Counts {
	var v int64
	for _, n := range r.ViolationsByRule {
		v += n
	}
	return lake.Counts{Read: r.RowsRead, Accepted: r.RowsAccepted, Quarantined: r.RowsQuarantined, Excluded: r.RowsExcluded, Violations: v}
}

// QuarantineShare is the share of rows read that were quarantined (0 for an empty file).
func (r *Report) QuarantineShare() float64 {
	if r.RowsRead == 0 {
		return 0
	}
	return float64(r.RowsQuarantined) / float64(r.RowsRead)
}

// File ingests the export at path. A file that cannot be read (rejected) is not an error: the
// report says why. The error is for what a person cannot fix in the file: I/O, the lake, a
// broken counts invariant, cancellation.
func File(ctx context.Context, path string, opt Options) (*Report, error) {
	if opt.Validate.Today.IsZero() {
		return nil, errors.New("ingest: Options.Validate.Today is zero: the ingest date is an input")
	}
	opt = opt.withDefaults()
	rep := &Report{Source: path, ViolationsByRule: map[string]int64{}, UnknownColumns: []string{}, PIIColumns: []string{}}
	st, err := stampFile(path)
	if err != nil {
		return reject(rep, err), nil
	}
	sum := st.sha256
	rep.SHA256 = sum
	if testHookStamped != nil {
		testHookStamped(path)
	}
	f, err := source.DetectFormat(path, opt.Source.Format)
	if err != nil {
		return reject(rep, err), nil
	}
	rep.Format = string(f)
	opt.Source.Format = f
	if opt.Lake != nil && !opt.Force {
		v, ok, err := opt.Lake.Ingested(ctx, sum)
		if err != nil {
			return nil, err
		}
		if ok {
			rep.Status, rep.Snapshot = AlreadyIngested, v
			return rep, nil
		}
	}
	return ingestFile(ctx, path, st, rep, opt)
}

// testHookStamped, when set by a test, runs after the file's sha256 is computed and before
// it is read: a test appends to the file there, as an export still being written would.
var testHookStamped func(path string)

func (o Options) withDefaults() Options {
	if o.Schema == nil {
		o.Schema = schema.Latest()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 1 << 14
	}
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	if o.SampleViolations == 0 {
		o.SampleViolations = 20
	}
	return o
}

// ingestFile runs the passes of the package doc's plan and commits.
// The file must still match st after the last pass, so that the rows committed are those of
// the bytes whose sha256 is recorded.
func ingestFile(ctx context.Context, path string, st stamp, rep *Report, opt Options) (*Report, error) {
	write := opt.Lake != nil && !opt.DryRun
	if write && opt.Hasher == nil {
		return nil, errors.New("ingest: no pseudonymisation key")
	}
	p, err := newPass(ctx, path, rep, opt, nil, write)
	if err != nil {
		return rejectOrFail(rep, err)
	}
	if err := p.run(ctx); err != nil {
		p.abort()
		return rejectOrFail(rep, err)
	}
	suspects, hint := p.dups.suspects(), p.val.DateFormatHint()
	if len(suspects) > 0 || hint != "" {
		// Read again: with the duplicate decisions, and with the date hint in the messages.
		p.abort()
		var decisions map[int]decision
		if len(suspects) > 0 {
			if decisions, err = confirm(ctx, path, opt, p.dups, suspects); err != nil {
				return rejectOrFail(rep, err)
			}
		}
		opt.Validate.DateHint = hint
		*rep = Report{Source: rep.Source, SHA256: rep.SHA256, Format: rep.Format, ViolationsByRule: map[string]int64{}, DateFormatHint: hint}
		if p, err = newPass(ctx, path, rep, opt, decisions, write); err != nil {
			return rejectOrFail(rep, err)
		}
		if err := p.run(ctx); err != nil {
			p.abort()
			return rejectOrFail(rep, err)
		}
	}
	if err := rep.Counts().Check(); err != nil {
		p.abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := st.check(path); err != nil {
		p.abort()
		return rejectOrFail(rep, err)
	}
	if !write {
		rep.Status = Checked
		return rep, nil
	}
	c, err := p.app.Commit(ctx, rep.Counts())
	if err != nil {
		p.abort()
		return nil, fmt.Errorf("commit %s: %w", path, err)
	}
	rep.Status, rep.Snapshot = Committed, c.Version
	return rep, nil
}

// rejectOrFail turns a file-level read error into a rejected report, and passes anything
// else (the lake, cancellation) up as an error.
func rejectOrFail(rep *Report, err error) (*Report, error) {
	var fe *source.FileError
	var mc *schema.MissingColumnsError
	var dc *schema.DuplicateColumnsError
	var uh *schema.UnmatchedHeaderError
	if errors.As(err, &fe) || errors.As(err, &mc) || errors.As(err, &dc) || errors.As(err, &uh) {
		return reject(rep, err), nil
	}
	return nil, err
}

func reject(rep *Report, err error) *Report {
	rep.Status = Rejected
	rep.Err = err
	rep.Error = err.Error()
	rep.RowsRead, rep.RowsAccepted, rep.RowsQuarantined, rep.RowsExcluded = 0, 0, 0, 0
	rep.ViolationsByRule = map[string]int64{}
	rep.Violations = nil
	return rep
}

// ErrChanged: the file's size, modification time or content changed between the hash and
// the end of the read, as when an export is still being written (a file-level error).
var ErrChanged = errors.New("changed while it was read: ingest it again when it is complete")

// stamp identifies one state of a file: its sha256, size and modification time.
type stamp struct {
	sha256 string
	size   int64
	mtime  time.Time
}

// stampFile hashes the regular file at path. The size and modification time are those
// before the hash, and the hash covers exactly size bytes, or the file is changing now.
func stampFile(path string) (stamp, error) {
	f, err := source.OpenRegular(path)
	if errors.Is(err, source.ErrNotRegular) {
		return stamp{}, err
	}
	if err != nil {
		return stamp{}, &source.FileError{File: path, Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return stamp{}, &source.FileError{File: path, Err: err}
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return stamp{}, &source.FileError{File: path, Err: err}
	}
	if n != fi.Size() {
		return stamp{}, &source.FileError{File: path, Err: ErrChanged}
	}
	return stamp{sha256: hex.EncodeToString(h.Sum(nil)), size: fi.Size(), mtime: fi.ModTime()}, nil
}

// check returns a [source.FileError] wrapping [ErrChanged] unless the file at path is still
// as st records it. It hashes the file again: a change that keeps the size and the
// modification time (a copy with its time preserved) must not go unseen either.
func (st stamp) check(path string) error {
	now, err := stampFile(path)
	if err != nil {
		return err
	}
	if now.sha256 != st.sha256 || now.size != st.size || !now.mtime.Equal(st.mtime) {
		return &source.FileError{File: path, Err: ErrChanged}
	}
	return nil
}

// sourceName is the name recorded in the quarantine: the file's base name, never a full path
// that could carry a person's name from a home directory.
func sourceName(path string) string { return filepath.Base(path) }
