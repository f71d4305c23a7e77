package duck

import (
	"context"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
)

// SnapshotOf reads version asOf of l (0: the latest) and l's log as a [Snapshot]: the one
// adapter from the lake to the views, used by every command, step and test that opens DuckDB
// over a lake. An unknown version is an error wrapping lake.ErrUnknownVersion. The caller
// keeps l open while the DB reads the files.
func SnapshotOf(ctx context.Context, l *lake.Lake, asOf int64) (Snapshot, error) {
	s, err := l.Snapshot(ctx, asOf)
	if err != nil {
		return Snapshot{}, err
	}
	log, err := l.Log(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{Version: s.Version, SessionsFiles: s.SessionsFiles, QuarantineFiles: s.QuarantineFiles}
	for _, c := range log {
		snap.Commits = append(snap.Commits, Commit{
			Version: c.Version, Time: c.Time, Operation: c.Operation,
			SourceName: c.Source.Name, SourceSHA256: c.Source.SHA256,
			RowsRead: c.Counts.Read, RowsAccepted: c.Counts.Accepted, RowsQuarantined: c.Counts.Quarantined,
			RowsExcluded: c.Counts.Excluded, Violations: c.Counts.Violations,
		})
	}
	return snap, nil
}
