package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file and directory this package creates, so
// that what a crash leaves behind can be recognised and removed (the nightly run does).
const TempPrefix = ".outcomes-tmp-"

// The calls that make writes durable and visible, replaced by tests to watch or fail them.
var (
	syncFile = (*os.File).Sync
	rename   = os.Rename
)

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
	if err = writeSync(f, data, perm); err != nil {
		return err
	}
	if err = rename(f.Name(), path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// writeSync writes data to f, syncs and closes it, and sets its permissions to perm (whatever
// the umask). It closes f on every path.
func writeSync(f *os.File, data []byte, perm os.FileMode) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := syncFile(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(f.Name(), perm)
}

// SyncDir makes the creation, renaming or removal of entries in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(syncFile(d), d.Close())
}
