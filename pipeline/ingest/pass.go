package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// pass is one read of a file: every record validated, classified and, when writing, sent to
// the lake batch.
type pass struct {
	path string
	rep  *Report
	opt  Options
	rd   source.Reader
	val  *schema.Validator

	// decisions are the duplicate verdicts by line (second pass); nil on the first pass.
	decisions map[int]decision
	// dups collects the hashes that find duplicates (first pass only).
	dups *dupIndex

	app *lake.Append // nil when not writing
	// sb builds the sessions batches, one builder per calendar year of session_date: the lake
	// partitions by year, so single-year batches go to their file without being split.
	sb   map[int]*sessionsBuilder
	newB func() *sessionsBuilder
	qb   *quarantineBuilder
	out  chan arrowBatch
	g    *errgroup.Group
	gctx context.Context
}

// errWriterStopped says the lake writer goroutine has stopped (it failed, or the context was
// cancelled). Only run, after closing the channel the writer drains, waits for it and reports
// why: waiting earlier would wait forever.
var errWriterStopped = errors.New("ingest: lake writer stopped")

// arrowBatch is a finished Arrow batch on its way to the lake writer goroutine.
type arrowBatch struct {
	rec        arrow.RecordBatch
	quarantine bool
}

func newPass(ctx context.Context, path string, rep *Report, opt Options, decisions map[int]decision, write bool) (*pass, error) {
	rd, err := source.Open(path, opt.Source)
	if err != nil {
		return nil, err
	}
	m, err := opt.Schema.Map(rd.Header())
	if err != nil {
		rd.Close()
		return nil, fileContext(path, err)
	}
	rep.UnknownColumns = append([]string{}, m.Unknown...)
	rep.PIIColumns = append([]string{}, m.PII...)
	p := &pass{
		path: path, rep: rep, opt: opt, rd: rd,
		val:       opt.Schema.NewValidator(path, m, opt.Validate),
		decisions: decisions,
	}
	if decisions == nil {
		p.dups = newDupIndex()
	}
	if write {
		if err := p.startWriter(ctx); err != nil {
			rd.Close()
			return nil, err
		}
	}
	return p, nil
}

// fileContext names the file in a header error that does not already.
func fileContext(path string, err error) error {
	return fmt.Errorf("%s: %w", path, err)
}

// startWriter opens the lake batch and the goroutine that writes Arrow batches to it, so that
// reading and validating (this goroutine) and encoding Parquet (the other) overlap.
func (p *pass) startWriter(ctx context.Context) error {
	var force []lake.AppendOption
	if p.opt.Force {
		force = append(force, lake.Force())
	}
	app, err := p.opt.Lake.NewAppend(ctx, lake.Source{
		Name: sourceName(p.path), SHA256: p.rep.SHA256, Format: p.rep.Format, SchemaVersion: p.opt.Schema.Version(),
	}, force...)
	if err != nil {
		return err
	}
	p.app = app
	version := app.Version()
	p.sb = make(map[int]*sessionsBuilder)
	p.newB = func() *sessionsBuilder {
		return newSessionsBuilder(p.opt.Alloc, p.opt.Hasher, p.rep.SHA256, int32(p.opt.Schema.Version()), version)
	}
	p.qb = newQuarantineBuilder(p.opt.Alloc, sourceName(p.path), p.rep.SHA256, version)
	out := make(chan arrowBatch, 2)
	p.out = out
	p.g, p.gctx = errgroup.WithContext(ctx)
	p.g.Go(func() error {
		var err error
		for b := range out {
			if err == nil {
				if b.quarantine {
					err = app.WriteQuarantine(p.gctx, b.rec)
				} else {
					err = app.WriteSessions(p.gctx, b.rec)
				}
			}
			b.rec.Release()
		}
		return err
	})
	return nil
}

// run reads the whole file. On return the reader is closed and, when writing, every batch
// has been handed to the lake (or the error says why not).
func (p *pass) run(ctx context.Context) error {
	err := p.readAll(ctx)
	if cerr := p.rd.Close(); err == nil {
		err = cerr
	}
	if p.out != nil {
		if err == nil {
			err = p.flush()
		}
		close(p.out)
		p.out = nil
		werr := p.g.Wait()
		switch {
		case errors.Is(err, errWriterStopped):
			// The writer stopped first: its error, or the cancellation that stopped it.
			err = cmp.Or(werr, ctx.Err(), err)
		case err == nil:
			err = werr
		}
	}
	p.releaseBuilders()
	return err
}

func (p *pass) readAll(ctx context.Context) error {
	prog, _ := p.rd.(source.Progress)
	for n := 0; ; n++ {
		if n%p.opt.BatchRows == 0 {
			if err := p.tick(ctx, prog); err != nil {
				return err
			}
		}
		rec, err := p.rd.Next()
		if err == io.EOF {
			if prog != nil && p.opt.Progress != nil {
				p.opt.Progress(prog.Size(), prog.Size())
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := p.record(rec); err != nil {
			return err
		}
	}
}

// tick checks for cancellation, reports progress and flushes full batches.
func (p *pass) tick(ctx context.Context, prog source.Progress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.gctx != nil && p.gctx.Err() != nil {
		return errWriterStopped
	}
	if prog != nil && p.opt.Progress != nil {
		p.opt.Progress(prog.Offset(), prog.Size())
	}
	return nil
}

// record classifies one source record.
func (p *pass) record(rec source.Record) error {
	p.rep.RowsRead++
	if rec.Err != nil {
		p.quarantine([]schema.Violation{parseViolation(p.val, rec)}, nil)
		return nil
	}
	sess, viols := p.val.Validate(rec.Line, rec.Fields)
	switch schema.Classify(sess, viols) {
	case schema.Excluded:
		p.rep.RowsExcluded++
		return nil
	case schema.Quarantined:
		p.quarantine(viols, &sess)
		return nil
	}
	if p.decisions != nil {
		if d, ok := p.decisions[rec.Line]; ok && d.rule != "" {
			p.quarantine([]schema.Violation{d.violation(p.val, rec.Line)}, &sess)
			return nil
		}
	} else {
		p.dups.add(&sess)
	}
	p.rep.RowsAccepted++
	if p.sb == nil {
		return nil
	}
	year := yearOf(sess.SessionDate)
	b := p.sb[year]
	if b == nil {
		b = p.newB()
		p.sb[year] = b
	}
	b.append(&sess, rec.Line)
	if b.len() >= p.opt.BatchRows && !p.send(arrowBatch{rec: b.finish()}) {
		return errWriterStopped
	}
	return nil
}

// quarantine counts a quarantined row and records its violations, with the row's client key
// when sess (nil for a row that could not be parsed) has both ids.
func (p *pass) quarantine(viols []schema.Violation, sess *schema.Session) {
	p.rep.RowsQuarantined++
	var clientKey string
	if sess != nil && sess.PractitionerID != "" && sess.ClientID != "" && p.qb != nil && p.opt.Hasher != nil {
		clientKey = p.opt.Hasher.Client(sess.PractitionerID, sess.ClientID)
	}
	for _, v := range viols {
		p.rep.ViolationsByRule[string(v.Rule)]++
		if len(p.rep.Violations) < p.opt.SampleViolations {
			p.rep.Violations = append(p.rep.Violations, v)
		}
		if p.qb != nil {
			p.qb.append(v, clientKey)
		}
	}
	if p.qb != nil && p.qb.len() >= p.opt.BatchRows {
		p.send(arrowBatch{rec: p.qb.finish(), quarantine: true})
	}
}

// flush sends the last sessions batches (and the quarantine batch) to the writer.
func (p *pass) flush() error {
	for _, year := range slices.Sorted(maps.Keys(p.sb)) {
		if b := p.sb[year]; b.len() > 0 && !p.send(arrowBatch{rec: b.finish()}) {
			return errWriterStopped
		}
	}
	if p.qb.len() > 0 {
		if !p.send(arrowBatch{rec: p.qb.finish(), quarantine: true}) {
			return errWriterStopped
		}
	}
	return nil
}

// send hands a batch to the writer goroutine; false when the writer has failed.
func (p *pass) send(b arrowBatch) bool {
	select {
	case p.out <- b:
		return true
	case <-p.gctx.Done():
		b.rec.Release()
		return false
	}
}

func (p *pass) releaseBuilders() {
	for _, b := range p.sb {
		b.release()
	}
	p.sb = nil
	if p.qb != nil {
		p.qb.release()
		p.qb = nil
	}
}

// abort drops the lake batch, if any; its data files are removed.
func (p *pass) abort() {
	if p.app != nil {
		p.app.Abort()
	}
}

// parseViolation is the quarantine entry of a row that could not be split into fields; val is
// the pass's validator. Its message is the reader's, without the file path (the quarantine
// records the file's name).
func parseViolation(val *schema.Validator, rec source.Record) schema.Violation {
	msg := rec.Err.Error()
	var fe *source.FileError
	if errors.As(rec.Err, &fe) {
		msg = fe.Err.Error()
	}
	v := val.RowViolation(rec.Line, schema.RuleParse, "", fmt.Sprintf("line %d could not be read: %s", rec.Line, msg))
	if fe != nil {
		v.ColumnIndex = fe.Column
	}
	return v
}

// yearOf returns the calendar year of a date given as days since 1970-01-01.
func yearOf(days int32) int {
	return time.Unix(int64(days)*86400, 0).UTC().Year()
}
