// Package atomicfile writes files so that they appear whole or not at all, even across a
// crash: a temporary file in the target directory, written, synced and closed, renamed over
// the target, and the directory synced so that the rename itself is durable (STYLE.md
// section 5; restic's internal/backend/local does the same).
//
// Run records, reports, summaries, notebooks and bundles are written through it. The lake
// has its own writer (pipeline/lake), which tracks what it synced for its commit protocol.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file WriteFile creates, so that what a crash
// leaves behind can be recognised and removed (the nightly run does).
const TempPrefix = ".outcomes-tmp-"

// WriteFile writes data to path atomically with permissions perm. On error the target is
// untouched and the temporary file is removed.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), perm); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes the creation, renaming or removal of entries in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
