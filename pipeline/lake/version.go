package lake

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// The snapshot summary properties a lake version is recorded with, in its sessions snapshot
// (and, for the batch id and version, in its quarantine snapshot).
const (
	propVersion     = "cst.version"
	propOperation   = "cst.operation"
	propTime        = "cst.time"
	propBatch       = "cst.batch"
	propSourceName  = "cst.source.name"
	propSourceSHA   = "cst.source.sha256"
	propSourceFmt   = "cst.source.format"
	propSchemaVer   = "cst.source.schema-version"
	propRead        = "cst.rows.read"
	propAccepted    = "cst.rows.accepted"
	propQuarantined = "cst.rows.quarantined"
	propExcluded    = "cst.rows.excluded"
	propViolations  = "cst.violations"
	propForce       = "cst.force"
	propQuarantine  = "cst.quarantine-snapshot"
	propChecksums   = "cst.checksums"
	propAddedFiles  = "cst.added.files"
	propAddedRows   = "cst.added.rows"
	propAddedBytes  = "cst.added.bytes"
	// Lifecycle commits (forget, compact) and, for every commit since, the totals.
	propRemovedRows       = "cst.removed.sessions"
	propRemovedViolations = "cst.removed.quarantine"
	propTotalRows         = "cst.total.sessions"
	propTotalViolations   = "cst.total.quarantine"
	propForgetKeySHA      = "cst.forget.client-key-sha256"
	propReason            = "cst.reason"
)

// The operations a lake version records.
const (
	OpIngest  = "ingest"  // a batch appended by [Append.Commit]
	OpForget  = "forget"  // an erasure by [Lake.Forget]
	OpCompact = "compact" // a rewrite by [Lake.Compact]
)

// Commit is one lake version as the log records it.
type Commit struct {
	Version   int64
	Time      time.Time
	Operation string // OpIngest; lifecycle operations later
	Source    Source
	Counts    Counts
	Force     bool // committed with [Force]: re-ingesting a source whose sha256 may be in the lake
	// SessionsSnapshot and QuarantineSnapshot are the Iceberg snapshot ids of the two tables
	// at this version (QuarantineSnapshot 0: the quarantine table was still empty).
	SessionsSnapshot, QuarantineSnapshot int64
	// AddedFiles, AddedRows and AddedBytes count the data files this version added, in both
	// tables.
	AddedFiles int
	AddedRows  int64
	AddedBytes int64
	// RemovedRows and RemovedViolations count the rows a forget or compact removed from
	// sessions and quarantine.
	RemovedRows, RemovedViolations int64
	// Rows and Violations are the rows of sessions and quarantine after this version (all
	// rows, superseded ones included); HasTotals is false for versions written before the
	// totals were recorded.
	Rows, Violations int64
	HasTotals        bool
	// ForgetKeySHA256 is the hex sha256 of the client key a forget erased (the key itself is
	// erased too); Reason is the reason given.
	ForgetKeySHA256, Reason string
	// Expired is set for a version whose snapshots were expired (by a forget, or by vacuum's
	// retention): the log keeps its record, but it can no longer be read. ExpiredBy is the
	// forget version that expired it (0: retention).
	Expired   bool
	ExpiredBy int64

	checksums string // the checksum file, relative to the lake directory
	batch     string
}

func (c *Commit) summary() iceberg.Properties {
	p := iceberg.Properties{
		propVersion:     itoa(c.Version),
		propOperation:   c.Operation,
		propTime:        c.Time.UTC().Format(time.RFC3339Nano),
		propBatch:       c.batch,
		propSourceName:  c.Source.Name,
		propSourceSHA:   c.Source.SHA256,
		propSourceFmt:   c.Source.Format,
		propSchemaVer:   strconv.Itoa(c.Source.SchemaVersion),
		propRead:        itoa(c.Counts.Read),
		propAccepted:    itoa(c.Counts.Accepted),
		propQuarantined: itoa(c.Counts.Quarantined),
		propExcluded:    itoa(c.Counts.Excluded),
		propViolations:  itoa(c.Counts.Violations),
		propForce:       strconv.FormatBool(c.Force),
		propQuarantine:  itoa(c.QuarantineSnapshot),
		propChecksums:   c.checksums,
		propAddedFiles:  strconv.Itoa(c.AddedFiles),
		propAddedRows:   itoa(c.AddedRows),
		propAddedBytes:  itoa(c.AddedBytes),
	}
	if c.HasTotals {
		p[propTotalRows], p[propTotalViolations] = itoa(c.Rows), itoa(c.Violations)
	}
	if c.Operation != OpIngest {
		p[propRemovedRows], p[propRemovedViolations] = itoa(c.RemovedRows), itoa(c.RemovedViolations)
	}
	if c.ForgetKeySHA256 != "" {
		p[propForgetKeySHA] = c.ForgetKeySHA256
	}
	if c.Reason != "" {
		p[propReason] = c.Reason
	}
	return p
}

// commitFromSnapshot decodes the lake version a sessions snapshot records; ok is false for a
// snapshot this package did not write.
func commitFromSnapshot(s *table.Snapshot) (c Commit, ok bool, err error) {
	if s.Summary == nil {
		return c, false, nil
	}
	p := s.Summary.Properties
	if _, ok := p[propVersion]; !ok {
		return c, false, nil
	}
	var d decoder
	c = Commit{
		Version:   d.int(p, propVersion),
		Operation: p[propOperation],
		Source: Source{
			Name: p[propSourceName], SHA256: p[propSourceSHA], Format: p[propSourceFmt],
			SchemaVersion: int(d.int(p, propSchemaVer)),
		},
		Counts: Counts{
			Read: d.int(p, propRead), Accepted: d.int(p, propAccepted),
			Quarantined: d.int(p, propQuarantined), Excluded: d.int(p, propExcluded),
			Violations: d.int(p, propViolations),
		},
		Force:              p[propForce] == "true",
		SessionsSnapshot:   s.SnapshotID,
		QuarantineSnapshot: d.int(p, propQuarantine),
		AddedFiles:         int(d.int(p, propAddedFiles)),
		AddedRows:          d.int(p, propAddedRows),
		AddedBytes:         d.int(p, propAddedBytes),
		checksums:          p[propChecksums],
		batch:              p[propBatch],
	}
	if _, ok := p[propTotalRows]; ok {
		c.Rows, c.Violations, c.HasTotals = d.int(p, propTotalRows), d.int(p, propTotalViolations), true
	}
	if _, ok := p[propRemovedRows]; ok {
		c.RemovedRows, c.RemovedViolations = d.int(p, propRemovedRows), d.int(p, propRemovedViolations)
	}
	c.ForgetKeySHA256, c.Reason = p[propForgetKeySHA], p[propReason]
	if t, err := time.Parse(time.RFC3339Nano, p[propTime]); err == nil {
		c.Time = t
	} else {
		c.Time = time.UnixMilli(s.TimestampMs).UTC()
	}
	if d.err != nil {
		return c, false, fmt.Errorf("snapshot %d: %w", s.SnapshotID, d.err)
	}
	return c, true, nil
}

type decoder struct{ err error }

func (d *decoder) int(p iceberg.Properties, key string) int64 {
	n, err := strconv.ParseInt(p[key], 10, 64)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("summary property %s: %w", key, err)
	}
	return n
}

// state is what a reader or writer sees: both tables and the lake versions, oldest first.
type state struct {
	sessions, quarantine *table.Table
	versions             []Commit // readable versions, oldest first
	history              []Commit // expired versions, oldest first (see history.go)
}

func (l *Lake) loadState(ctx context.Context) (*state, error) {
	if err := l.checkOpen(); err != nil {
		return nil, err
	}
	// Sessions first: every quarantine snapshot its head names was committed before it, so
	// it is in the quarantine metadata loaded next, even if a writer commits in between.
	s, err := l.load(ctx, sessionsIdent)
	if err != nil {
		return nil, err
	}
	q, err := l.load(ctx, quarantineIdent)
	if err != nil {
		return nil, err
	}
	vs, err := versions(s.Metadata())
	if err != nil {
		return nil, err
	}
	hist, err := history(s.Metadata())
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 && len(hist) > 0 && hist[len(hist)-1].Version+1 != vs[0].Version {
		return nil, fmt.Errorf("lake: expired versions end at %d, readable versions start at %d", hist[len(hist)-1].Version, vs[0].Version)
	}
	return &state{sessions: s, quarantine: q, versions: vs, history: hist}, nil
}

// versions walks the ancestry of the sessions table's current snapshot and returns the lake
// versions it records, oldest first.
func versions(meta table.Metadata) ([]Commit, error) {
	var out []Commit
	for s := meta.CurrentSnapshot(); s != nil; {
		c, ok, err := commitFromSnapshot(s)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
		if s.ParentSnapshotID == nil {
			break
		}
		s = meta.SnapshotByID(*s.ParentSnapshotID) // nil once expired
	}
	slices.Reverse(out)
	for i := 1; i < len(out); i++ {
		if out[i].Version != out[i-1].Version+1 {
			return nil, fmt.Errorf("lake: versions are not consecutive: %d follows %d", out[i].Version, out[i-1].Version)
		}
	}
	return out, nil
}

// latest returns the latest lake version; ok is false for an empty lake.
func (s *state) latest() (Commit, bool) {
	if len(s.versions) == 0 {
		if len(s.history) > 0 { // cannot happen: the latest version is never expired
			return s.history[len(s.history)-1], true
		}
		return Commit{}, false
	}
	return s.versions[len(s.versions)-1], true
}

func (s *state) latestVersion() int64 {
	c, _ := s.latest()
	return c.Version
}

// quarantineRef is the quarantine snapshot the latest lake version goes with (0: none).
func (s *state) quarantineRef() int64 {
	c, _ := s.latest()
	return c.QuarantineSnapshot
}

func (s *state) version(v int64) (Commit, error) {
	if v == 0 {
		c, _ := s.latest()
		return c, nil
	}
	for _, c := range s.history {
		if c.Version == v {
			return Commit{}, s.erased(c)
		}
	}
	for _, c := range s.versions {
		if c.Version == v {
			if f := s.forgetAfter(v); f != 0 {
				c.Expired, c.ExpiredBy = true, f
				return Commit{}, s.erased(c)
			}
			return c, nil
		}
	}
	return Commit{}, fmt.Errorf("%w %d: %s", ErrUnknownVersion, v, s.describeVersions())
}

// forgetAfter returns the latest forget version after v (0: none): versions before an erasure
// cannot be read, even before their snapshots are expired.
func (s *state) forgetAfter(v int64) int64 {
	for i := len(s.versions) - 1; i >= 0 && s.versions[i].Version > v; i-- {
		if s.versions[i].Operation == OpForget {
			return s.versions[i].Version
		}
	}
	return 0
}

// ErasedError says a lake version can no longer be read: a later forget (or vacuum's
// retention) expired its snapshots. It wraps [ErrErased] and [ErrUnknownVersion].
type ErasedError struct {
	Version, By int64 // By: the forget version; 0 for retention
	Readable    int64 // the first version that can be read
}

func (e *ErasedError) Error() string {
	if e.By != 0 {
		return fmt.Sprintf("lake version %d was erased: lake forget in version %d expired every snapshot before it, "+
			"so versions before %d can no longer be read (the first readable version is %d)", e.Version, e.By, e.By, e.Readable)
	}
	return fmt.Sprintf("lake version %d was expired by lake vacuum (retention) and can no longer be read (the first readable version is %d)",
		e.Version, e.Readable)
}

func (e *ErasedError) Unwrap() []error { return []error{ErrErased, ErrUnknownVersion} }

func (s *state) erased(c Commit) error {
	first := int64(0)
	if len(s.versions) > 0 {
		first = s.versions[0].Version
	}
	if f := s.forgetAfter(0); f > first {
		first = f
	}
	return &ErasedError{Version: c.Version, By: c.ExpiredBy, Readable: first}
}

func (s *state) describeVersions() string {
	switch n := len(s.versions); n {
	case 0:
		return "the lake is empty"
	case 1:
		return "the lake has version 1"
	default:
		return fmt.Sprintf("the lake has versions %d to %d", s.versions[0].Version, s.versions[n-1].Version)
	}
}

func currentSnapshotID(t *table.Table) int64 {
	if s := t.CurrentSnapshot(); s != nil {
		return s.SnapshotID
	}
	return 0
}

// Log returns the lake versions, oldest first (versions 1, 2, 3...), including those expired
// by a forget or by retention (Commit.Expired): their records stay, their data does not.
func (l *Lake) Log(ctx context.Context) ([]Commit, error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	return st.log(), nil
}

func (s *state) log() []Commit {
	out := make([]Commit, 0, len(s.history)+len(s.versions))
	out = append(out, s.history...)
	for _, c := range s.versions {
		if f := s.forgetAfter(c.Version); f != 0 {
			c.Expired, c.ExpiredBy = true, f
		}
		out = append(out, c)
	}
	return out
}

// Ingested returns the latest lake version that committed a source with this sha256.
func (l *Lake) Ingested(ctx context.Context, sha256 string) (version int64, ok bool, err error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return 0, false, err
	}
	v, ok := st.ingested(sha256)
	return v, ok, nil
}

func (s *state) ingested(sha256 string) (int64, bool) {
	all := s.log()
	for i := len(all) - 1; i >= 0; i-- {
		c := all[i]
		if c.Operation == OpIngest && strings.EqualFold(c.Source.SHA256, sha256) {
			return c.Version, true
		}
	}
	return 0, false
}
