//go:build unix

package source

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenNotRegular checks that a FIFO, a device and a directory are refused, saying what
// they are, without blocking: opening a FIFO nobody writes to would otherwise wait forever.
func TestOpenNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "export.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	tests := []struct {
		path, want string
	}{
		{fifo, fifo + ": a named pipe (FIFO), not a regular file"},
		{"/dev/zero", "/dev/zero: a character device (such as /dev/zero or a terminal), not a regular file"},
		{dir, dir + ": a directory, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Open(tt.path, Options{Format: FormatCSV})
				done <- err
			}()
			select {
			case err := <-done:
				var fe *FileError
				if !errors.Is(err, ErrNotRegular) || !errors.As(err, &fe) || err.Error() != tt.want {
					t.Errorf("Open = %v, want %s (a FileError wrapping ErrNotRegular)", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Open blocked")
			}
			if f, err := OpenRegular(tt.path); !errors.Is(err, ErrNotRegular) {
				if f != nil {
					f.Close()
				}
				t.Errorf("OpenRegular = %v, want ErrNotRegular", err)
			}
		})
	}
}

// TestOpenRegularFollowsSymlink checks that a symbolic link to a regular file is read.
func TestOpenRegularFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.csv")
	if err := os.WriteFile(real, []byte("a\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	f, err := OpenRegular(link)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := OpenRegular(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotRegular) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
}
