package ingest

import (
	"io/fs"
	"strings"
)

// Entry is how ingest treats an entry of a directory of exports: `outcomes ingest DIR` and
// the nightly run's inbox/ apply the same rule.
type Entry int

const (
	// Ready is a regular file to ingest.
	Ready Entry = iota
	// Hidden is a dotfile or dot-directory: ignored.
	Hidden
	// NotFile is not a regular file (a directory, a link, a device): never read.
	NotFile
	// Partial is *.tmp or *.part: an upload or download still in progress (or abandoned).
	Partial
)

// Classify says how ingest treats a directory entry: dotfiles first, then anything but a
// regular file, then partial uploads by the usual suffixes.
func Classify(e fs.DirEntry) Entry {
	name := e.Name()
	switch {
	case strings.HasPrefix(name, "."):
		return Hidden
	case !e.Type().IsRegular():
		return NotFile
	case strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part"):
		return Partial
	}
	return Ready
}

// QuarantineAlert reports whether r needs a person because more than alertShare of its rows
// were quarantined (workspace quarantine.alert_share). Only a report of rows just read counts:
// committed, or checked by a dry run; a rejected file is reported as such, and an
// already-ingested one read no rows.
func (r *Report) QuarantineAlert(alertShare float64) bool {
	return (r.Status == Committed || r.Status == Checked) && r.RowsQuarantined > 0 && r.QuarantineShare() > alertShare
}
