package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is the temporary directory [WriteDir] hands to its fill function.
type Dir struct {
	path string
}

// WriteFile writes data to the new file name in d (a name, not a path) with permissions perm,
// and syncs it. A name written twice is an error.
func (d *Dir) WriteFile(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(filepath.Join(d.path, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	return writeSync(f, data, perm)
}

// WriteDir replaces the directory dir, whole, with the files fill writes (the package doc
// gives the steps). dir's parent is created if needed. On an error before the commit point,
// dir is as it was and no temporary directory is left.
func WriteDir(dir string, fill func(*Dir) error) error {
	d, err := createTempDir(dir)
	if err != nil {
		return err
	}
	if err := fillSync(d, fill); err != nil {
		os.RemoveAll(d.path)
		return err
	}
	old, err := swap(d.path, dir)
	if err != nil {
		os.RemoveAll(d.path)
		return err
	}
	if err := SyncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return removeOld(old)
}

// createTempDir creates an empty directory beside dir, mode 0755, named after it with
// TempPrefix (step 1).
func createTempDir(dir string) (*Dir, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, TempPrefix+filepath.Base(dir)+"-*")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Dir{path: tmp}, nil
}

// fillSync calls fill and syncs the directory it wrote (steps 2 and 3).
func fillSync(d *Dir, fill func(*Dir) error) error {
	if err := fill(d); err != nil {
		return err
	}
	return SyncDir(d.path)
}

// swap moves an existing dir aside, to tmp+".old", and renames tmp to dir (step 4). It
// returns the old directory's name, "" if dir did not exist. If the second rename fails, the
// old directory is put back.
func swap(tmp, dir string) (old string, err error) {
	old = tmp + ".old"
	if err := rename(dir, old); errors.Is(err, fs.ErrNotExist) {
		old = ""
	} else if err != nil {
		return "", err
	}
	if err := rename(tmp, dir); err != nil {
		if old != "" {
			err = errors.Join(err, rename(old, dir))
		}
		return "", err
	}
	return old, nil
}

// removeOld removes the directory swap moved aside, if any (step 6).
func removeOld(old string) error {
	if old == "" {
		return nil
	}
	return os.RemoveAll(old)
}
