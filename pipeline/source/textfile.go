package source

import "io"

// textSource is what the CSV and JSON Lines readers share: the file they read (for progress),
// closing it once, and the sticky error that ends reading after Close.
type textSource struct {
	file   *countingFile // nil for a plain io.Reader
	closer io.Closer
	err    error // sticky file-level error
	closed bool
}

func newTextSource(r io.Reader) textSource {
	var t textSource
	t.file, _ = r.(*countingFile)
	t.closer, _ = r.(io.Closer)
	return t
}

// Offset implements [Progress] for files opened with [Open].
func (t *textSource) Offset() int64 {
	if t.file == nil {
		return 0
	}
	return t.file.n
}

// Size implements [Progress] for files opened with [Open].
func (t *textSource) Size() int64 {
	if t.file == nil {
		return 0
	}
	return t.file.size
}

// Close closes the underlying file; it is idempotent.
func (t *textSource) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if t.err == nil {
		t.err = errClosed
	}
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}
