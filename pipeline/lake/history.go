package lake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// propHistory is the sessions table property that keeps the records of expired versions:
// expiring a snapshot removes its summary from the metadata, but the log (and idempotent
// ingest, which looks up source sha256s) must still know every version.
const propHistory = "cst.expired-versions"

// historyEntry is one expired version in propHistory. It holds no data file, manifest or
// client key.
type historyEntry struct {
	Version     int64     `json:"version"`
	Time        time.Time `json:"time"`
	Operation   string    `json:"operation"`
	Source      Source    `json:"source"`
	Counts      Counts    `json:"counts"`
	Force       bool      `json:"force,omitempty"`
	Removed     [2]int64  `json:"removed,omitempty"`
	Totals      *[2]int64 `json:"totals,omitempty"`
	ForgetKey   string    `json:"forget_key_sha256,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	ExpiredBy   int64     `json:"expired_by,omitempty"`
	Checksums   string    `json:"checksums,omitempty"`
	Batch       string    `json:"batch,omitempty"`
	AddedFiles  int       `json:"added_files,omitempty"`
	AddedRows   int64     `json:"added_rows,omitempty"`
	AddedBytes  int64     `json:"added_bytes,omitempty"`
	SessionsID  int64     `json:"sessions_snapshot,omitempty"`
	QuarantnID  int64     `json:"quarantine_snapshot,omitempty"`
	ExpiredTime time.Time `json:"expired_time"`
}

func toHistory(c Commit, by int64, now time.Time) historyEntry {
	h := historyEntry{
		Version: c.Version, Time: c.Time, Operation: c.Operation, Source: c.Source, Counts: c.Counts,
		Force: c.Force, Removed: [2]int64{c.RemovedRows, c.RemovedViolations},
		ForgetKey: c.ForgetKeySHA256, Reason: c.Reason, ExpiredBy: by, Checksums: c.checksums, Batch: c.batch,
		AddedFiles: c.AddedFiles, AddedRows: c.AddedRows, AddedBytes: c.AddedBytes,
		SessionsID: c.SessionsSnapshot, QuarantnID: c.QuarantineSnapshot, ExpiredTime: now.UTC(),
	}
	if c.HasTotals {
		h.Totals = &[2]int64{c.Rows, c.Violations}
	}
	return h
}

func (h historyEntry) commit() Commit {
	c := Commit{
		Version: h.Version, Time: h.Time, Operation: h.Operation, Source: h.Source, Counts: h.Counts,
		Force: h.Force, RemovedRows: h.Removed[0], RemovedViolations: h.Removed[1],
		ForgetKeySHA256: h.ForgetKey, Reason: h.Reason, Expired: true, ExpiredBy: h.ExpiredBy,
		AddedFiles: h.AddedFiles, AddedRows: h.AddedRows, AddedBytes: h.AddedBytes,
		SessionsSnapshot: h.SessionsID, QuarantineSnapshot: h.QuarantnID,
		checksums: h.Checksums, batch: h.Batch,
	}
	if h.Totals != nil {
		c.Rows, c.Violations, c.HasTotals = h.Totals[0], h.Totals[1], true
	}
	return c
}

// history returns the expired versions recorded in the sessions table's properties.
func history(meta table.Metadata) ([]Commit, error) {
	raw, ok := meta.Properties()[propHistory]
	if !ok || raw == "" {
		return nil, nil
	}
	var hs []historyEntry
	if err := json.Unmarshal([]byte(raw), &hs); err != nil {
		return nil, fmt.Errorf("lake: table property %s: %w", propHistory, err)
	}
	out := make([]Commit, len(hs))
	for i, h := range hs {
		out[i] = h.commit()
	}
	return out, nil
}

// expiry is what expiring the versions before keepFrom removes: the sessions snapshots that
// are not snapshots of a kept version, and the quarantine snapshots that no kept version names.
type expiry struct {
	keepFrom             int64
	by                   int64 // the forget version; 0: retention
	versions             []Commit
	sessions, quarantine []int64 // snapshot ids to remove
}

func (e *expiry) empty() bool { return len(e.sessions)+len(e.quarantine) == 0 }

// planExpiry plans the expiry of the versions before keepFrom (never the latest version).
func planExpiry(st *state, keepFrom, by int64) *expiry {
	last := st.latestVersion()
	keepFrom = min(keepFrom, last)
	e := &expiry{keepFrom: keepFrom, by: by}
	keepS, keepQ := map[int64]bool{}, map[int64]bool{}
	if s := st.sessions.CurrentSnapshot(); s != nil {
		keepS[s.SnapshotID] = true
	}
	if s := st.quarantine.CurrentSnapshot(); s != nil {
		keepQ[s.SnapshotID] = true
	}
	for _, c := range st.versions {
		if c.Version < keepFrom {
			e.versions = append(e.versions, c)
			continue
		}
		keepS[c.SessionsSnapshot] = true
		keepQ[c.QuarantineSnapshot] = true
	}
	for _, s := range st.sessions.Metadata().Snapshots() {
		if !keepS[s.SnapshotID] {
			e.sessions = append(e.sessions, s.SnapshotID)
		}
	}
	for _, s := range st.quarantine.Metadata().Snapshots() {
		if !keepQ[s.SnapshotID] {
			e.quarantine = append(e.quarantine, s.SnapshotID)
		}
	}
	return e
}

// commitExpiry removes the planned snapshots: sessions first, in one metadata commit that
// also moves the expired versions' records into propHistory (so the log and the sha256
// lookup never lose a version); then quarantine. A crash between the two leaves quarantine
// snapshots that no version names, which the next expiry (vacuum) removes.
func (l *Lake) commitExpiry(ctx context.Context, st *state, e *expiry) error {
	if len(e.sessions) > 0 {
		hs := make([]historyEntry, 0, len(st.history)+len(e.versions))
		for _, c := range st.history {
			hs = append(hs, toHistory(c, c.ExpiredBy, l.now()))
		}
		for _, c := range e.versions {
			by := e.by
			if f := st.forgetAfter(c.Version); f != 0 {
				by = f
			}
			hs = append(hs, toHistory(c, by, l.now()))
		}
		raw, err := json.Marshal(hs)
		if err != nil {
			return err
		}
		if err := l.removeSnapshots(ctx, st.sessions, e.sessions, iceberg.Properties{propHistory: string(raw)}); err != nil {
			return fmt.Errorf("expire sessions snapshots: %w", err)
		}
	}
	if len(e.quarantine) > 0 {
		if err := l.removeSnapshots(ctx, st.quarantine, e.quarantine, nil); err != nil {
			return fmt.Errorf("expire quarantine snapshots: %w", err)
		}
	}
	if !e.empty() {
		l.log.Info("expired snapshots", "before_version", e.keepFrom, "versions", len(e.versions),
			"sessions_snapshots", len(e.sessions), "quarantine_snapshots", len(e.quarantine))
	}
	return nil
}

// removeSnapshots commits a metadata-only update that removes snapshots ids from tbl (and
// sets props), asserting that the main branch has not moved. Files are not deleted here:
// vacuum deletes what no kept snapshot refers to.
func (l *Lake) removeSnapshots(ctx context.Context, tbl *table.Table, ids []int64, props iceberg.Properties) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	cur := currentSnapshotID(tbl)
	var curp *int64
	if cur != 0 {
		curp = &cur
	}
	updates := []table.Update{table.NewRemoveSnapshotsUpdate(ids, false)}
	if len(props) > 0 {
		updates = append([]table.Update{table.NewSetPropertiesUpdate(props)}, updates...)
	}
	_, _, err := catalogIO{l}.CommitTable(ctx, tbl.Identifier(),
		[]table.Requirement{table.AssertRefSnapshotID(table.MainBranch, curp)}, updates)
	return err
}
