package run

import (
	"os"
	"path/filepath"
	"strings"
	"time"
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

// scanInbox lists dir in name order. Dotfiles are ignored; *.tmp and *.part files are partial
// uploads; a file modified less than settle before now is still being written. Only regular
// files are ever ingested.
func scanInbox(dir string, now time.Time, settle time.Duration) (inboxScan, error) {
	var s inboxScan
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if !e.Type().IsRegular() {
			s.Other = append(s.Other, name)
			continue
		}
		info, err := e.Info()
		if os.IsNotExist(err) {
			continue // gone since the listing: an uploader renamed it
		}
		if err != nil {
			return s, err
		}
		f := inboxFile{Name: name, Path: filepath.Join(dir, name), ModTime: info.ModTime()}
		switch {
		case isPartial(name):
			s.Partial = append(s.Partial, f)
		case now.Sub(f.ModTime) < settle:
			s.Waiting = append(s.Waiting, f)
		default:
			s.Stable = append(s.Stable, f)
		}
	}
	return s, nil
}

// isPartial reports whether name is an upload in progress by the usual conventions.
func isPartial(name string) bool {
	return strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part")
}
