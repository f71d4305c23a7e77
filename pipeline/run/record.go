package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Status is the state of a run as its record says.
type Status string

// The statuses of a [Record].
const (
	Running     Status = "running"     // in progress, or its process died: see Crashed
	OK          Status = "ok"          // done, nothing needs a person (exit 0)
	Attention   Status = "attention"   // done, but a person must look (exit 3)
	Failed      Status = "failed"      // a step failed (exit 1)
	Interrupted Status = "interrupted" // SIGINT or SIGTERM (exit 130 or 143)
	Crashed     Status = "crashed"     // found "running" by a later run: the process died
)

// StepStatus is what happened to one step.
type StepStatus string

// The statuses of a [StepRecord].
const (
	StepOK           StepStatus = "ok"
	StepFailed       StepStatus = "failed"
	StepAttention    StepStatus = "attention" // refused, wrote nothing: a person must look (exit 3)
	StepInterrupted  StepStatus = "interrupted"
	StepUpToDate     StepStatus = "up_to_date"    // its inputs did not change since it last succeeded
	StepSkipped      StepStatus = "skipped"       // not run: an earlier step failed, or nothing to do
	StepNotAvailable StepStatus = "not_available" // the step is not in this build
)

// Record is a run record, state/runs/<id>.json: written when the run starts (status
// running), after each step, and replaced at the end.
type Record struct {
	ID             string       `json:"id"`
	Status         Status       `json:"status"`
	PID            int          `json:"pid"`
	ProgramVersion string       `json:"program_version"`
	Started        time.Time    `json:"started"`
	Ended          *time.Time   `json:"ended,omitempty"`
	Duration       string       `json:"duration,omitempty"`
	SnapshotBefore int64        `json:"snapshot_before"`
	SnapshotAfter  int64        `json:"snapshot_after"`
	PlanSHA256     string       `json:"plan_sha256,omitempty"`
	Steps          []StepRecord `json:"steps"`
	Files          []FileRecord `json:"files"`
	Counts         FileCounts   `json:"counts"`
	Warnings       []string     `json:"warnings"`
	// Alerts are the findings that need a person (exit 3): files rejected, quarantine shares
	// over quarantine.alert_share, inbox entries the run cannot take, refusals of a step.
	Alerts   []string `json:"alerts,omitempty"`
	ExitCode *int     `json:"exit_code,omitempty"` // absent while running or after a crash
	Error    string   `json:"error,omitempty"`
	Summary  string   `json:"summary,omitempty"` // the final line printed on stderr
	// CrashedFound names the run that found this one crashed.
	CrashedFound string `json:"crashed_found_by,omitempty"`
}

// StepRecord is one step of a run.
type StepRecord struct {
	Name     string           `json:"name"`
	Status   StepStatus       `json:"status"`
	Started  time.Time        `json:"started"`
	Ended    time.Time        `json:"ended"`
	Duration string           `json:"duration"`
	Inputs   *Inputs          `json:"inputs,omitempty"`
	Counts   map[string]int64 `json:"counts,omitempty"`
	Output   string           `json:"output,omitempty"` // the file or directory it wrote
	Note     string           `json:"note,omitempty"`
	Error    string           `json:"error,omitempty"`
}

// Inputs are what a derived step's output depends on: it runs again only when one changed.
type Inputs struct {
	Snapshot       int64  `json:"snapshot"`
	PlanSHA256     string `json:"plan_sha256,omitempty"`
	ProgramVersion string `json:"program_version"`
	Key            string `json:"key,omitempty"` // the step's own input, e.g. a notebook's sha256
}

// FileStatus is what a run did with one inbox file.
type FileStatus string

// The statuses of a [FileRecord].
const (
	FileIngested  FileStatus = "ingested"  // committed, then archived
	FileDuplicate FileStatus = "duplicate" // its sha256 was already committed: archived, not ingested
	FileRejected  FileStatus = "rejected"  // unreadable: moved to rejected/ with a reason
	FileWaiting   FileStatus = "waiting"   // modified within inbox.settle: left for the next run
)

// FileRecord is one inbox file of a run.
type FileRecord struct {
	Name            string     `json:"name"`
	Status          FileStatus `json:"status"`
	SHA256          string     `json:"sha256,omitempty"`
	Snapshot        int64      `json:"snapshot,omitempty"` // the lake version holding its rows
	RowsRead        int64      `json:"rows_read"`
	RowsAccepted    int64      `json:"rows_accepted"`
	RowsQuarantined int64      `json:"rows_quarantined"`
	RowsExcluded    int64      `json:"rows_excluded"`
	MovedTo         string     `json:"moved_to,omitempty"` // relative to the workspace
	Reason          string     `json:"reason,omitempty"`   // why it was rejected
	Duration        string     `json:"duration,omitempty"`
}

// FileCounts count a run's files by what happened to them, and their rows.
type FileCounts struct {
	Ingested        int   `json:"files_ingested"`
	Duplicates      int   `json:"files_duplicate"`
	Archived        int   `json:"files_archived"` // ingested + duplicates
	Rejected        int   `json:"files_rejected"`
	Waiting         int   `json:"files_waiting"`
	RowsRead        int64 `json:"rows_read"`
	RowsAccepted    int64 `json:"rows_accepted"`
	RowsQuarantined int64 `json:"rows_quarantined"`
	RowsExcluded    int64 `json:"rows_excluded"`
}

// recordSuffix ends every run record's file name.
const recordSuffix = ".json"

// ErrNoRecord says a run record does not exist.
var ErrNoRecord = errors.New("no such run")

// newID returns a run id from the start time: sortable, and unique with the lock held (a
// second run in the same millisecond gets a suffix).
func newID(dir string, t time.Time) string {
	base := t.UTC().Format("20060102T150405.000Z")
	id := base
	for i := 2; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, id+recordSuffix)); errors.Is(err, fs.ErrNotExist) {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

// writeRecord replaces dir/<id>.json atomically.
func writeRecord(dir string, r *Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, r.ID+recordSuffix), append(b, '\n'))
}

// ReadRecord reads the record of run id from the runs directory dir.
func ReadRecord(dir, id string) (*Record, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("run %q: %w", id, ErrNoRecord)
	}
	b, err := os.ReadFile(filepath.Join(dir, id+recordSuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", id, ErrNoRecord)
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("run record %s: %w", id, err)
	}
	return &r, nil
}

// IDs returns the ids of the run records in dir, oldest first.
func IDs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && !strings.HasPrefix(n, ".") && strings.HasSuffix(n, recordSuffix) {
			ids = append(ids, strings.TrimSuffix(n, recordSuffix))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Records reads every run record in dir, oldest first. A record that cannot be parsed is
// an error naming it.
func Records(dir string) ([]*Record, error) {
	ids, err := IDs(dir)
	if err != nil {
		return nil, err
	}
	recs := make([]*Record, 0, len(ids))
	for _, id := range ids {
		r, err := ReadRecord(dir, id)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// lastSuccess returns the inputs and output of the newest ok record of step name in recs
// (oldest first), or nil.
func lastSuccess(recs []*Record, name string) *StepRecord {
	for _, r := range slices.Backward(recs) {
		for i := range r.Steps {
			if s := &r.Steps[i]; s.Name == name && s.Status == StepOK {
				return s
			}
		}
	}
	return nil
}
