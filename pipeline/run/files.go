package run

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cstoutcomes/outcomes/internal/atomicfile"
)

// tmpPrefix starts the name of every temporary file the run writes (atomicfile's); what a
// crash leaves with this prefix is removed by the next run (see cleanOrphans).
const tmpPrefix = atomicfile.TempPrefix

// writeFileAtomic writes path whole or not at all.
func writeFileAtomic(path string, b []byte) error { return atomicfile.WriteFile(path, b, 0o644) }

// syncDir fsyncs a directory, making the renames and removals in it durable.
func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// moveFile moves src into dir (created if needed) under its own name, or under name~N.ext
// when that is taken, and returns the new path. The rename is atomic: after a crash the file
// is in one place or the other, never both and never half. Both directories are fsynced
// before it returns. dir must be on the same file system as src.
func moveFile(src, dir string) (string, error) {
	if err := mkdirAllSync(dir); err != nil {
		return "", err
	}
	dst, err := freeName(dir, filepath.Base(src))
	if err != nil {
		return "", err
	}
	return dst, renameSync(src, dst)
}

// renameSync renames src to dst and fsyncs both directories.
func renameSync(src, dst string) error {
	dir := filepath.Dir(dst)
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, syscall.EXDEV) {
			return fmt.Errorf("move %s to %s: the inbox and %s must be on the same file system: %w", src, dir, dir, err)
		}
		return fmt.Errorf("move %s: %w", src, err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(src))
}

// freeName returns dir/name, or dir/stem~N.ext for the first N that is not taken.
func freeName(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		cand := name
		if i > 1 {
			cand = fmt.Sprintf("%s~%d%s", stem, i, ext)
		}
		p := filepath.Join(dir, cand)
		_, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// mkdirAllSync creates dir and its missing parents, fsyncing each parent that got a new entry.
func mkdirAllSync(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSync(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}
