package run

import (
	"os"
	"path/filepath"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/ingest"
)

// inboxFile is a file of inbox/ as the run sees it.
type inboxFile struct {
	Name    string
	Path    string
	ModTime time.Time
}

// inboxScan is what scanInbox found: files to ingest, files to leave for the next run.
type inboxScan struct {
	Stable  []inboxFile // in name order
	Waiting []inboxFile // modified within the settle time
	Partial []inboxFile // *.tmp, *.part: being uploaded (or abandoned)
	Other   []string    // not regular files (directories, links): never touched
}

// scanInbox lists dir in name order, by ingest.Classify: dotfiles are ignored; *.tmp and
// *.part files are partial uploads; a file modified less than settle before now is still
// being written. Only regular files are ever ingested.
func scanInbox(dir string, now time.Time, settle time.Duration) (inboxScan, error) {
	var s inboxScan
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		kind := ingest.Classify(e)
		switch kind {
		case ingest.Hidden:
			continue
		case ingest.NotFile:
			s.Other = append(s.Other, e.Name())
			continue
		}
		info, err := e.Info()
		if os.IsNotExist(err) {
			continue // gone since the listing: an uploader renamed it
		}
		if err != nil {
			return s, err
		}
		f := inboxFile{Name: e.Name(), Path: filepath.Join(dir, e.Name()), ModTime: info.ModTime()}
		switch {
		case kind == ingest.Partial:
			s.Partial = append(s.Partial, f)
		case now.Sub(f.ModTime) < settle:
			s.Waiting = append(s.Waiting, f)
		default:
			s.Stable = append(s.Stable, f)
		}
	}
	return s, nil
}
