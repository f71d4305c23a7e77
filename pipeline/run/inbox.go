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
	Future  []inboxFile  // modified more than futureTolerance(settle) after now: a wrong clock
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

// minFutureTolerance is the least a file's modification time may be ahead of the run's clock
// before the run calls it wrong: clocks of uploading machines drift, and a file copied with
// its times kept can be a little ahead.
const minFutureTolerance = time.Hour

// futureTolerance is how far ahead of now an inbox file's modification time may be before the
// run stops waiting for it to settle and asks a person to look: minFutureTolerance or
// inbox.settle, whichever is larger. Within it the file waits as any fresh file does.
func futureTolerance(settle time.Duration) time.Duration { return max(minFutureTolerance, settle) }

// futureProblem says what is wrong with a file modified in the future and what a person
// should do.
func (f inboxFile) futureProblem(now time.Time) string {
	return fmt.Sprintf("inbox/%s was modified at %s, %s ahead of this run's clock: a clock is wrong, and the file "+
		"would wait to settle until then; it was not ingested. Check the clock of the machine that wrote it, then touch the file",
		f.Name, f.ModTime.UTC().Format(time.RFC3339), f.ModTime.Sub(now).Round(time.Second))
}

// scanInbox lists dir in name order, by ingest.Classify: dotfiles are ignored; *.tmp and
// *.part files are partial uploads; a file modified less than settle before now is still
// being written; one modified more than futureTolerance(settle) after now has a wrong clock
// and would wait until that time (forever, if the year is wrong). Only regular files are ever ingested.
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
		case f.ModTime.Sub(now) > futureTolerance(settle):
			s.Future = append(s.Future, f)
		case now.Sub(f.ModTime) < settle:
			s.Waiting = append(s.Waiting, f)
		default:
			s.Stable = append(s.Stable, f)
		}
	}
	return s, nil
}
