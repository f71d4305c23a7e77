package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/iceberg-go"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	File string `json:"file"` // a data file, a checksum file, or "version N"
	Msg  string `json:"msg"`
}

func (p Problem) String() string { return p.File + ": " + p.Msg }

// Verify re-reads every live data file of the latest version and checks it against the
// metadata and the checksum files: it exists, its size is the manifest's, its sha256 is the
// one recorded when it was written, its Parquet footer is readable and its row count is the
// manifest's. It also checks that each version's checksum file exists and that its row
// counts match the version's counts (accepted rows in sessions, violations in quarantine).
// The error is for failures to verify at all; what is wrong with the lake is in the problems.
func (l *Lake) Verify(ctx context.Context) ([]Problem, error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	sums, probs := l.readChecksums(st)
	c, _ := st.latest()
	if c.Version == 0 {
		return probs, nil
	}
	for _, t := range []struct {
		files []iceberg.DataFile
		err   error
	}{
		wrap(planFiles(ctx, st.sessions, c.SessionsSnapshot)),
		wrap(planFiles(ctx, st.quarantine, c.QuarantineSnapshot)),
	} {
		if t.err != nil {
			return nil, t.err
		}
		for _, f := range t.files {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			probs = append(probs, verifyFile(f, sums)...)
		}
	}
	return probs, nil
}

func wrap(files []iceberg.DataFile, err error) struct {
	files []iceberg.DataFile
	err   error
} {
	return struct {
		files []iceberg.DataFile
		err   error
	}{files, err}
}

// readChecksums reads the checksum file of every version and checks its row counts.
func (l *Lake) readChecksums(st *state) (map[string]checksumEntry, []Problem) {
	sums := map[string]checksumEntry{}
	var probs []Problem
	// The checksum files of expired versions still hold the sums of their files that are
	// live; vacuum deletes those whose files all went.
	for _, c := range st.history {
		if c.checksums == "" {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(l.dir, filepath.FromSlash(c.checksums))); err == nil {
			var cf checksumFile
			if json.Unmarshal(data, &cf) == nil {
				for _, e := range cf.Files {
					sums[e.Path] = e
				}
			}
		}
	}
	for _, c := range st.versions {
		where := fmt.Sprintf("version %d", c.Version)
		if c.checksums == "" {
			probs = append(probs, Problem{where, "no checksum file recorded"})
			continue
		}
		path := filepath.Join(l.dir, filepath.FromSlash(c.checksums))
		data, err := os.ReadFile(path)
		var cf checksumFile
		if err == nil {
			err = json.Unmarshal(data, &cf)
		}
		if err != nil {
			probs = append(probs, Problem{path, fmt.Sprintf("checksum file of version %d unreadable: %v", c.Version, err)})
			continue
		}
		var rows = map[string]int64{}
		for _, e := range cf.Files {
			sums[e.Path] = e
			rows[e.Table] += e.Rows
		}
		if c.Operation == OpIngest && (rows[SessionsTable] != c.Counts.Accepted || rows[QuarantineTable] != c.Counts.Violations) {
			probs = append(probs, Problem{where, fmt.Sprintf(
				"files hold %d sessions and %d quarantine rows; the commit counts %d accepted and %d violations",
				rows[SessionsTable], rows[QuarantineTable], c.Counts.Accepted, c.Counts.Violations)})
		}
	}
	return sums, probs
}

// verifyFile checks one live data file.
func verifyFile(f iceberg.DataFile, sums map[string]checksumEntry) []Problem {
	path, err := local(f.FilePath())
	if err != nil {
		return []Problem{{f.FilePath(), err.Error()}}
	}
	bad := func(format string, args ...any) []Problem {
		return []Problem{{path, fmt.Sprintf(format, args...)}}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return bad("missing: %v", err)
	}
	if fi.Size() != f.FileSizeBytes() {
		return bad("size %d bytes, the manifest says %d", fi.Size(), f.FileSizeBytes())
	}
	var probs []Problem
	sum, ok := sums[path]
	switch got, err := fileSHA256(path); {
	case err != nil:
		probs = append(probs, bad("read: %v", err)...)
	case !ok:
		probs = append(probs, bad("no checksum recorded")...)
	case got != sum.SHA256:
		probs = append(probs, bad("sha256 %s, recorded %s", got[:16], sum.SHA256[:min(16, len(sum.SHA256))])...)
	}
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return append(probs, bad("parquet footer unreadable: %v", err)...)
	}
	defer rdr.Close()
	if n := rdr.NumRows(); n != f.Count() {
		probs = append(probs, bad("%d rows, the manifest says %d", n, f.Count())...)
	}
	return probs
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
