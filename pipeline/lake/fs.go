package lake

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	icebergio "github.com/apache/iceberg-go/io"
)

// iceberg-go never calls fsync: its LocalFS writes metadata with os.WriteFile, publishes it
// with a hard link and renames version-hint.text, all without syncing the file or the
// directory. A power cut after a commit could then lose it, or leave a vN.metadata.json that
// names manifests whose bytes never reached the disk. syncFS is a LocalFS that makes every
// write iceberg-go does durable before it returns: files are synced before they are closed
// or published, and a directory is synced after an entry in it is created, linked or renamed.
//
// The library resolves its file system from a registry by URL scheme, and the hadoop catalog
// resolves it once, from the catalog's properties. Package lake replaces the registry's
// factories for local paths ("" and "file") with one that returns the syncFS registered under
// the property fsProp, and a plain LocalFS without it; so only lakes opened by this package
// use it, and they use it for every metadata, manifest and hint file.

// fsProp is the catalog property naming the syncFS of a Lake (see syncFSes).
const fsProp = "cst.fs-id"

var (
	syncFSes  sync.Map // string id → *syncFS
	syncFSSeq atomic.Int64
)

func init() {
	factory := func(_ context.Context, _ *url.URL, props map[string]string) (icebergio.IO, error) {
		if id, ok := props[fsProp]; ok {
			if fs, ok := syncFSes.Load(id); ok {
				return fs.(*syncFS), nil
			}
			return nil, fmt.Errorf("lake: file system %s is closed", id)
		}
		return icebergio.LocalFS{}, nil
	}
	for _, scheme := range []string{"", "file"} {
		icebergio.Unregister(scheme)
		icebergio.Register(scheme, factory)
	}
}

// syncFS is iceberg-go's LocalFS with fsync (see the comment above). onSync, when set, is
// called with every path synced (a file or a directory): tests count them.
type syncFS struct {
	icebergio.LocalFS
	id     string
	onSync func(path string)
	syncs  atomic.Int64

	hintMu  sync.Mutex
	hintErr error // see hintFailed
}

// hintSuffix ends the temporary file the hadoop catalog writes and renames to version-hint.text.
const hintSuffix = "-version-hint.temp"

// hintFailed records a failure to write or rename a version hint. The hadoop catalog treats
// the hint as best effort: after the commit point it only log.Printf's the failure and
// returns success, so the lake asks for it (takeHintErr) after each commit and warns.
func (fs *syncFS) hintFailed(err error) {
	fs.hintMu.Lock()
	defer fs.hintMu.Unlock()
	if fs.hintErr == nil {
		fs.hintErr = err
	}
}

// takeHintErr returns the first hint failure since the last call, and forgets it.
func (fs *syncFS) takeHintErr() error {
	fs.hintMu.Lock()
	defer fs.hintMu.Unlock()
	err := fs.hintErr
	fs.hintErr = nil
	return err
}

func newSyncFS() *syncFS {
	fs := &syncFS{id: fmt.Sprintf("lake-%d", syncFSSeq.Add(1))}
	syncFSes.Store(fs.id, fs)
	return fs
}

func (fs *syncFS) close() { syncFSes.Delete(fs.id) }

// synced records a sync of path.
func (fs *syncFS) synced(path string) {
	fs.syncs.Add(1)
	if fs.onSync != nil {
		fs.onSync(path)
	}
}

// syncFile opens path and syncs it: Linux syncs the inode's dirty pages whichever descriptor
// asks.
func (fs *syncFS) syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	fs.synced(path)
	return nil
}

// syncDir syncs directory dir, making the entries created, linked or renamed in it durable.
func (fs *syncFS) syncDir(dir string) error {
	if err := syncDir(dir); err != nil {
		return err
	}
	fs.synced(dir)
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// mkdirAll creates dir and its missing parents, syncing each parent whose entries changed.
func (fs *syncFS) mkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := fs.mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return fs.syncDir(parent)
}

// local turns a path or file: URL into a local path.
func local(name string) (string, error) {
	if !strings.HasPrefix(name, "file:") {
		return name, nil
	}
	u, err := url.Parse(name)
	if err != nil || (u.Host != "" && u.Host != "localhost") {
		return "", fmt.Errorf("lake: not a local path: %s", name)
	}
	return filepath.FromSlash(u.Path), nil
}

// MkdirAll implements iceberg-go's MkdirAllIO.
func (fs *syncFS) MkdirAll(name string) error {
	p, err := local(name)
	if err != nil {
		return err
	}
	return fs.mkdirAll(p)
}

// Create implements WriteFileIO: the file is synced when it is closed, and so is its directory.
func (fs *syncFS) Create(name string) (icebergio.FileWriter, error) {
	p, err := local(name)
	if err != nil {
		return nil, err
	}
	if err := fs.mkdirAll(filepath.Dir(p)); err != nil {
		return nil, err
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	return &syncFile{File: f, fs: fs}, nil
}

// WriteFile implements WriteFileIO: write, sync, close, sync the directory.
func (fs *syncFS) WriteFile(name string, content []byte) error {
	err := fs.writeFile(name, content)
	if err != nil && strings.HasSuffix(name, hintSuffix) {
		fs.hintFailed(err)
	}
	return err
}

func (fs *syncFS) writeFile(name string, content []byte) error {
	p, err := local(name)
	if err != nil {
		return err
	}
	if err := fs.mkdirAll(filepath.Dir(p)); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	sf := &syncFile{File: f, fs: fs}
	if _, err := sf.Write(content); err != nil {
		_ = f.Close()
		_ = os.Remove(p)
		return err
	}
	return sf.Close()
}

// Rename implements RenameIO (version-hint.text): rename, then sync the directory.
func (fs *syncFS) Rename(oldpath, newpath string) error {
	err := fs.rename(oldpath, newpath)
	if err != nil && strings.HasSuffix(oldpath, hintSuffix) {
		fs.hintFailed(err)
	}
	return err
}

func (fs *syncFS) rename(oldpath, newpath string) error {
	if err := fs.LocalFS.Rename(oldpath, newpath); err != nil {
		return err
	}
	p, err := local(newpath)
	if err != nil {
		return err
	}
	return fs.syncDir(filepath.Dir(p))
}

// RenameNoReplace implements RenameNoReplaceIO, the hadoop catalog's commit point (claim →
// vN.metadata.json): the source was synced when written; sync the directory after the link.
func (fs *syncFS) RenameNoReplace(oldpath, newpath string) error {
	if err := fs.LocalFS.RenameNoReplace(oldpath, newpath); err != nil {
		return err
	}
	p, err := local(newpath)
	if err != nil {
		return err
	}
	return fs.syncDir(filepath.Dir(p))
}

// syncFile is a file that syncs itself and its directory on Close.
type syncFile struct {
	*os.File
	fs     *syncFS
	closed bool
}

func (f *syncFile) Write(p []byte) (int, error) {
	if err := writeFault(f.Name()); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

// writeFaults, when set (by tests only), is called before every write to a file of the lake:
// data files, checksum files, and every file iceberg-go writes (metadata, manifests, hints).
// An error it returns is returned by the write, as a full disk (ENOSPC) would be.
var writeFaults atomic.Pointer[func(path string) error]

func writeFault(path string) error {
	if f := writeFaults.Load(); f != nil {
		if err := (*f)(path); err != nil {
			return &os.PathError{Op: "write", Path: path, Err: err}
		}
	}
	return nil
}

func (f *syncFile) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	f.fs.synced(f.Name())
	return f.fs.syncDir(filepath.Dir(f.Name()))
}
