package run

import (
	"fmt"
	"io/fs"
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
	Stable  []inboxFile  // in name order
	Waiting []inboxFile  // modified within the settle time
	Partial []inboxFile  // *.tmp, *.part: being uploaded (or abandoned)
	Other   []otherEntry // not regular files (directories, links, pipes): never touched
}

// otherEntry is an inbox entry that is not a regular file: the run never reads, moves or
// removes it, and asks a person to act (exit 3) for as long as it is there.
type otherEntry struct {
	Name string
	Type fs.FileMode // e.Type(): the entry itself, not what a link points to
}

// problem says what the entry is and what a person should do, e.g. "inbox/link.csv is a
// symbolic link: the run takes only regular files; move the file itself into inbox/".
func (o otherEntry) problem() string {
	what, fix := "not a regular file", "replace it with the file itself"
	switch {
	case o.Type&fs.ModeSymlink != 0:
		what, fix = "a symbolic link", "move the file itself into inbox/"
	case o.Type.IsDir():
		what, fix = "a directory", "move its files into inbox/ itself and remove the directory"
	case o.Type&fs.ModeNamedPipe != 0:
		what, fix = "a named pipe (FIFO)", "remove it and put the exported file itself into inbox/"
	case o.Type&fs.ModeSocket != 0:
		what, fix = "a socket", "remove it and put the exported file itself into inbox/"
	case o.Type&fs.ModeDevice != 0:
		what, fix = "a device", "remove it and put the exported file itself into inbox/"
	}
	return fmt.Sprintf("inbox/%s is %s: the run takes only regular files; %s", o.Name, what, fix)
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
			s.Other = append(s.Other, otherEntry{Name: e.Name(), Type: e.Type()})
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
