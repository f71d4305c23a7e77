package lake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
)

// CompactOptions configure [Lake.Compact].
type CompactOptions struct {
	// TargetSize is the size of the files written; a file smaller than 3/4 of it counts as
	// small. 0: the writer's target (128 MiB).
	TargetSize int64
}

// CompactResult is what [Lake.Compact] did.
type CompactResult struct {
	Commit *Commit // nil: nothing to compact
	// FilesBefore and FilesAfter count the live data files, both tables.
	FilesBefore, FilesAfter int
	// Superseded counts the sessions rows dropped because a newer row of the same natural key
	// is in the lake: they are not in the sessions view.
	Superseded int64
}

// rowID names one row of one live sessions file.
type rowID struct {
	file int32
	row  int64
}

// rank orders the rows of one natural key as the sessions view does: the highest
// commit_version wins, then the highest source_line, then the highest source_sha256.
type rank struct {
	version, line int64
	sha           string
	at            rowID
}

func (r rank) beats(o rank) bool {
	if r.version != o.version {
		return r.version > o.version
	}
	if r.line != o.line {
		return r.line > o.line
	}
	return r.sha > o.sha
}

// Compact rewrites the small files of each sessions partition into few files of about
// TargetSize, dropping the superseded rows (a natural key, practitioner_key, client_key,
// session_number, keeps only the row the sessions view shows), and the small quarantine files
// into few (no row is dropped: quarantine rows are all shown). It changes no query result of
// the sessions and quarantine views. The caller holds the workspace lock. It
//
//  1. repairs as a writer does (doc.go, step 1) and lists the live files of the latest
//     version;
//  2. finds the superseded rows: ranks the rows of each natural key over all live sessions
//     files (a key may move between partitions) and counts, per file, the rows that lose;
//  3. chooses the files to rewrite: in a sessions partition with two small files or more
//     (smaller than 3/4 of TargetSize), or a superseded row, its small files and those with
//     superseded rows (its large files without superseded rows stay); and the small
//     quarantine files, if there are two or more. With nothing to rewrite it commits nothing;
//  4. copies the rows of the chosen files into new files, only the winners for sessions;
//  5. publishes them as one copy-on-write commit (operation compact, see doc.go) that
//     replaces the chosen files.
//
// Finding the superseded rows holds one entry per natural key in memory (about 150 bytes).
func (l *Lake) Compact(ctx context.Context, opt CompactOptions) (*CompactResult, error) {
	target := opt.TargetSize
	if target <= 0 {
		target = l.wopt.TargetFileSize
	}
	c, err := l.listLive(ctx, target)
	if err != nil {
		return nil, err
	}
	res := &CompactResult{FilesBefore: len(c.sf) + len(c.qf)}
	if err := l.findSuperseded(ctx, c); err != nil {
		return nil, err
	}
	rewriteS, rewriteQ := c.chooseSessions(), c.chooseQuarantine()
	if len(rewriteS) == 0 && len(rewriteQ) == 0 {
		res.FilesAfter = res.FilesBefore
		return res, nil
	}
	rw, superseded, err := l.copyCompacted(ctx, c, rewriteS, rewriteQ)
	if err != nil {
		return nil, err
	}
	cm, err := l.publishRewrite(ctx, rw)
	if err != nil {
		return nil, err
	}
	res.Commit, res.Superseded = cm, superseded
	res.FilesAfter = res.FilesBefore - len(rw.removeS) - len(rw.removeQ) + cm.AddedFiles
	return res, nil
}

// compaction is a Compact in progress: the live files of the latest version and, once
// findSuperseded has run, which rows of each sessions file win their natural key.
type compaction struct {
	st     *state
	target int64 // the size of the files written
	sf, qf []iceberg.DataFile
	paths  []string         // local paths of sf
	kept   []map[int64]bool // per sessions file: its rows that win (nil: none)
	losers []int64          // per sessions file: its superseded rows
}

// listLive is Compact's step 1.
func (l *Lake) listLive(ctx context.Context, target int64) (*compaction, error) {
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	latest, _ := st.latest()
	sf, qf, err := st.planVersion(ctx, latest)
	if err != nil {
		return nil, err
	}
	c := &compaction{st: st, target: target, sf: sf, qf: qf, paths: make([]string, len(sf))}
	for i, f := range sf {
		if c.paths[i], err = local(f.FilePath()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// findSuperseded is Compact's step 2: it fills c.kept and c.losers.
func (l *Lake) findSuperseded(ctx context.Context, c *compaction) error {
	winners, err := l.winners(ctx, c.paths)
	if err != nil {
		return err
	}
	c.kept = make([]map[int64]bool, len(c.sf))
	for _, w := range winners {
		if c.kept[w.at.file] == nil {
			c.kept[w.at.file] = map[int64]bool{}
		}
		c.kept[w.at.file][w.at.row] = true
	}
	c.losers = make([]int64, len(c.sf))
	for i, f := range c.sf {
		c.losers[i] = f.Count() - int64(len(c.kept[i]))
	}
	return nil
}

// small reports whether f is smaller than 3/4 of the target size.
func (c *compaction) small(f iceberg.DataFile) bool { return f.FileSizeBytes() < c.target*3/4 }

// chooseSessions returns the sessions files to rewrite (step 3), by index, partition by
// partition in order.
func (c *compaction) chooseSessions() []int {
	byPart := map[string][]int{}
	for i, f := range c.sf {
		k := fmt.Sprint(f.Partition()[yearPartitionID])
		byPart[k] = append(byPart[k], i)
	}
	var out []int
	for _, k := range slices.Sorted(maps.Keys(byPart)) {
		out = append(out, c.choosePartition(byPart[k])...)
	}
	return out
}

// choosePartition returns the files of one partition to rewrite: none unless it has two
// small files or more, or a superseded row; else its small files and those with superseded
// rows.
func (c *compaction) choosePartition(idx []int) []int {
	nSmall, nLosers := 0, int64(0)
	for _, i := range idx {
		if c.small(c.sf[i]) {
			nSmall++
		}
		nLosers += c.losers[i]
	}
	if nSmall < 2 && nLosers == 0 {
		return nil
	}
	var out []int
	for _, i := range idx {
		if c.small(c.sf[i]) || c.losers[i] > 0 {
			out = append(out, i)
		}
	}
	return out
}

// chooseQuarantine returns the small quarantine files to rewrite (step 3): none unless there
// are two or more.
func (c *compaction) chooseQuarantine() []iceberg.DataFile {
	var out []iceberg.DataFile
	for _, f := range c.qf {
		if c.small(f) {
			out = append(out, f)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// copyCompacted is Compact's step 4: it copies the chosen sessions files (their winning rows)
// and quarantine files (every row) into a new rewrite, which replaces them, and returns it
// with the number of superseded rows dropped. On error it removes the new files.
func (l *Lake) copyCompacted(ctx context.Context, c *compaction, sessions []int, quarantine []iceberg.DataFile) (*rewrite, int64, error) {
	rw := l.newRewrite(c.st, OpCompact, c.target)
	ok := false
	defer func() {
		if !ok {
			rw.abort()
		}
	}()
	var superseded int64
	for _, i := range sessions {
		if err := l.copySessions(ctx, rw, c, i); err != nil {
			return nil, 0, err
		}
		superseded += c.losers[i]
	}
	for _, f := range quarantine {
		if err := l.copyQuarantine(ctx, rw, f); err != nil {
			return nil, 0, err
		}
	}
	ok = true
	return rw, superseded, nil
}

// copySessions copies the winning rows of sessions file i into rw and marks the file for
// removal.
func (l *Lake) copySessions(ctx context.Context, rw *rewrite, c *compaction, i int) error {
	var row int64
	err := readFile(ctx, c.paths[i], SessionsSchema(), l.mem, nil, func(rec arrow.RecordBatch) error {
		keep := c.keepMask(i, row, rec.NumRows())
		row += rec.NumRows()
		_, err := copyRows(ctx, rw.s, rec, keep, l.mem)
		return err
	})
	if err != nil {
		return err
	}
	rw.removeS = append(rw.removeS, c.sf[i])
	return nil
}

// keepMask returns which of the n rows of sessions file i that start at row win their key;
// nil (keep all) for a file without superseded rows.
func (c *compaction) keepMask(i int, row, n int64) []bool {
	if c.losers[i] <= 0 {
		return nil
	}
	keep := make([]bool, n)
	for j := range keep {
		keep[j] = c.kept[i][row+int64(j)]
	}
	return keep
}

// copyQuarantine copies every row of quarantine file f into rw and marks f for removal.
func (l *Lake) copyQuarantine(ctx context.Context, rw *rewrite, f iceberg.DataFile) error {
	p, err := local(f.FilePath())
	if err != nil {
		return err
	}
	err = readFile(ctx, p, QuarantineSchema(), l.mem, nil, func(rec arrow.RecordBatch) error {
		_, err := copyRows(ctx, rw.q, rec, nil, l.mem)
		return err
	})
	if err != nil {
		return err
	}
	rw.removeQ = append(rw.removeQ, f)
	return nil
}

// winners returns, for each natural key of the sessions files, the row the sessions view shows.
func (l *Lake) winners(ctx context.Context, paths []string) (map[string]rank, error) {
	out := map[string]rank{}
	cols := []string{"practitioner_key", "client_key", "session_number", "commit_version", "source_line", "source_sha256"}
	for fi, p := range paths {
		var row int64
		err := readFile(ctx, p, SessionsSchema(), l.mem, cols, func(rec arrow.RecordBatch) error {
			pk, ck, sha := stringColumn(rec, "practitioner_key"), stringColumn(rec, "client_key"), stringColumn(rec, "source_sha256")
			sn := rec.Column(rec.Schema().FieldIndices("session_number")[0]).(*array.Int32)
			cv := rec.Column(rec.Schema().FieldIndices("commit_version")[0]).(*array.Int64)
			ln := rec.Column(rec.Schema().FieldIndices("source_line")[0]).(*array.Int64)
			for j := range int(rec.NumRows()) {
				// The strings alias the record's buffers: copy what is kept.
				key := naturalKey(pk.Value(j), ck.Value(j), sn.Value(j))
				r := rank{version: cv.Value(j), line: ln.Value(j), sha: sha.Value(j), at: rowID{int32(fi), row + int64(j)}}
				if old, ok := out[key]; !ok || r.beats(old) {
					r.sha = strings.Clone(r.sha)
					out[key] = r
				}
			}
			row += rec.NumRows()
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func naturalKey(practitioner, client string, session int32) string {
	return practitioner + "\x00" + client + "\x00" + strconv.Itoa(int(session)) // a new string
}
