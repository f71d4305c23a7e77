package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// VacuumOptions configure [Lake.Vacuum].
type VacuumOptions struct {
	// OlderThan protects young files: a file no kept snapshot refers to is deleted only if it
	// was last modified longer ago than this (a writer that does not hold the lock may be
	// writing it).
	OlderThan time.Duration
	// Retain, when positive, expires the versions committed longer ago than this (never the
	// latest): they can no longer be read with --as-of. Zero keeps every version.
	Retain time.Duration
	// DryRun reports what would be expired and deleted, and changes nothing.
	DryRun bool
}

// VacuumResult is what [Lake.Vacuum] expired and deleted (or, with DryRun, would have).
type VacuumResult struct {
	ExpiredVersions     []int64  `json:"expired_versions"`  // lake versions whose snapshots were expired
	ExpiredSnapshots    int      `json:"expired_snapshots"` // Iceberg snapshots removed, both tables
	Deleted             []string `json:"deleted"`           // files deleted, relative to the lake directory, sorted
	DeletedBytes        int64    `json:"deleted_bytes"`
	Young               int      `json:"young_kept"` // unreferenced files kept because they are younger than OlderThan
	DryRun              bool     `json:"dry_run"`
	SessionsSnapshots   int      `json:"sessions_snapshots_kept"`
	QuarantineSnapshots int      `json:"quarantine_snapshots_kept"`
}

// Vacuum expires snapshots and deletes the files no kept snapshot refers to. The caller
// holds the workspace lock. It
//
//  1. repairs as a writer does (doc.go, step 1);
//  2. expires the snapshots before the latest forget (a forget's own expiry a crash
//     interrupted), those of versions older than Retain, and the quarantine snapshots no kept
//     version names (left by a crash between the two table commits);
//  3. collects what the kept snapshots refer to: the current metadata file and
//     version-hint.text, the manifest lists, the manifests, their live data files, and the
//     checksum files that name a live data file or a kept version;
//  4. deletes every other file under the tables' data and metadata directories and under
//     checksums/ that is older than OlderThan: data files of expired snapshots, orphans of
//     crashed writers, old metadata files.
//
// Only files in those directories, with the names this package and iceberg-go give, are
// deleted.
func (l *Lake) Vacuum(ctx context.Context, opt VacuumOptions) (*VacuumResult, error) {
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	res := &VacuumResult{DryRun: opt.DryRun, ExpiredVersions: []int64{}, Deleted: []string{}}
	keepFrom := st.forgetAfter(0)
	if opt.Retain > 0 {
		cut := l.now().Add(-opt.Retain)
		for _, c := range st.versions {
			if c.Time.Before(cut) && c.Version > keepFrom {
				keepFrom = c.Version + 1
			}
		}
	}
	if keepFrom == 0 && len(st.versions) > 0 {
		keepFrom = st.versions[0].Version
	}
	e := planExpiry(st, keepFrom, 0)
	for _, c := range e.versions {
		res.ExpiredVersions = append(res.ExpiredVersions, c.Version)
	}
	res.ExpiredSnapshots = len(e.sessions) + len(e.quarantine)
	if !opt.DryRun && !e.empty() {
		if err := l.commitExpiry(ctx, st, e); err != nil {
			return nil, err
		}
		if st, err = l.loadState(ctx); err != nil {
			return nil, err
		}
	}
	drop := func(ids []int64) map[int64]bool {
		m := map[int64]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	keep := map[string]bool{}
	var err2 error
	res.SessionsSnapshots, err2 = l.referenced(st.sessions, drop(e.sessions), keep)
	if err2 != nil {
		return nil, err2
	}
	res.QuarantineSnapshots, err = l.referenced(st.quarantine, drop(e.quarantine), keep)
	if err != nil {
		return nil, err
	}
	keptVersions := map[string]bool{}
	for _, c := range st.versions {
		if c.Version >= e.keepFrom && c.checksums != "" {
			keptVersions[filepath.Join(l.dir, filepath.FromSlash(c.checksums))] = true
		}
	}
	// The checksum files: keep those of kept versions and those that name a live file.
	ckDir := filepath.Join(l.dir, checksumsDir)
	ents, err := os.ReadDir(ckDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, en := range ents {
		p := filepath.Join(ckDir, en.Name())
		if keptVersions[p] || !strings.HasSuffix(en.Name(), ".json") {
			keep[p] = keptVersions[p] || !strings.HasPrefix(en.Name(), ".tmp-")
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var cf checksumFile
		if json.Unmarshal(data, &cf) == nil {
			for _, f := range cf.Files {
				if keep[f.Path] {
					keep[p] = true
					break
				}
			}
		}
	}
	cut := time.Now().Add(-opt.OlderThan) // file times are wall-clock times
	var candidates []string
	for _, name := range []string{SessionsTable, QuarantineTable} {
		for _, sub := range []string{"data", "metadata"} {
			dir := filepath.Join(l.tableDir(name), sub)
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						return nil
					}
					return err
				}
				if d.Type().IsRegular() {
					candidates = append(candidates, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	for _, en := range ents {
		candidates = append(candidates, filepath.Join(ckDir, en.Name()))
	}
	slices.Sort(candidates)
	dirs := map[string]bool{}
	for _, p := range candidates {
		if keep[p] || !vacuumable(p) {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.ModTime().After(cut) {
			res.Young++
			continue
		}
		if !opt.DryRun {
			if h := l.hooks.vacuumDelete; h != nil {
				if err := h(p); err != nil {
					return res, err
				}
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return res, fmt.Errorf("vacuum: %w", err)
			}
			dirs[filepath.Dir(p)] = true
		}
		res.Deleted = append(res.Deleted, relPath(l.dir, p))
		res.DeletedBytes += fi.Size()
	}
	for d := range dirs {
		if err := l.fs.syncDir(d); err != nil {
			return res, err
		}
	}
	if len(res.Deleted) > 0 || res.ExpiredSnapshots > 0 {
		l.log.Info("vacuumed the lake", "dry_run", opt.DryRun, "expired_versions", len(res.ExpiredVersions),
			"expired_snapshots", res.ExpiredSnapshots, "deleted_files", len(res.Deleted), "deleted_bytes", res.DeletedBytes)
	}
	return res, nil
}

// vacuumable reports whether a file has a name this package or iceberg-go gives: Parquet
// data files, Avro manifests and manifest lists, vN.metadata.json and temporary metadata
// files, checksum files and their temporary files. Anything else is left alone.
func vacuumable(p string) bool {
	n := filepath.Base(p)
	switch {
	case strings.HasSuffix(n, ".parquet"), strings.HasSuffix(n, ".avro"),
		strings.HasSuffix(n, ".metadata.json"), strings.HasSuffix(n, "-version-hint.temp"),
		strings.HasSuffix(n, ".json") && filepath.Base(filepath.Dir(p)) == checksumsDir,
		strings.HasPrefix(n, ".tmp-"):
		return true
	}
	return false
}

// referenced adds to keep every file the snapshots of tbl (but those in drop) refer to, and
// the table's current metadata file and version hint; it returns the number of snapshots kept.
func (l *Lake) referenced(tbl *table.Table, drop map[int64]bool, keep map[string]bool) (int, error) {
	add := func(p string) {
		if lp, err := local(p); err == nil {
			keep[lp] = true
		}
	}
	add(tbl.MetadataLocation())
	keep[filepath.Join(l.tableDir(tbl.Identifier()[1]), "metadata", "version-hint.text")] = true
	n := 0
	for _, s := range tbl.Metadata().Snapshots() {
		if drop[s.SnapshotID] {
			continue
		}
		n++
		add(s.ManifestList)
		mfs, err := s.Manifests(l.fs)
		if err != nil {
			return 0, fmt.Errorf("vacuum: snapshot %d: %w", s.SnapshotID, err)
		}
		for _, mf := range mfs {
			add(mf.FilePath())
			entries, err := mf.FetchEntries(l.fs, true)
			if err != nil {
				return 0, fmt.Errorf("vacuum: manifest %s: %w", mf.FilePath(), err)
			}
			for _, en := range entries {
				if en.Status() != iceberg.EntryStatusDELETED {
					add(en.DataFile().FilePath())
				}
			}
		}
	}
	return n, nil
}
