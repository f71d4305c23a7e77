package source

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular: the path names something other than a regular file (after following
// symbolic links): a named pipe, a device such as /dev/zero, a socket or a directory. Reading
// one could block forever (a FIFO nobody writes to) or never end (/dev/zero), so it is
// refused before it is read.
var ErrNotRegular = errors.New("not a regular file")

// notRegularError says what the file is instead: "a named pipe (FIFO), not a regular file".
type notRegularError struct{ what string }

func (e *notRegularError) Error() string        { return e.what + ", not a regular file" }
func (e *notRegularError) Is(target error) bool { return target == ErrNotRegular }

// CheckRegular returns nil when path names a regular file (or a symbolic link to one),
// a [FileError] wrapping [ErrNotRegular] that says what it is otherwise, or the error of
// os.Stat (a *fs.PathError, as os.Open's). It never opens the file.
func CheckRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkMode(path, st.Mode())
}

// OpenRegular opens the regular file at path for reading. It checks the type before
// opening, then opens without blocking (a FIFO swapped in after the check does not hang the
// open) and checks the type of what it opened, so the check and the read are of one file.
// Errors are CheckRegular's, or os.OpenFile's.
func OpenRegular(path string) (*os.File, error) {
	if err := CheckRegular(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = checkMode(path, st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkMode is CheckRegular's test of the type bits of mode.
func checkMode(path string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	return &FileError{File: path, Err: &notRegularError{what: describeMode(mode)}}
}

// describeMode names the kind of file mode's type bits describe.
func describeMode(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device (such as /dev/zero or a terminal)"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode.IsDir():
		return "a directory"
	}
	return "a special file"
}
