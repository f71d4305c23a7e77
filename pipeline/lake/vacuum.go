package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
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
	st, e, err := l.expireOld(ctx, st, opt, res)
	if err != nil {
		return nil, err
	}
	keep, checksums, err := l.collectKept(st, e, res)
	if err != nil {
		return nil, err
	}
	cut := time.Now().Add(-opt.OlderThan) // file times are wall-clock times
	candidates, err := l.vacuumCandidates(checksums)
	if err != nil {
		return nil, err
	}
	if err := l.deleteUnkept(candidates, keep, cut, opt.DryRun, res); err != nil {
		return res, err
	}
	if len(res.Deleted) > 0 || res.ExpiredSnapshots > 0 {
		l.log.Info("vacuumed the lake", "dry_run", opt.DryRun, "expired_versions", len(res.ExpiredVersions),
			"expired_snapshots", res.ExpiredSnapshots, "deleted_files", len(res.Deleted), "deleted_bytes", res.DeletedBytes)
	}
	return res, nil
}

// expireOld plans the expiry of Vacuum's step 2, records it in res and, unless dryRun,
// commits it. It returns the state after the expiry and the plan.
func (l *Lake) expireOld(ctx context.Context, st *state, opt VacuumOptions, res *VacuumResult) (*state, *expiry, error) {
	e := planExpiry(st, l.vacuumKeepFrom(st, opt.Retain), 0)
	for _, c := range e.versions {
		res.ExpiredVersions = append(res.ExpiredVersions, c.Version)
	}
	res.ExpiredSnapshots = len(e.sessions) + len(e.quarantine)
	if opt.DryRun || e.empty() {
		return st, e, nil
	}
	if err := l.commitExpiry(ctx, st, e); err != nil {
		return nil, nil, err
	}
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st, e, nil
}

// vacuumKeepFrom returns the first version Vacuum keeps: that of the latest forget, or the
// first version committed within retain (when positive) if later; never after the latest.
func (l *Lake) vacuumKeepFrom(st *state, retain time.Duration) int64 {
	keepFrom := st.forgetAfter(0)
	if retain > 0 {
		cut := l.now().Add(-retain)
		for _, c := range st.versions {
			if c.Time.Before(cut) && c.Version > keepFrom {
				keepFrom = c.Version + 1
			}
		}
	}
	if keepFrom == 0 && len(st.versions) > 0 {
		keepFrom = st.versions[0].Version
	}
	return keepFrom
}

// collectKept returns the files the snapshots that e keeps refer to (Vacuum's step 3), and
// the paths of the entries of checksums/ as it read them. It counts the kept snapshots in
// res.
func (l *Lake) collectKept(st *state, e *expiry, res *VacuumResult) (keep map[string]bool, checksums []string, err error) {
	keep = map[string]bool{}
	if res.SessionsSnapshots, err = l.referenced(st.sessions, idSet(e.sessions), keep); err != nil {
		return nil, nil, err
	}
	if res.QuarantineSnapshots, err = l.referenced(st.quarantine, idSet(e.quarantine), keep); err != nil {
		return nil, nil, err
	}
	checksums, err = l.keepChecksums(st, e.keepFrom, keep)
	if err != nil {
		return nil, nil, err
	}
	return keep, checksums, nil
}

func idSet(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// keepChecksums adds to keep the checksum files of the versions from keepFrom on and those
// that name a file in keep (a live data file); it keeps other files that are not checksum
// files unless they are temporary. It returns the paths of all entries of checksums/.
func (l *Lake) keepChecksums(st *state, keepFrom int64, keep map[string]bool) ([]string, error) {
	keptVersions := map[string]bool{}
	for _, c := range st.versions {
		if c.Version >= keepFrom && c.checksums != "" {
			keptVersions[filepath.Join(l.dir, filepath.FromSlash(c.checksums))] = true
		}
	}
	ckDir := filepath.Join(l.dir, checksumsDir)
	ents, err := os.ReadDir(ckDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var paths []string
	for _, en := range ents {
		p := filepath.Join(ckDir, en.Name())
		paths = append(paths, p)
		if keptVersions[p] || !strings.HasSuffix(en.Name(), ".json") {
			keep[p] = keptVersions[p] || !strings.HasPrefix(en.Name(), ".tmp-")
			continue
		}
		live, err := namesKept(p, keep)
		if err != nil {
			return nil, err
		}
		if live {
			keep[p] = true
		}
	}
	return paths, nil
}

// namesKept reports whether the checksum file p names a file in keep; a checksum file that
// does not parse names none.
func namesKept(p string, keep map[string]bool) (bool, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return false, err
	}
	var cf checksumFile
	if json.Unmarshal(data, &cf) != nil {
		return false, nil
	}
	return slices.ContainsFunc(cf.Files, func(f checksumEntry) bool { return keep[f.Path] }), nil
}

// vacuumCandidates returns, sorted, the regular files under the tables' data and metadata
// directories and the entries of checksums/ (the paths keepChecksums returned): what
// Vacuum's step 4 may delete.
func (l *Lake) vacuumCandidates(checksums []string) ([]string, error) {
	var candidates []string
	for _, name := range []string{SessionsTable, QuarantineTable} {
		for _, sub := range []string{"data", "metadata"} {
			files, err := regularFiles(filepath.Join(l.tableDir(name), sub))
			if err != nil {
				return nil, err
			}
			candidates = append(candidates, files...)
		}
	}
	candidates = append(candidates, checksums...)
	slices.Sort(candidates)
	return candidates, nil
}

// regularFiles returns the regular files under dir; a missing dir, or a file removed while
// it is walked, is skipped.
func regularFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// deleteUnkept is Vacuum's step 4: it deletes each candidate that is not in keep, has a name
// this package or iceberg-go gives (vacuumable) and was last modified before cut, and then
// syncs the directories it deleted from. It records in res what it deleted and the young
// files it kept. With dryRun it deletes nothing and records what it would delete.
func (l *Lake) deleteUnkept(candidates []string, keep map[string]bool, cut time.Time, dryRun bool, res *VacuumResult) error {
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
		if !dryRun {
			if err := l.vacuumFile(p); err != nil {
				return err
			}
			dirs[filepath.Dir(p)] = true
		}
		res.Deleted = append(res.Deleted, relPath(l.dir, p))
		res.DeletedBytes += fi.Size()
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := l.fs.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// vacuumFile deletes the file p (already gone is fine), after the test hook.
func (l *Lake) vacuumFile(p string) error {
	if h := l.hooks.vacuumDelete; h != nil {
		if err := h(p); err != nil {
			return err
		}
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
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
