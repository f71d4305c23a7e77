package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

var testToday = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

var testKey = []byte("0123456789abcdef0123456789abcdef")

const header = "practitioner_id,client_id,session_date,session_number,modality,presenting_complaint,pain_before,pain_after,hit6,adverse_event,adverse_event_type,consent_research\n"

// env is a lake in a temporary directory and the options to ingest into it.
type env struct {
	t    *testing.T
	dir  string
	lake *lake.Lake
	opt  Options
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	l, err := lake.Open(t.Context(), filepath.Join(dir, "lake"), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("lake Close: %v", err)
		}
	})
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { alloc.AssertSize(t, 0) })
	return &env{t: t, dir: dir, lake: l, opt: Options{
		Lake: l, Hasher: pseudo.NewHasher(testKey), Alloc: alloc,
		Validate: schema.Options{Today: testToday}, BatchRows: 3,
	}}
}

// file writes content to a file named name in the env's directory and returns its path.
func (e *env) file(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

func (e *env) ingest(path string) *Report {
	e.t.Helper()
	rep, err := File(e.t.Context(), path, e.opt)
	if err != nil {
		e.t.Fatalf("File(%s): %v", path, err)
	}
	return rep
}

// rows reads every live row of a table at the latest snapshot, as column → text.
func (e *env) rows(quarantine bool) []map[string]string {
	e.t.Helper()
	snap, err := e.lake.Snapshot(e.t.Context(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	files := snap.SessionsFiles
	if quarantine {
		files = snap.QuarantineFiles
	}
	var out []map[string]string
	for _, f := range files {
		out = append(out, readParquet(e.t, f)...)
	}
	slices.SortFunc(out, func(a, b map[string]string) int {
		return strings.Compare(a["source_line"]+"|"+a["column"], b["source_line"]+"|"+b["column"])
	})
	return out
}

func readParquet(t *testing.T, path string) []map[string]string {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 1024)
	defer tr.Release()
	var out []map[string]string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			row := map[string]string{}
			for j, f := range rec.Schema().Fields() {
				col := rec.Column(j)
				if col.IsNull(i) {
					continue
				}
				row[f.Name] = valueString(col, i)
			}
			out = append(out, row)
		}
	}
	return out
}

func valueString(col arrow.Array, i int) string {
	switch c := col.(type) {
	case *array.Date32:
		return c.Value(i).ToTime().Format(time.DateOnly)
	default:
		return col.ValueStr(i)
	}
}

func TestIngestCounts(t *testing.T) {
	e := newEnv(t)
	path := e.file("visits.csv", header+
		"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // line 2: accepted
		"P1,C1,2024-03-08,2,cst,back_pain,5,2,,mild,nausea,yes\n"+ // line 3: accepted, enum case folded
		"P1,C2,2024-03-01,1,CST,back_pain,11,4,,none,,yes\n"+ // line 4: range
		"P1,C3,2024-03-01,1,CST,migrane,6,4,37,none,,yes\n"+ // line 5: enum + hit6 not achievable
		"P2,C1,2024-03-01,1,SER,neck_pain,6,4,,none,,no\n"+ // line 6: excluded
		"P2,C2,2024-03-01,1,SER,neck_pain,6,4,,none\n"+ // line 7: too few fields: parse
		"P2,C3,2024-03-01,1,SER,neck_pain,6,4,,mild,,yes\n") // line 8: cross_field
	rep := e.ingest(path)
	want := Report{RowsRead: 7, RowsAccepted: 2, RowsQuarantined: 4, RowsExcluded: 1, Status: Committed, Snapshot: 1}
	if rep.RowsRead != want.RowsRead || rep.RowsAccepted != want.RowsAccepted || rep.RowsQuarantined != want.RowsQuarantined ||
		rep.RowsExcluded != want.RowsExcluded || rep.Status != want.Status || rep.Snapshot != want.Snapshot {
		t.Fatalf("report = %+v\nwant counts %+v", rep, want)
	}
	// hit6 37 is within 36..78 but not an achievable total: an enum violation beside "migrane".
	wantRules := map[string]int64{"range": 1, "enum": 2, "parse": 1, "cross_field": 1}
	if fmt.Sprint(rep.ViolationsByRule) != fmt.Sprint(wantRules) {
		t.Errorf("violations_by_rule = %v, want %v", rep.ViolationsByRule, wantRules)
	}

	sessions := e.rows(false)
	if len(sessions) != 2 {
		t.Fatalf("sessions has %d rows, want 2: %v", len(sessions), sessions)
	}
	h := pseudo.NewHasher(testKey)
	s := sessions[1]
	if s["practitioner_key"] != h.Practitioner("P1") || s["client_key"] != h.Client("P1", "C1") ||
		s["modality"] != "CST" || s["session_date"] != "2024-03-08" || s["pain_after"] != "2" ||
		s["adverse_event_type"] != "nausea" || s["source_line"] != "3" || s["commit_version"] != "1" || s["source_sha256"] != rep.SHA256 {
		t.Errorf("sessions row = %v", s)
	}
	if _, ok := sessions[0]["adverse_event_type"]; ok {
		t.Errorf("adverse_event_type of a row with none is %q, want null", sessions[0]["adverse_event_type"])
	}

	q := e.rows(true)
	var lines []string
	for _, r := range q {
		lines = append(lines, r["source_line"]+":"+r["rule"])
		if r["source_name"] != "visits.csv" || r["commit_version"] != "1" {
			t.Errorf("quarantine row %v: want source_name visits.csv and commit_version 1", r)
		}
	}
	slices.Sort(lines)
	wantLines := []string{"4:range", "5:enum", "5:enum", "7:parse", "8:cross_field"}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("quarantine rows (line:rule) = %v, want %v", lines, wantLines)
	}

	log, err := e.lake.Log(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Counts != rep.Counts() || log[0].Source.SHA256 != rep.SHA256 {
		t.Errorf("lake log = %+v, want one commit with counts %+v", log, rep.Counts())
	}
}

func TestIngestIdempotent(t *testing.T) {
	e := newEnv(t)
	path := e.file("a.csv", header+"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n")
	if rep := e.ingest(path); rep.Status != Committed {
		t.Fatalf("first ingest: %+v", rep)
	}
	rep := e.ingest(path)
	if rep.Status != AlreadyIngested || rep.Snapshot != 1 {
		t.Fatalf("second ingest: status %s snapshot %d, want already_ingested in 1", rep.Status, rep.Snapshot)
	}
	e.opt.Force = true
	if rep := e.ingest(path); rep.Status != Committed || rep.Snapshot != 2 {
		t.Fatalf("forced ingest: status %s snapshot %d, want committed as 2", rep.Status, rep.Snapshot)
	}
}

func TestIngestDuplicates(t *testing.T) {
	e := newEnv(t)
	path := e.file("dups.csv", header+
		"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // 2: kept
		"P1,C2,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // 3: another client
		"P1,C1,2024-03-01,1,CST,back_pain,6,4.0,,none,,yes\n"+ // 4: duplicate of 2 (4.0 is 4)
		"P1,C3,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // 5: conflict with 6
		"P1,C3,2024-03-01,1,CST,back_pain,7,4,,none,,yes\n"+ // 6: conflict with 5
		" P1 ,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n") // 7: duplicate of 2 (ids trimmed)
	rep := e.ingest(path)
	if rep.RowsAccepted != 2 || rep.RowsQuarantined != 4 || rep.ViolationsByRule["duplicate_in_file"] != 2 || rep.ViolationsByRule["conflict_in_file"] != 2 {
		t.Fatalf("report: accepted %d quarantined %d by rule %v; want 2 accepted, 2 duplicates, 2 conflicts",
			rep.RowsAccepted, rep.RowsQuarantined, rep.ViolationsByRule)
	}
	var kept []string
	for _, r := range e.rows(false) {
		kept = append(kept, r["source_line"])
	}
	if !slices.Equal(kept, []string{"2", "3"}) {
		t.Errorf("sessions lines = %v, want [2 3]", kept)
	}
	for _, r := range e.rows(true) {
		if r["rule"] == "duplicate_in_file" && !strings.Contains(r["message"], "repeats line 2 ") {
			t.Errorf("duplicate message %q does not name line 2", r["message"])
		}
		if want := map[string]string{"5": "as line 6 ", "6": "as line 5 "}[r["source_line"]]; r["rule"] == "conflict_in_file" && !strings.Contains(r["message"], want) {
			t.Errorf("conflict message on line %s is %q, want it to name the other line (%q)", r["source_line"], r["message"], want)
		}
	}
}

// TestIngestDayFirstDates: when every date of a file fails and reads day first, each
// quarantine message names the --date-format that would read it, the report carries it, and
// the first read's batch leaves nothing behind. With the flag, the same file goes in.
func TestIngestDayFirstDates(t *testing.T) {
	const content = header +
		"P1,C1,31/01/2024,1,CST,back_pain,6,4,,none,,yes\n" +
		"P1,C1,07/02/2024,2,CST,back_pain,5,3,,none,,yes\n" +
		"P1,C2,,1,CST,back_pain,5,3,,none,,yes\n" + // missing: required, but no evidence either way
		"P1,C3,14/02/2024,1,CST,back_pain,5,3,,none,,no\n" + // excluded, yet its date counts
		"P1,C1,21/02/2024,3,CST,back_pain,5,3,,none,,yes\n" +
		"P1,C1,21/02/2024,3,CST,back_pain,5,3,,none,,yes\n" // a duplicate, were the dates valid
	e := newEnv(t)
	rep := e.ingest(e.file("dmy.csv", content))
	if rep.Status != Committed || rep.RowsAccepted != 0 || rep.RowsQuarantined != 5 || rep.RowsExcluded != 1 {
		t.Fatalf("report: %+v", rep)
	}
	if rep.DateFormatHint != "dd/mm/yyyy" {
		t.Errorf("DateFormatHint = %q, want dd/mm/yyyy", rep.DateFormatHint)
	}
	q := e.rows(true)
	if len(q) != 5 {
		t.Fatalf("quarantine holds %d rows, want 5 (one read's worth): %v", len(q), q)
	}
	for _, r := range q {
		want := "; every date of this file fails like this: if the file writes dates day first, ingest it with --date-format dd/mm/yyyy"
		if r["column"] == "session_date" && r["rule"] == "type" && !strings.Contains(r["message"], want) {
			t.Errorf("line %s: message %q lacks %q", r["source_line"], r["message"], want)
		}
	}
	if v := rep.Violations[0]; v.Line != 2 || v.ColumnIndex != 3 || !strings.Contains(v.Message, "--date-format dd/mm/yyyy") {
		t.Errorf("first violation %v: %q", v, v.Message)
	}

	e.opt.Force = true
	e.opt.Validate.DateFormat = "dd/mm/yyyy"
	rep = e.ingest(e.file("dmy.csv", content))
	if rep.RowsAccepted != 3 || rep.RowsQuarantined != 2 || rep.DateFormatHint != "" || rep.ViolationsByRule["duplicate_in_file"] != 1 {
		t.Errorf("with --date-format: %+v", rep)
	}
}

func TestIngestRejectsWholeFile(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                string
	}{
		{"missing column", "missing.csv", "practitioner_id,client_id,session_date\nP1,C1,2024-01-01\n", "session_number"},
		{"empty", "empty.csv", "", "empty"},
		{"not utf-8", "latin.csv", header + "P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\nP\xe9,C1,2024-03-01,2,CST,back_pain,6,4,,none,,yes\n", "latin.csv:3:2: not valid UTF-8"},
		{"corrupt parquet", "bad.parquet", "PAR1 this is not really parquet PAR1", "corrupt"},
		{"prose", "letter.txt", "Dear colleague, thank you for the referral.\nKind regards\n", "letter.txt: no header row matches the schema's columns"},
		{"pdf", "scan.csv", "%PDF-1.4\n%%EOF\n", "scan.csv: a PDF document, not a data export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rep := e.ingest(e.file(tt.file, tt.content))
			if rep.Status != Rejected || !strings.Contains(rep.Error, tt.want) || !strings.Contains(rep.Error, tt.file) {
				t.Fatalf("report: status %s error %q; want rejected naming %s and %q", rep.Status, rep.Error, tt.file, tt.want)
			}
			log, err := e.lake.Log(t.Context())
			if err != nil || len(log) != 0 {
				t.Errorf("lake log after a rejected file: %v, %v; want empty", log, err)
			}
			snap, _ := e.lake.Snapshot(t.Context(), 0)
			if len(snap.SessionsFiles)+len(snap.QuarantineFiles) != 0 {
				t.Errorf("files visible after a rejected file: %+v", snap)
			}
		})
	}
}

func TestIngestRejectsMissingColumnsByName(t *testing.T) {
	e := newEnv(t)
	rep := e.ingest(e.file("m.csv", "prac,client_id,session_date\nP1,C1,2024-01-01\n"))
	var mc *schema.MissingColumnsError
	if !errors.As(rep.Err, &mc) {
		t.Fatalf("error %v is not a *schema.MissingColumnsError", rep.Err)
	}
	if !strings.Contains(rep.Error, "practitioner_id") {
		t.Errorf("error %q does not name the missing practitioner_id", rep.Error)
	}
}

func TestIngestDryRunWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.opt.DryRun = true
	rep := e.ingest(e.file("a.csv", header+"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"))
	if rep.Status != Checked || rep.RowsAccepted != 1 {
		t.Fatalf("dry run report: %+v", rep)
	}
	if log, _ := e.lake.Log(t.Context()); len(log) != 0 {
		t.Errorf("dry run committed: %v", log)
	}
	if n := countFiles(t, e.dir, ".parquet"); n != 0 {
		t.Errorf("dry run wrote %d parquet files", n)
	}
}

// TestIngestStoresNoIdentifiers ingests a file with source ids, a name, an e-mail address and
// free-text notes, and checks that no Parquet file of the lake holds any of them, decoded
// or raw.
func TestIngestStoresNoIdentifiers(t *testing.T) {
	e := newEnv(t)
	secrets := []string{"PRACT-SECRET-77", "CLIENT-SECRET-42", "Jane Q. Doe", "jane.doe@example.org", "felt dizzy after the session, call her husband"}
	content := "practitioner_id,client_id,client_name,email,notes,session_date,session_number,modality,presenting_complaint,pain_before,pain_after,adverse_event,adverse_event_type,consent_research\n" +
		fmt.Sprintf("%s,%s,%s,%s,\"%s\",2024-03-01,1,CST,back_pain,6,4,none,,yes\n", secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]) +
		fmt.Sprintf("%s,%s,%s,%s,\"%s\",2024-03-01,2,CST,back_pain,11,4,none,,yes\n", secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]) +
		fmt.Sprintf("%s,%s,%s,%s,\"%s\",2024-03-01,3,CST,back_pain,6,4,none,,yes\n", secrets[0]+"x", "", secrets[2], secrets[3], secrets[4])
	rep := e.ingest(e.file("pii.csv", content))
	if rep.RowsAccepted != 1 || rep.RowsQuarantined != 2 {
		t.Fatalf("report: %+v", rep)
	}
	for _, col := range []string{"client_name", "email", "notes"} {
		if !slices.Contains(rep.UnknownColumns, col) || !slices.Contains(rep.PIIColumns, col) {
			t.Errorf("column %s not reported as unknown and personal: unknown %v, pii %v", col, rep.UnknownColumns, rep.PIIColumns)
		}
	}
	err := filepath.WalkDir(filepath.Join(e.dir, "lake"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var decoded []map[string]string
		if strings.HasSuffix(path, ".parquet") {
			decoded = readParquet(t, path)
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds %q", path, s)
			}
			for _, row := range decoded {
				for col, v := range row {
					if strings.Contains(v, s) || strings.Contains(v, "SECRET") {
						t.Errorf("%s column %s holds %q", path, col, v)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countFiles(t *testing.T, dir, suffix string) int {
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, suffix) {
			n++
		}
		return nil
	})
	return n
}

func TestCheckWithoutLake(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jsonl")
	os.WriteFile(path, []byte(`{"practitioner_id":"P1","client_id":"C1","session_date":"2024-03-01","session_number":1,"modality":"CST","presenting_complaint":"tmj","adverse_event":"none","consent_research":true}
not json
{"practitioner_id":"P1","client_id":"C1","session_date":"2024-03-01","session_number":2,"modality":"CST","presenting_complaint":"tmj","adverse_event":"none","consent_research":true,"pain_before":12}
`), 0o644)
	rep, err := File(t.Context(), path, Options{Validate: schema.Options{Today: testToday}, Source: source.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != Checked || rep.RowsRead != 3 || rep.RowsAccepted != 1 || rep.RowsQuarantined != 2 || rep.ViolationsByRule["parse"] != 1 || rep.Format != "jsonl" {
		t.Fatalf("report: %+v", rep)
	}
	if v := rep.Violations; len(v) != 2 || v[0].Line != 2 || v[1].Line != 3 || v[1].Column != "pain_before" {
		t.Errorf("violations = %v, want parse on line 2 and pain_before on line 3", v)
	}
}

// TestConfirmHashCollisions treats every row as a suspect, as if every key hash had met
// another: only rows whose exact keys meet may be quarantined.
func TestConfirmHashCollisions(t *testing.T) {
	e := newEnv(t)
	path := e.file("c.csv", header+
		"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // 2
		"P1,C1,2024-03-08,2,CST,back_pain,5,3,,none,,yes\n"+ // 3: same client, another session
		"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // 4: duplicate of 2
		"P2,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n") // 5: another practitioner's C1
	opt := e.opt.withDefaults()
	dups := newDupIndex()
	all := map[uint64]bool{}
	val := opt.Schema
	rd, err := source.Open(path, opt.Source)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := val.Map(rd.Header())
	v := val.NewValidator(path, m, opt.Validate)
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		s, _ := v.Validate(rec.Line, rec.Fields)
		all[dups.keyHash(&s)] = true
	}
	rd.Close()
	got, err := confirm(t.Context(), path, opt, dups, all)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]decision{4: {rule: schema.RuleDuplicateInFile, other: 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("decisions = %v, want %v", got, want)
	}
}

// TestQuarantineClientKey checks that a quarantined row carries its client's key when its ids
// are valid (lake forget finds it by that key), and none otherwise.
func TestQuarantineClientKey(t *testing.T) {
	e := newEnv(t)
	path := e.file("visits.csv", header+
		"P1,C2,2024-03-01,1,CST,back_pain,11,4,,none,,yes\n"+ // line 2: range, ids valid
		",C3,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n"+ // line 3: no practitioner id
		"P2,C2,2024-03-01,1,SER,neck_pain,6,4,,none\n") // line 4: parse
	e.ingest(path)
	h := pseudo.NewHasher(testKey)
	want := map[string]string{"2": h.Client("P1", "C2"), "3": "", "4": ""}
	q := e.rows(true)
	if len(q) < 3 {
		t.Fatalf("quarantine rows: %v", q)
	}
	for _, r := range q {
		if got := r["client_key"]; got != want[r["source_line"]] {
			t.Errorf("line %s (%s): client_key %q, want %q", r["source_line"], r["rule"], got, want[r["source_line"]])
		}
	}
}

// TestIngestCancelled cancels the context while rows are being sent to the lake writer, many
// times: File must return the cancellation, leave nothing committed, and never hang.
func TestIngestCancelled(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString(header)
	for i := range 300 {
		fmt.Fprintf(&b, "P1,C%d,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n", i)
	}
	path := e.file("many.csv", b.String())
	for i := range 30 {
		ctx, cancel := context.WithCancel(t.Context())
		opt := e.opt
		opt.Force = true
		calls := 0
		opt.Progress = func(done, total int64) {
			if calls++; calls == 1+i%5 {
				cancel()
			}
		}
		done := make(chan error, 1)
		go func() {
			_, err := File(ctx, path, opt)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("round %d: File returned %v, want context.Canceled", i, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: File did not return after cancellation", i)
		}
		cancel()
	}
	if log, _ := e.lake.Log(t.Context()); len(log) != 0 {
		t.Errorf("a cancelled ingest committed: %v", log)
	}
}

// TestIngestFileChangedWhileRead: an export that grows after its sha256 was taken (still
// being written) is rejected, not committed with the hash of its first part and the rows of
// the whole; ingested again once complete, it goes in with the hash of what was read.
func TestIngestFileChangedWhileRead(t *testing.T) {
	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry run %v", dry), func(t *testing.T) {
			e := newEnv(t)
			e.opt.DryRun = dry
			path := e.file("growing.csv", header+"P1,C1,2024-03-01,1,CST,back_pain,6,4,,none,,yes\n")
			testHookStamped = func(path string) {
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString("P1,C2,2024-03-01,1,CST,back_pain,7,5,,none,,yes\n"); err != nil {
					t.Fatal(err)
				}
			}
			rep := e.ingest(path)
			testHookStamped = nil
			const want = "growing.csv: changed while it was read: ingest it again when it is complete"
			if rep.Status != Rejected || !errors.Is(rep.Err, ErrChanged) || !strings.HasSuffix(rep.Error, want) {
				t.Fatalf("report: status %s error %q; want rejected with %q", rep.Status, rep.Error, want)
			}
			if log, err := e.lake.Log(t.Context()); err != nil || len(log) != 0 {
				t.Fatalf("lake log after a changed file: %v, %v; want empty", log, err)
			}
			rep = e.ingest(path)
			if rep.Status == Rejected || rep.RowsRead != 2 {
				t.Fatalf("second ingest: status %s, %d rows read, error %q; want 2 rows", rep.Status, rep.RowsRead, rep.Error)
			}
			b, _ := os.ReadFile(path)
			if want := fmt.Sprintf("%x", sha256.Sum256(b)); rep.SHA256 != want {
				t.Errorf("SHA256 = %s, want %s (the bytes read)", rep.SHA256, want)
			}
		})
	}
}
