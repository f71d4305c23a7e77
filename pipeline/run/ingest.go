package run

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/ingest"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
)

// staleUpload is how old a *.tmp or *.part file in the inbox must be to earn a warning.
const staleUpload = 24 * time.Hour

// IngestStep returns the step that ingests the inbox: each stable file in name order, each
// its own lake commit, then moved to archive/<date>/ (committed, or already committed: a
// duplicate) or rejected/<date>/ with FILE.reason.txt. h pseudonymises the ids.
func IngestStep(h *pseudo.Hasher) Step {
	return Step{Name: "ingest", Do: func(ctx context.Context, e *Env) error {
		return ingestInbox(ctx, e, h)
	}}
}

func ingestInbox(ctx context.Context, e *Env, h *pseudo.Hasher) error {
	cfg := e.Workspace.Config
	scan, err := scanInbox(e.Workspace.InboxDir(), e.Start, time.Duration(cfg.Inbox.Settle))
	if err != nil {
		return fmt.Errorf("read inbox: %w", err)
	}
	e.noteInbox(scan)
	opt := ingest.Options{
		Lake: e.Lake, Hasher: h, Logger: e.Logger,
		Validate: schema.Options{Today: e.Today, DateFormat: cfg.Ingest.DateFormat},
	}
	for _, f := range scan.Stable {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.ingestFile(ctx, f, opt); err != nil {
			return err
		}
	}
	if len(scan.Stable) == 0 {
		e.Note("no new files")
	}
	return nil
}

// noteInbox records the files left for the next run, warns about stale partial uploads and
// asks a person to look at entries the run cannot take (exit 3): left alone silently, a link,
// a directory of exports or a file modified in the future would never be ingested and nobody
// would be told.
func (e *Env) noteInbox(s inboxScan) {
	for _, f := range s.Waiting {
		e.addFile(FileRecord{Name: f.Name, Status: FileWaiting})
		e.Logger.Info("file", "file", f.Name, "status", FileWaiting, "modified", f.ModTime.UTC().Format(time.RFC3339))
	}
	for _, f := range s.Partial {
		if e.Start.Sub(f.ModTime) > staleUpload {
			e.Warn(fmt.Sprintf("inbox/%s: a partial upload not modified since %s; finish or remove it",
				f.Name, f.ModTime.UTC().Format(time.RFC3339)))
		}
	}
	for _, f := range s.Future {
		e.Attention(f.futureProblem(e.Start))
	}
	for _, o := range s.Other {
		e.Attention(o.problem())
	}
}

// ingestFile ingests one stable inbox file and moves it out of the inbox. The move comes
// only after ingest.File returned, that is after the commit is durable; a crash between the
// two leaves a committed file in the inbox, which the next run archives as a duplicate.
func (e *Env) ingestFile(ctx context.Context, f inboxFile, opt ingest.Options) error {
	t0 := time.Now()
	e.Hook(ctx, "ingest "+f.Name)
	if err := ctx.Err(); err != nil {
		return err
	}
	// A signal does not cut a file short: it is ingested, committed and moved whole, and the
	// loop stops before the next one. (Cancelling pipeline/ingest in the middle of a batch
	// can leave its writer goroutine waiting forever; finishing also keeps every file either
	// fully handled or untouched.)
	rep, err := ingest.File(context.WithoutCancel(ctx), f.Path, opt)
	if err != nil {
		return fmt.Errorf("ingest inbox/%s: %w", f.Name, err)
	}
	e.Hook(ctx, "committed "+f.Name)
	fr := FileRecord{Name: f.Name, SHA256: rep.SHA256, Snapshot: rep.Snapshot,
		RowsRead: rep.RowsRead, RowsAccepted: rep.RowsAccepted,
		RowsQuarantined: rep.RowsQuarantined, RowsExcluded: rep.RowsExcluded}
	if err := e.moveOut(f, rep, &fr); err != nil {
		return err
	}
	e.Hook(ctx, "moved "+f.Name)
	fr.Duration = time.Since(t0).Round(time.Millisecond).String()
	e.addFile(fr)
	e.Logger.Info("file", "file", f.Name, "status", fr.Status, "snapshot", fr.Snapshot,
		"rows_read", fr.RowsRead, "rows_accepted", fr.RowsAccepted, "rows_quarantined", fr.RowsQuarantined,
		"rows_excluded", fr.RowsExcluded, "moved_to", fr.MovedTo, "duration", fr.Duration)
	e.checkQuarantine(rep)
	return e.Save()
}

// moveOut archives or rejects f according to its ingest report.
func (e *Env) moveOut(f inboxFile, rep *ingest.Report, fr *FileRecord) error {
	date := e.Today.UTC().Format(time.DateOnly)
	var dst string
	var err error
	switch rep.Status {
	case ingest.Committed:
		fr.Status = FileIngested
		dst, err = moveFile(f.Path, filepath.Join(e.Workspace.ArchiveDir(), date))
	case ingest.AlreadyIngested:
		fr.Status = FileDuplicate
		dst, err = moveFile(f.Path, filepath.Join(e.Workspace.ArchiveDir(), date))
	case ingest.Rejected:
		fr.Status, fr.Reason = FileRejected, rep.Error
		dst, err = e.reject(f, rep.Error, filepath.Join(e.Workspace.RejectedDir(), date))
	default:
		return fmt.Errorf("ingest inbox/%s: unexpected status %q", f.Name, rep.Status)
	}
	if err != nil {
		return err
	}
	fr.MovedTo, _ = filepath.Rel(e.Workspace.Dir, dst)
	if fr.Status == FileRejected {
		e.Attention(rejectedAlert(f.Name, fr.MovedTo))
	}
	return nil
}

// reject writes dir/FILE.reason.txt and then moves the file to dir/FILE. A crash between the
// two leaves the file in the inbox: the next run rejects it again and rewrites the reason.
func (e *Env) reject(f inboxFile, reason, dir string) (string, error) {
	if err := mkdirAllSync(dir); err != nil {
		return "", err
	}
	dst, err := freeName(dir, f.Name)
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf("%s was rejected by run %s at %s: nothing of it was written to the lake.\n\n"+
		"Reason: %s\n\nFix the export (or export it again) and put it back into inbox/.\n",
		f.Name, e.RunID, e.Start.UTC().Format(time.RFC3339), reason)
	if err := writeFileAtomic(dst+reasonSuffix, []byte(text)); err != nil {
		return "", err
	}
	return dst, renameSync(f.Path, dst)
}

// reasonSuffix ends the name of the reason file beside each rejected file.
const reasonSuffix = ".reason.txt"

// rejectedAlert is the alert for a file rejected and moved to rel (relative to the workspace).
func rejectedAlert(name, rel string) string {
	return fmt.Sprintf("inbox/%s rejected: see %s%s", name, rel, reasonSuffix)
}

// parseReason reads the file name and the reason from a reason file that reject wrote; ok is
// false unless run id wrote it.
func parseReason(text, id string) (name, reason string, ok bool) {
	first, rest, _ := strings.Cut(text, "\n")
	name, tail, found := strings.Cut(first, " was rejected by run ")
	if !found || !strings.HasPrefix(tail, id+" at ") {
		return "", "", false
	}
	for line := range strings.Lines(rest) {
		if r, found := strings.CutPrefix(line, "Reason: "); found {
			reason = strings.TrimSpace(r)
		}
	}
	return name, reason, true
}

// checkQuarantine asks for a person when a file's quarantined share is above
// quarantine.alert_share.
func (e *Env) checkQuarantine(rep *ingest.Report) {
	share := e.Workspace.Config.Quarantine.AlertShare
	if rep.QuarantineAlert(share) {
		e.Attention(fmt.Sprintf("inbox/%s: %d of %d rows quarantined (above quarantine.alert_share %g)",
			filepath.Base(rep.Source), rep.RowsQuarantined, rep.RowsRead, share))
	}
}
