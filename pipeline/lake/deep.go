package lake

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
)

// VerifyDeep does what [Lake.Verify] does, and also decodes every row of every live data
// file and checks the counts invariant of every commit:
//
//   - every row decodes, required columns hold no null, a sessions row's session_date is in
//     its file's year partition, and its commit_version names a version of the log;
//   - each ingest version's counts hold (read = accepted + quarantined + excluded);
//   - each version's table totals follow from the previous version's: plus the rows an
//     ingest accepted (and its violations), minus the rows a forget or compact removed; and
//     the files of each readable version hold exactly its totals;
//   - the live rows of each ingest version that no later forget or compact could have touched
//     are exactly its accepted rows and violations.
func (l *Lake) VerifyDeep(ctx context.Context) ([]Problem, error) {
	probs, err := l.Verify(ctx)
	if err != nil {
		return nil, err
	}
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	log := st.log()
	known := map[int64]Commit{}
	var lastRewrite int64 // the latest forget or compact
	prev := Commit{HasTotals: true}
	for i, c := range log {
		known[c.Version] = c
		where := fmt.Sprintf("version %d", c.Version)
		if c.Operation == OpIngest {
			if err := c.Counts.Check(); err != nil {
				probs = append(probs, Problem{where, err.Error()})
			}
		} else {
			lastRewrite = c.Version
		}
		if c.HasTotals && prev.HasTotals && (i > 0 || c.Version == 1) {
			wantR, wantV := prev.Rows-c.RemovedRows, prev.Violations-c.RemovedViolations
			if c.Operation == OpIngest {
				wantR, wantV = prev.Rows+c.Counts.Accepted, prev.Violations+c.Counts.Violations
			}
			if c.Rows != wantR || c.Violations != wantV {
				probs = append(probs, Problem{where, fmt.Sprintf(
					"totals %d sessions and %d quarantine rows; the previous version and this one's counts give %d and %d",
					c.Rows, c.Violations, wantR, wantV)})
			}
		}
		prev = c
	}
	for _, c := range st.versions {
		if !c.HasTotals {
			continue
		}
		sf, qf, err := st.planVersion(ctx, c)
		if err != nil {
			return nil, err
		}
		if r, v := countOf(sf), countOf(qf); r != c.Rows || v != c.Violations {
			probs = append(probs, Problem{fmt.Sprintf("version %d", c.Version), fmt.Sprintf(
				"its files hold %d sessions and %d quarantine rows; the commit records %d and %d", r, v, c.Rows, c.Violations)})
		}
	}
	c, _ := st.latest()
	if c.Version == 0 {
		return probs, nil
	}
	perVersion := [2]map[int64]int64{{}, {}}
	for ti, t := range []struct {
		tbl  string
		id   int64
		sc   *arrow.Schema
		part bool
	}{{SessionsTable, c.SessionsSnapshot, SessionsSchema(), true}, {QuarantineTable, c.QuarantineSnapshot, QuarantineSchema(), false}} {
		tbl := st.sessions
		if !t.part {
			tbl = st.quarantine
		}
		files, err := planFiles(ctx, tbl, t.id)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			probs = append(probs, l.decodeFile(ctx, f, t.sc, t.part, known, perVersion[ti])...)
		}
	}
	for v, cm := range known {
		if cm.Operation != OpIngest || v <= lastRewrite || cm.Expired {
			continue
		}
		if s, q := perVersion[0][v], perVersion[1][v]; s != cm.Counts.Accepted || q != cm.Counts.Violations {
			probs = append(probs, Problem{fmt.Sprintf("version %d", v), fmt.Sprintf(
				"the live files hold %d sessions and %d quarantine rows of it; it accepted %d rows with %d violations",
				s, q, cm.Counts.Accepted, cm.Counts.Violations)})
		}
	}
	return probs, nil
}

// decodeFile decodes every row of a live data file and checks it (see VerifyDeep).
func (l *Lake) decodeFile(ctx context.Context, f iceberg.DataFile, sc *arrow.Schema, partitioned bool, known map[int64]Commit, perVersion map[int64]int64) []Problem {
	path, err := local(f.FilePath())
	if err != nil {
		return []Problem{{f.FilePath(), err.Error()}}
	}
	var probs []Problem
	bad := func(format string, args ...any) {
		if len(probs) < 5 {
			probs = append(probs, Problem{path, fmt.Sprintf(format, args...)})
		}
	}
	var wantYear int
	if partitioned {
		if y, err := strconv.Atoi(fmt.Sprint(f.Partition()[yearPartitionID])); err == nil {
			wantYear = y + 1970
		}
	}
	var rows int64
	err = readFile(ctx, path, sc, l.mem, nil, func(rec arrow.RecordBatch) error {
		if err := checkNulls(sc, rec); err != nil {
			bad("row %d on: %v", rows+1, err)
		}
		cv := rec.Column(sc.FieldIndices("commit_version")[0]).(*array.Int64)
		for i, v := range cv.Int64Values() {
			if _, ok := known[v]; !ok {
				bad("row %d: commit_version %d is not a version of the log", rows+int64(i)+1, v)
			}
			perVersion[v]++
		}
		if partitioned && wantYear != 0 {
			years, err := rowYears(rec.Column(sessionDateID - 1))
			if err != nil {
				bad("row %d on: session_date: %v", rows+1, err)
			}
			for i, y := range years {
				if y != wantYear {
					bad("row %d: session_date in %d, in the partition of %d", rows+int64(i)+1, y, wantYear)
					break
				}
			}
		}
		rows += rec.NumRows()
		return nil
	})
	if err != nil {
		return append(probs, Problem{path, fmt.Sprintf("rows do not decode: %v", err)})
	}
	if rows != f.Count() {
		bad("%d rows decode, the manifest says %d", rows, f.Count())
	}
	return probs
}
