package run

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
)

// recover resolves what an earlier run left behind; the caller holds the lock, so no other
// run is alive. Records still "running" are marked crashed (in memory: see markCrashed) and
// completed from what the crash left (see completeCrashed), and their alerts are carried into
// this run, so that a person still hears of them; temporary files of interrupted atomic
// writes are removed. Problems become warnings: they must not stop the nightly run.
func (r *runner) recover(ctx context.Context, start time.Time) {
	r.loadPrevious()
	for i, p := range r.prev {
		if p.Status != Running {
			continue
		}
		until := start // the lock was the crashed run's until the next run took it
		if i+1 < len(r.prev) {
			until = r.prev[i+1].Started
		}
		p.Status, p.CrashedFound = Crashed, r.rec.ID
		p.Error = "the process ended without finishing its record (killed, crashed or power loss)"
		r.crashed = append(r.crashed, p)
		r.completeCrashed(ctx, p, until)
		r.warn(fmt.Sprintf("run %s did not finish (killed or crashed); marked crashed", p.ID))
		for _, a := range p.Alerts {
			r.alert(fmt.Sprintf("run %s (crashed): %s", p.ID, a))
		}
	}
	n, err := r.cleanOrphans(start)
	if err != nil {
		r.warn(fmt.Sprintf("remove temporary files left by a crashed run: %v", err))
	}
	if n > 0 {
		r.log.Info("removed temporary files left by a crashed run", "files", n)
	}
}

// markCrashed writes the records that recover marked crashed. It comes after this run's own
// record is saved with the alerts carried from them: a crash in between leaves them
// "running", to be carried again, rather than lost.
func (r *runner) markCrashed() {
	for _, p := range r.crashed {
		if err := writeRecord(r.w.RunsDir(), p); err != nil {
			r.warn(fmt.Sprintf("mark run %s crashed: %v", p.ID, err))
		}
	}
}

// completeCrashed adds to a crashed run's record what it did after its last save: the files it
// rejected (their reason files name the run) and the lake versions it committed (the log's
// versions from its start until the next run took the lock), with the alerts they call for.
// The record's lake versions become those the log shows.
func (r *runner) completeCrashed(ctx context.Context, p *Record, until time.Time) {
	if err := r.addRejected(p); err != nil {
		r.warn(fmt.Sprintf("find the files crashed run %s rejected: %v", p.ID, err))
	}
	if r.lake == nil || p.Started.IsZero() {
		return
	}
	log, err := r.lake.Log(ctx)
	if err != nil {
		r.warn(fmt.Sprintf("find the lake versions crashed run %s committed: %v", p.ID, err))
		return
	}
	p.SnapshotBefore = 0
	for _, c := range log {
		switch {
		case c.Time.Before(p.Started):
			p.SnapshotBefore = c.Version
		case c.Time.Before(until):
			r.addCommitted(p, c)
		}
	}
	p.SnapshotAfter = p.SnapshotBefore
	for _, f := range p.Files {
		p.SnapshotAfter = max(p.SnapshotAfter, f.Snapshot)
	}
}

// addCommitted adds lake version c, committed by crashed run p, to its record if the record
// does not have it yet (the run was killed between the commit and its save).
func (r *runner) addCommitted(p *Record, c lake.Commit) {
	if c.Operation != lake.OpIngest || slices.ContainsFunc(p.Files, func(f FileRecord) bool { return f.Snapshot == c.Version }) {
		return
	}
	f := FileRecord{Name: c.Source.Name, Status: FileIngested, SHA256: c.Source.SHA256, Snapshot: c.Version,
		RowsRead: c.Counts.Read, RowsAccepted: c.Counts.Accepted, RowsQuarantined: c.Counts.Quarantined,
		RowsExcluded: c.Counts.Excluded}
	p.Files = append(p.Files, f)
	k := &p.Counts
	k.Ingested++ // not archived by this run: the next one archives it as a duplicate
	k.RowsRead += f.RowsRead
	k.RowsAccepted += f.RowsAccepted
	k.RowsQuarantined += f.RowsQuarantined
	k.RowsExcluded += f.RowsExcluded
	share := r.w.Config.Quarantine.AlertShare
	if f.RowsQuarantined > 0 && float64(f.RowsQuarantined)/float64(f.RowsRead) > share {
		p.Alerts = append(p.Alerts, fmt.Sprintf("inbox/%s: %d of %d rows quarantined (above quarantine.alert_share %g)",
			f.Name, f.RowsQuarantined, f.RowsRead, share))
	}
}

// addRejected adds to crashed run p's record the files it moved to rejected/ after its last
// save: each has a reason file that names the run (see Env.reject).
func (r *runner) addRejected(p *Record) error {
	paths, err := filepath.Glob(filepath.Join(r.w.RejectedDir(), "*", "*"+reasonSuffix))
	if err != nil {
		return err
	}
	for _, reason := range paths {
		dst := strings.TrimSuffix(reason, reasonSuffix)
		rel, _ := filepath.Rel(r.w.Dir, dst)
		if slices.ContainsFunc(p.Files, func(f FileRecord) bool { return f.MovedTo == rel }) {
			continue
		}
		b, err := os.ReadFile(reason)
		if err != nil {
			return err
		}
		name, why, ok := parseReason(string(b), p.ID)
		if _, err := os.Lstat(dst); !ok || err != nil {
			continue // another run's, or the move did not happen: the file is still in the inbox
		}
		p.Files = append(p.Files, FileRecord{Name: name, Status: FileRejected, MovedTo: rel, Reason: why})
		p.Counts.Rejected++
		p.Alerts = append(p.Alerts, rejectedAlert(name, rel))
	}
	return nil
}

// warn records a warning of the run itself (not of a step) and logs it.
func (r *runner) warn(msg string) {
	r.rec.Warnings = append(r.rec.Warnings, msg)
	r.log.Warn("run warning", "warning", msg)
}

// loadPrevious reads the earlier run records; an unreadable one is a warning and is skipped.
func (r *runner) loadPrevious() {
	ids, err := IDs(r.w.RunsDir())
	if err != nil {
		r.warn(fmt.Sprintf("list run records: %v", err))
		return
	}
	for _, id := range ids {
		p, err := ReadRecord(r.w.RunsDir(), id)
		if err != nil {
			r.warn(fmt.Sprintf("skip unreadable run record: %v", err))
			continue
		}
		r.prev = append(r.prev, p)
	}
}

// cleanOrphans removes the temporary files that a run killed in the middle of an atomic
// write leaves: the run's own (tmpPrefix) in state/runs, inbox, archive and rejected, and
// the dot-named temporaries of summary and report writers under reports/ that are older than
// this run (a manual `outcomes summarize` does not take the lock; its files are younger).
// It returns how many it removed.
func (r *runner) cleanOrphans(start time.Time) (int, error) {
	w := r.w
	n := 0
	var errs []error
	own := func(name string, _ fs.DirEntry) bool { return strings.HasPrefix(name, tmpPrefix) }
	for _, dir := range []string{w.RunsDir(), w.InboxDir()} {
		k, err := removeMatching(dir, 0, own)
		n, errs = n+k, append(errs, err)
	}
	for _, dir := range []string{w.ArchiveDir(), w.RejectedDir()} {
		k, err := removeMatching(dir, 1, own)
		n, errs = n+k, append(errs, err)
	}
	stale := func(name string, e fs.DirEntry) bool {
		info, err := e.Info()
		return strings.HasPrefix(name, ".") && err == nil && info.ModTime().Before(start)
	}
	k, err := removeMatching(w.ReportsDir(), 1, stale)
	return n + k, errors.Join(append(errs, err)...)
}

// removeMatching removes the entries of dir (and of its subdirectories, depth levels down)
// that match; a missing dir is empty.
func removeMatching(dir string, depth int, match func(string, fs.DirEntry) bool) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case match(e.Name(), e):
			if err := os.RemoveAll(p); err != nil {
				return n, err
			}
			n++
		case e.IsDir() && depth > 0:
			k, err := removeMatching(p, depth-1, match)
			if n += k; err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
