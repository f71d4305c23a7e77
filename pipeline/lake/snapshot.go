package lake

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// Snapshot is the set of live data files of a lake version: what a reader hands to DuckDB's
// read_parquet (with hive_partitioning=false: the partition is in the data, not the path).
type Snapshot struct {
	Version         int64    // 0: the lake is empty
	SessionsFiles   []string // absolute paths of live Parquet files, sorted
	QuarantineFiles []string
}

// Snapshot returns the files of lake version version, or of the latest version when version
// is 0. An unknown version gives an error wrapping ErrUnknownVersion that names the versions
// that exist.
func (l *Lake) Snapshot(ctx context.Context, version int64) (*Snapshot, error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	c, err := st.version(version)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Version: c.Version, SessionsFiles: []string{}, QuarantineFiles: []string{}}
	if c.Version == 0 {
		return snap, nil
	}
	sf, qf, err := st.planVersion(ctx, c)
	if err != nil {
		return nil, err
	}
	snap.SessionsFiles, snap.QuarantineFiles = paths(sf), paths(qf)
	return snap, nil
}

func paths(files []iceberg.DataFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		p, err := local(f.FilePath())
		if err != nil {
			p = f.FilePath()
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// planVersion returns the live data files of both tables at version c.
func (st *state) planVersion(ctx context.Context, c Commit) (sessions, quarantine []iceberg.DataFile, err error) {
	if sessions, err = planFiles(ctx, st.sessions, c.SessionsSnapshot); err != nil {
		return nil, nil, err
	}
	if quarantine, err = planFiles(ctx, st.quarantine, c.QuarantineSnapshot); err != nil {
		return nil, nil, err
	}
	return sessions, quarantine, nil
}

// planFiles returns the data files of snapshot id of tbl (none for id 0). A task that carries
// delete files is an error: the lake is copy-on-write only.
func planFiles(ctx context.Context, tbl *table.Table, id int64) ([]iceberg.DataFile, error) {
	if id == 0 {
		return nil, nil
	}
	tasks, err := tbl.Scan(table.WithSnapshotID(id)).PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan %s snapshot %d: %w", tbl.Identifier()[1], id, err)
	}
	out := make([]iceberg.DataFile, 0, len(tasks))
	for _, t := range tasks {
		if len(t.DeleteFiles)+len(t.EqualityDeleteFiles)+len(t.DeletionVectorFiles) > 0 {
			return nil, fmt.Errorf("%s: %w", t.File.FilePath(), ErrDeleteFiles)
		}
		out = append(out, t.File)
	}
	slices.SortFunc(out, func(a, b iceberg.DataFile) int {
		switch {
		case a.FilePath() < b.FilePath():
			return -1
		case a.FilePath() > b.FilePath():
			return 1
		}
		return 0
	})
	return out, nil
}

// Status is the state of the lake at its latest version.
type Status struct {
	Dir     string        `json:"dir"`
	Version int64         `json:"version"` // 0: empty
	Tables  []TableStatus `json:"tables"`  // sessions, quarantine
}

// TableStatus describes one table at the lake's latest version.
type TableStatus struct {
	Name     string `json:"name"`
	Snapshot int64  `json:"snapshot"` // Iceberg snapshot id; 0: none
	Files    int    `json:"files"`
	Rows     int64  `json:"rows"`
	Bytes    int64  `json:"bytes"`
}

// Status returns the snapshot, files, rows and bytes of each table at the latest version.
func (l *Lake) Status(ctx context.Context) (*Status, error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	c, _ := st.latest()
	out := &Status{Dir: l.dir, Version: c.Version}
	for _, t := range []struct {
		name string
		tbl  *table.Table
		id   int64
	}{{SessionsTable, st.sessions, c.SessionsSnapshot}, {QuarantineTable, st.quarantine, c.QuarantineSnapshot}} {
		files, err := planFiles(ctx, t.tbl, t.id)
		if err != nil {
			return nil, err
		}
		ts := TableStatus{Name: t.name, Snapshot: t.id, Files: len(files)}
		for _, f := range files {
			ts.Rows += f.Count()
			ts.Bytes += f.FileSizeBytes()
		}
		out.Tables = append(out.Tables, ts)
	}
	return out, nil
}
