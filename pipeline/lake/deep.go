package lake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// VerifyDeep does what [Lake.Verify] does, and also decodes every row of every live data
// file and checks the counts invariant of every commit. It
//
//  1. runs [Lake.Verify];
//  2. checks the log: each ingest version's counts hold (read = accepted + quarantined +
//     excluded), and each version's table totals follow from the previous version's: plus
//     the rows an ingest accepted (and its violations), minus the rows a forget or compact
//     removed;
//  3. checks that the files of each readable version hold exactly its totals;
//  4. decodes every row of every live data file: every row decodes, required columns hold no
//     null, a sessions row's session_date is in its file's year partition, and its
//     commit_version names a version of the log;
//  5. checks that the live rows of each ingest version that no later forget or compact could
//     have touched are exactly its accepted rows and violations.
//
// Steps 4 and 5 have nothing to check in an empty lake.
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
	probs = append(probs, checkLog(log)...)
	vp, err := st.checkVersionFiles(ctx)
	if err != nil {
		return nil, err
	}
	probs = append(probs, vp...)
	c, _ := st.latest()
	if c.Version == 0 {
		return probs, nil
	}
	known := commitsByVersion(log)
	live, dp, err := l.decodeLive(ctx, st, c, known)
	if err != nil {
		return nil, err
	}
	probs = append(probs, dp...)
	return append(probs, checkLiveIngests(known, lastRewrite(log), live)...), nil
}

// checkLog is VerifyDeep's step 2.
func checkLog(log []Commit) []Problem {
	var probs []Problem
	prev := Commit{HasTotals: true}
	for i, c := range log {
		if c.Operation == OpIngest {
			if err := c.Counts.Check(); err != nil {
				probs = append(probs, Problem{fmt.Sprintf("version %d", c.Version), err.Error()})
			}
		}
		if c.HasTotals && prev.HasTotals && (i > 0 || c.Version == 1) {
			probs = append(probs, checkTotals(prev, c)...)
		}
		prev = c
	}
	return probs
}

// checkTotals checks that c's totals are prev's plus the rows an ingest added, or minus those
// a forget or compact removed.
func checkTotals(prev, c Commit) []Problem {
	wantR, wantV := prev.Rows-c.RemovedRows, prev.Violations-c.RemovedViolations
	if c.Operation == OpIngest {
		wantR, wantV = prev.Rows+c.Counts.Accepted, prev.Violations+c.Counts.Violations
	}
	if c.Rows == wantR && c.Violations == wantV {
		return nil
	}
	return []Problem{{fmt.Sprintf("version %d", c.Version), fmt.Sprintf(
		"totals %d sessions and %d quarantine rows; the previous version and this one's counts give %d and %d",
		c.Rows, c.Violations, wantR, wantV)}}
}

// checkVersionFiles is VerifyDeep's step 3, for the readable versions that record totals.
func (s *state) checkVersionFiles(ctx context.Context) ([]Problem, error) {
	var probs []Problem
	for _, c := range s.versions {
		if !c.HasTotals {
			continue
		}
		sf, qf, err := s.planVersion(ctx, c)
		if err != nil {
			return nil, err
		}
		if r, v := countOf(sf), countOf(qf); r != c.Rows || v != c.Violations {
			probs = append(probs, Problem{fmt.Sprintf("version %d", c.Version), fmt.Sprintf(
				"its files hold %d sessions and %d quarantine rows; the commit records %d and %d", r, v, c.Rows, c.Violations)})
		}
	}
	return probs, nil
}

// commitsByVersion returns the commits of the log by version.
func commitsByVersion(log []Commit) map[int64]Commit {
	known := map[int64]Commit{}
	for _, c := range log {
		known[c.Version] = c
	}
	return known
}

// lastRewrite returns the latest forget or compact version of the log; 0 if none.
func lastRewrite(log []Commit) int64 {
	var v int64
	for _, c := range log {
		if c.Operation != OpIngest {
			v = c.Version
		}
	}
	return v
}

// decodeLive is VerifyDeep's step 4, for the live files of version c (latest). It returns
// the live rows of each commit_version, of sessions (live[0]) and quarantine (live[1]).
func (l *Lake) decodeLive(ctx context.Context, st *state, c Commit, known map[int64]Commit) (live [2]map[int64]int64, probs []Problem, err error) {
	live = [2]map[int64]int64{{}, {}}
	for ti, t := range []struct {
		tbl  *table.Table
		id   int64
		sc   *arrow.Schema
		part bool
	}{{st.sessions, c.SessionsSnapshot, SessionsSchema(), true}, {st.quarantine, c.QuarantineSnapshot, QuarantineSchema(), false}} {
		files, err := planFiles(ctx, t.tbl, t.id)
		if err != nil {
			return live, nil, err
		}
		for _, f := range files {
			probs = append(probs, l.decodeFile(ctx, f, t.sc, t.part, known, live[ti])...)
		}
	}
	return live, probs, nil
}

// checkLiveIngests is VerifyDeep's step 5: the ingest versions after the latest rewrite
// (lastRewrite) whose records were not expired.
func checkLiveIngests(known map[int64]Commit, lastRewrite int64, live [2]map[int64]int64) []Problem {
	var probs []Problem
	for _, v := range slices.Sorted(maps.Keys(known)) {
		cm := known[v]
		if cm.Operation != OpIngest || v <= lastRewrite || cm.Expired {
			continue
		}
		if s, q := live[0][v], live[1][v]; s != cm.Counts.Accepted || q != cm.Counts.Violations {
			probs = append(probs, Problem{fmt.Sprintf("version %d", v), fmt.Sprintf(
				"the live files hold %d sessions and %d quarantine rows of it; it accepted %d rows with %d violations",
				s, q, cm.Counts.Accepted, cm.Counts.Violations)})
		}
	}
	return probs
}

// decodeFile decodes every row of a live data file and checks it (VerifyDeep's step 4),
// adding its rows to perVersion by commit_version. It reports at most five problems with its
// rows, and then whether it decodes at all.
func (l *Lake) decodeFile(ctx context.Context, f iceberg.DataFile, sc *arrow.Schema, partitioned bool, known map[int64]Commit, perVersion map[int64]int64) []Problem {
	path, err := local(f.FilePath())
	if err != nil {
		return []Problem{{f.FilePath(), err.Error()}}
	}
	rc := &rowCheck{path: path, sc: sc, known: known, perVersion: perVersion}
	if partitioned {
		rc.wantYear = partitionYear(f)
	}
	if err := readFile(ctx, path, sc, l.mem, nil, rc.record); err != nil {
		return append(rc.probs, Problem{path, fmt.Sprintf("rows do not decode: %v", err)})
	}
	if rc.rows != f.Count() {
		rc.bad("%d rows decode, the manifest says %d", rc.rows, f.Count())
	}
	return rc.probs
}

// partitionYear returns the year of a sessions file's partition; 0 if it cannot be read.
func partitionYear(f iceberg.DataFile) int {
	y, err := strconv.Atoi(fmt.Sprint(f.Partition()[yearPartitionID]))
	if err != nil {
		return 0
	}
	return y + 1970
}

// rowCheck checks the records of one data file as they are decoded.
type rowCheck struct {
	path       string
	sc         *arrow.Schema
	wantYear   int // the year of the file's partition; 0: not checked
	known      map[int64]Commit
	perVersion map[int64]int64
	rows       int64 // rows decoded so far
	probs      []Problem
}

// bad records a problem with the file, up to five.
func (rc *rowCheck) bad(format string, args ...any) {
	if len(rc.probs) < 5 {
		rc.probs = append(rc.probs, Problem{rc.path, fmt.Sprintf(format, args...)})
	}
}

// record checks one record: its required columns, its commit versions and its years.
func (rc *rowCheck) record(rec arrow.RecordBatch) error {
	if err := checkNulls(rc.sc, rec); err != nil {
		rc.bad("row %d on: %v", rc.rows+1, err)
	}
	rc.commitVersions(rec)
	if rc.wantYear != 0 {
		rc.years(rec)
	}
	rc.rows += rec.NumRows()
	return nil
}

// commitVersions checks that each row's commit_version is a version of the log, and counts it.
func (rc *rowCheck) commitVersions(rec arrow.RecordBatch) {
	cv := rec.Column(rc.sc.FieldIndices("commit_version")[0]).(*array.Int64)
	for i, v := range cv.Int64Values() {
		if _, ok := rc.known[v]; !ok {
			rc.bad("row %d: commit_version %d is not a version of the log", rc.rows+int64(i)+1, v)
		}
		rc.perVersion[v]++
	}
}

// years checks that each row's session_date is in the file's partition (the first that is
// not, per record).
func (rc *rowCheck) years(rec arrow.RecordBatch) {
	years, err := rowYears(rec.Column(sessionDateID - 1))
	if err != nil {
		rc.bad("row %d on: session_date: %v", rc.rows+1, err)
	}
	for i, y := range years {
		if y != rc.wantYear {
			rc.bad("row %d: session_date in %d, in the partition of %d", rc.rows+int64(i)+1, y, rc.wantYear)
			break
		}
	}
}
