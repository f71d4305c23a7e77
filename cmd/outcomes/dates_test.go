package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/ingest"
)

// sampleFiles are the committed samples of data/ (data/README.md).
var sampleFiles = []string{
	"sessions-small.csv", "sessions-excel-export.csv", "sessions.jsonl",
	"sessions.parquet", "sessions.xlsx", "sessions-errors.csv",
}

// dateDependentRows reads the table of data/README.md's section "Rows that depend on the
// date": the lines of sessions-errors.csv whose fate depends on --today, with their dates.
func dateDependentRows(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "data", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (\d+) \| (\d{4}-\d\d-\d\d) \|$`)
	var rows [][2]string
	in := false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Rows that depend on the date"
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			rows = append(rows, [2]string{m[1], m[2]})
		}
	}
	if len(rows) == 0 {
		t.Fatal(`data/README.md has no table under "## Rows that depend on the date"`)
	}
	return rows
}

// ingestSamples ingests every sample into a new workspace with --today and returns the
// reports by file name and the (line, date) of each row quarantined for a future date.
func ingestSamples(t *testing.T, today string) (map[string]ingest.Report, [][2]string) {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "ws")
	mustRun(t, exit.OK, "--workspace", ws, "init")
	args := []string{"--workspace", ws, "--today", today, "ingest", "--json"}
	for _, f := range sampleFiles {
		args = append(args, filepath.Join("..", "..", "data", f))
	}
	out := mustRun(t, exit.Attention, args...)
	reports := map[string]ingest.Report{}
	for line := range strings.Lines(out) {
		var r ingest.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ingest --json line %q: %v", line, err)
		}
		reports[filepath.Base(r.Source)] = r
	}
	out = mustRun(t, exit.OK, "--workspace", ws, "sql", "--format", "csv",
		`SELECT source_line, value FROM quarantine WHERE rule = 'range' AND "column" = 'session_date' ORDER BY source_line`)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var future [][2]string
	for _, r := range recs[1:] {
		future = append(future, [2]string{r[0], r[1]})
	}
	return reports, future
}

// mustRun runs the command line in this process and fails unless it exits with code.
func mustRun(t *testing.T, code int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if got := run(args, &stdout, &stderr); got != code {
		t.Fatalf("outcomes %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestSamplesOnAnyDay: the committed samples give the same counts with --today 2026-11-24 (the
// day they were made) and 2031-01-01, except for the rows data/README.md lists as depending
// on the date; and those are exactly the rows the future-date rule catches on 2026-11-24.
func TestSamplesOnAnyDay(t *testing.T) {
	listed := dateDependentRows(t)
	early, earlyFuture := ingestSamples(t, "2026-11-24")
	late, lateFuture := ingestSamples(t, "2031-01-01")
	if !slices.Equal(earlyFuture, listed) {
		t.Errorf("rows quarantined for a future date on 2026-11-24: %v; data/README.md lists %v", earlyFuture, listed)
	}
	if len(lateFuture) != 0 {
		t.Errorf("rows quarantined for a future date on 2031-01-01: %v", lateFuture)
	}
	for _, f := range sampleFiles {
		e, l := early[f], late[f]
		flips := int64(0)
		if f == "sessions-errors.csv" {
			flips = int64(len(listed))
		}
		if e.RowsRead != l.RowsRead || e.RowsExcluded != l.RowsExcluded ||
			l.RowsAccepted-e.RowsAccepted != flips || e.RowsQuarantined-l.RowsQuarantined != flips {
			t.Errorf("%s: 2026-11-24 read/accepted/quarantined/excluded %d/%d/%d/%d, 2031-01-01 %d/%d/%d/%d; want %d rows to move from quarantined to accepted",
				f, e.RowsRead, e.RowsAccepted, e.RowsQuarantined, e.RowsExcluded,
				l.RowsRead, l.RowsAccepted, l.RowsQuarantined, l.RowsExcluded, flips)
		}
	}
}

// TestWideSheetWarning: a file with thousands of columns the schema does not know gets a
// report line of a readable length, not one name per column.
func TestWideSheetWarning(t *testing.T) {
	head := "practitioner_id,client_id,session_date,session_number,modality,presenting_complaint,adverse_event,consent_research"
	row := "P1,C1,2024-03-01,1,CST,back_pain,none,yes"
	var h, r strings.Builder
	h.WriteString(head)
	r.WriteString(row)
	for i := range 16374 {
		fmt.Fprintf(&h, ",extra_%d", i)
		r.WriteString(",x")
	}
	path := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(path, []byte(h.String()+"\n"+r.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, exit.OK, "schema", "check", path)
	for line := range strings.Lines(out) {
		if len(line) > 400 {
			t.Errorf("a report line of %d characters: %.120s...", len(line), line)
		}
	}
	if !strings.Contains(out, "extra_11 and 16362 more (--json lists them all)") {
		t.Errorf("the unknown columns are not counted:\n%.600s", out)
	}
}
