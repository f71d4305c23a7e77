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
// into few (no row is dropped: quarantine rows are all shown). A partition is rewritten when it
// has two small files or more, or a superseded row; its large files without superseded rows
// stay. It is one copy-on-write commit (operation compact, see doc.go) that changes no query
// result of the sessions and quarantine views. With nothing to do it commits nothing. The
// caller holds the workspace lock.
//
// Finding the superseded rows holds one entry per natural key in memory (about 150 bytes).
func (l *Lake) Compact(ctx context.Context, opt CompactOptions) (*CompactResult, error) {
	target := opt.TargetSize
	if target <= 0 {
		target = l.wopt.TargetFileSize
	}
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	c, _ := st.latest()
	sf, qf, err := st.planVersion(ctx, c)
	if err != nil {
		return nil, err
	}
	res := &CompactResult{FilesBefore: len(sf) + len(qf)}
	paths := make([]string, len(sf))
	for i, f := range sf {
		if paths[i], err = local(f.FilePath()); err != nil {
			return nil, err
		}
	}
	winners, err := l.winners(ctx, paths)
	if err != nil {
		return nil, err
	}
	losers := make([]int64, len(sf)) // superseded rows per file
	var total int64
	for _, f := range sf {
		total += f.Count()
	}
	kept := make([]map[int64]bool, len(sf))
	for _, w := range winners {
		if kept[w.at.file] == nil {
			kept[w.at.file] = map[int64]bool{}
		}
		kept[w.at.file][w.at.row] = true
	}
	for i, f := range sf {
		losers[i] = f.Count() - int64(len(kept[i]))
	}
	small := func(f iceberg.DataFile) bool { return f.FileSizeBytes() < target*3/4 }
	// Group the sessions files by partition and choose what to rewrite.
	byPart := map[string][]int{}
	for i, f := range sf {
		k := fmt.Sprint(f.Partition()[yearPartitionID])
		byPart[k] = append(byPart[k], i)
	}
	var rewriteS []int
	for _, k := range slices.Sorted(maps.Keys(byPart)) {
		idx := byPart[k]
		nSmall, nLosers := 0, int64(0)
		for _, i := range idx {
			if small(sf[i]) {
				nSmall++
			}
			nLosers += losers[i]
		}
		if nSmall < 2 && nLosers == 0 {
			continue
		}
		for _, i := range idx {
			if small(sf[i]) || losers[i] > 0 {
				rewriteS = append(rewriteS, i)
			}
		}
	}
	var rewriteQ []iceberg.DataFile
	for _, f := range qf {
		if small(f) {
			rewriteQ = append(rewriteQ, f)
		}
	}
	if len(rewriteQ) < 2 {
		rewriteQ = nil
	}
	if len(rewriteS) == 0 && len(rewriteQ) == 0 {
		res.FilesAfter = res.FilesBefore
		return res, nil
	}
	rw := l.newRewrite(st, OpCompact, target)
	ok := false
	defer func() {
		if !ok {
			rw.abort()
		}
	}()
	for _, i := range rewriteS {
		f := sf[i]
		var row int64
		err := readFile(ctx, paths[i], SessionsSchema(), l.mem, nil, func(rec arrow.RecordBatch) error {
			var keep []bool
			if losers[i] > 0 {
				keep = make([]bool, rec.NumRows())
				for j := range keep {
					keep[j] = kept[i][row+int64(j)]
				}
			}
			row += rec.NumRows()
			_, err := copyRows(ctx, rw.s, rec, keep, l.mem)
			return err
		})
		if err != nil {
			return nil, err
		}
		rw.removeS = append(rw.removeS, f)
		res.Superseded += losers[i]
	}
	for _, f := range rewriteQ {
		p, err := local(f.FilePath())
		if err != nil {
			return nil, err
		}
		err = readFile(ctx, p, QuarantineSchema(), l.mem, nil, func(rec arrow.RecordBatch) error {
			_, err := copyRows(ctx, rw.q, rec, nil, l.mem)
			return err
		})
		if err != nil {
			return nil, err
		}
		rw.removeQ = append(rw.removeQ, f)
	}
	ok = true
	cm, err := l.publishRewrite(ctx, rw)
	if err != nil {
		return nil, err
	}
	res.Commit = cm
	res.FilesAfter = res.FilesBefore - len(rw.removeS) - len(rw.removeQ) + cm.AddedFiles
	return res, nil
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
