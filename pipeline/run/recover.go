package run

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// recover resolves what an earlier run left behind; the caller holds the lock, so no other
// run is alive. Records still "running" are marked crashed; temporary files of interrupted
// atomic writes are removed. Problems become warnings: they must not stop the nightly run.
func (r *runner) recover(start time.Time) {
	r.loadPrevious()
	for _, p := range r.prev {
		if p.Status != Running {
			continue
		}
		p.Status, p.CrashedFound = Crashed, r.rec.ID
		r.crashed = true
		p.Error = "the process ended without finishing its record (killed, crashed or power loss)"
		if err := writeRecord(r.w.RunsDir(), p); err != nil {
			r.warn(fmt.Sprintf("mark run %s crashed: %v", p.ID, err))
			continue
		}
		r.warn(fmt.Sprintf("run %s did not finish (killed or crashed); marked crashed", p.ID))
	}
	n, err := r.cleanOrphans(start)
	if err != nil {
		r.warn(fmt.Sprintf("remove temporary files left by a crashed run: %v", err))
	}
	if n > 0 {
		r.log.Info("removed temporary files left by a crashed run", "files", n)
	}
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
