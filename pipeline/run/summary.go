package run

import (
	"fmt"
	"strings"
)

// summaryLine is the run's one-line summary for cron mail, e.g.
//
//	run 20261124T021500.000Z ok (exit 0) in 4.1s: 2 files ingested, 1 waiting; lake version 3 → 5; summarize ok; report: not available in this build
func summaryLine(rec *Record) string {
	code := 0
	if rec.ExitCode != nil {
		code = *rec.ExitCode
	}
	parts := []string{filesPart(rec.Counts), lakePart(rec)}
	parts = append(parts, stepParts(rec)...)
	if len(rec.Alerts) > 0 {
		parts = append(parts, "needs attention: "+strings.Join(rec.Alerts, "; "))
	}
	if n := len(rec.Warnings); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s (outcomes runs show %s)", n, plural(n, "warning", "warnings"), rec.ID))
	}
	if rec.Error != "" {
		parts = append(parts, "error: "+rec.Error)
	}
	return fmt.Sprintf("run %s %s (exit %d) in %s: %s", rec.ID, rec.Status, code, rec.Duration, strings.Join(parts, "; "))
}

func filesPart(c FileCounts) string {
	var p []string
	add := func(n int, what string) {
		if n > 0 {
			p = append(p, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(c.Ingested, plural(c.Ingested, "file", "files")+" ingested")
	add(c.Duplicates, "already ingested (archived as "+plural(c.Duplicates, "duplicate)", "duplicates)"))
	add(c.Rejected, "rejected")
	add(c.Waiting, "waiting for the next run")
	if len(p) == 0 {
		return "no new files"
	}
	return strings.Join(p, ", ")
}

func lakePart(rec *Record) string {
	if rec.SnapshotAfter == rec.SnapshotBefore {
		return fmt.Sprintf("lake version %d", rec.SnapshotAfter)
	}
	return fmt.Sprintf("lake version %d → %d", rec.SnapshotBefore, rec.SnapshotAfter)
}

// stepParts says what happened to each step after ingest; steps that are up to date are
// folded into one "nothing new" phrase naming the last of them, and steps skipped for the
// same reason into one phrase.
func stepParts(rec *Record) []string {
	var p []string
	upToDate := ""
	skipped := map[string]int{} // note → index in p of the steps skipped for it
	for _, s := range rec.Steps {
		switch {
		case s.Name == "ingest" || s.Name == "retention" && s.Status != StepFailed:
		case s.Status == StepUpToDate:
			upToDate = s.Note
		case s.Status == StepNotAvailable:
			p = append(p, s.Name+": not available in this build")
		case s.Status == StepSkipped && s.Note != "":
			if i, ok := skipped[s.Note]; ok {
				p[i] = strings.Replace(p[i], " skipped: ", ", "+s.Name+" skipped: ", 1)
				continue
			}
			skipped[s.Note] = len(p)
			p = append(p, s.Name+" skipped: "+s.Note)
		default:
			p = append(p, s.Name+" "+string(s.Status))
		}
	}
	if upToDate != "" {
		p = append([]string{upToDate}, p...)
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
