package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// retentionStep applies archive.keep_days to archive/<date>/ and runs.keep to state/runs.
// rejected/ is never pruned: each file there waits for a person.
func (r *runner) retentionStep() Step {
	return Step{Name: "retention", Do: func(ctx context.Context, e *Env) error {
		cfg := r.w.Config
		n, err := pruneArchive(r.w.ArchiveDir(), e.Today, cfg.Archive.KeepDays)
		e.Count("archive_dirs_removed", int64(n))
		if err != nil {
			return err
		}
		k, err := pruneRecords(r.w.RunsDir(), cfg.Runs.Keep, r.rec.ID)
		e.Count("records_removed", int64(k))
		return err
	}}
}

// pruneArchive removes the archive/<YYYY-MM-DD> directories more than keepDays days before
// the date of today. Other names are left alone.
func pruneArchive(dir string, today time.Time, keepDays int) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	day, _ := time.Parse(time.DateOnly, today.UTC().Format(time.DateOnly))
	cutoff := day.AddDate(0, 0, -keepDays)
	n := 0
	for _, e := range entries {
		d, err := time.Parse(time.DateOnly, e.Name())
		if err != nil || !e.IsDir() || !d.Before(cutoff) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return n, fmt.Errorf("archive retention: %w", err)
		}
		n++
	}
	if n > 0 {
		return n, syncDir(dir)
	}
	return n, nil
}

// pruneRecords keeps the newest keep run records (the current one, current, always) and
// removes the others.
func pruneRecords(dir string, keep int, current string) (int, error) {
	ids, err := IDs(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := 0; i < len(ids)-keep; i++ {
		if ids[i] == current {
			continue
		}
		if err := os.Remove(filepath.Join(dir, ids[i]+recordSuffix)); err != nil {
			return n, fmt.Errorf("run record retention: %w", err)
		}
		n++
	}
	if n > 0 {
		return n, syncDir(dir)
	}
	return n, nil
}
