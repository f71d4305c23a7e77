package duck

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// twoCommits writes a lake of two commits: commit 2 supersedes one session of commit 1,
// adds a client, and holds one key twice (lines 3 and 4: line 4 wins).
func twoCommits(t *testing.T) Snapshot {
	t.Helper()
	dir := t.TempDir()
	s := scratch(t)
	f1 := writeParquet(t, s, dir, "c1.parquet", sessionsQuery(
		sess{"p1", "c1", 1, "2024-01-08", 5, 2, 1},
		sess{"p1", "c1", 2, "2024-01-15", 4, 3, 1},
		sess{"p1", "c2", 1, "2024-02-01", 7, 4, 1},
	))
	f2 := writeParquet(t, s, dir, "c2.parquet", sessionsQuery(
		sess{"p1", "c1", 2, "2024-01-15", 3, 2, 2},
		sess{"p2", "c3", 1, "2024-03-01", 1, 3, 2},
		sess{"p2", "c3", 1, "2024-03-01", 2, 4, 2},
	))
	q1 := writeParquet(t, s, dir, "q1.parquet", quarantineQuery(1, 2))
	q2 := writeParquet(t, s, dir, "q2.parquet", quarantineQuery(2, 1))
	at := time.Date(2024, 3, 2, 1, 2, 3, 0, time.FixedZone("CET", 3600))
	return Snapshot{
		Version:         2,
		SessionsFiles:   []string{f1, f2},
		QuarantineFiles: []string{q1, q2},
		Commits: []Commit{
			{Version: 1, Time: at, Operation: "ingest", SourceName: "a.csv", SourceSHA256: "sha-1", RowsRead: 6, RowsAccepted: 3, RowsQuarantined: 2, RowsExcluded: 1, Violations: 2},
			{Version: 2, Time: at.Add(time.Hour), Operation: "ingest", SourceName: "b.csv", SourceSHA256: "sha-2", RowsRead: 4, RowsAccepted: 3, RowsQuarantined: 1, Violations: 1},
			{Version: 3, Time: at.Add(2 * time.Hour), Operation: "compact"},
		},
	}
}

func TestSessionsSupersession(t *testing.T) {
	t.Parallel()
	db := openDB(t, twoCommits(t), Options{})
	got := queryStrings(t, db, `SELECT practitioner_key, client_key, session_number, pain_before, source_line, commit_version
FROM sessions ORDER BY practitioner_key, client_key, session_number`)
	want := [][]string{
		{"p1", "c1", "1", "5", "2", "1"},
		{"p1", "c1", "2", "3", "2", "2"}, // commit 2 supersedes commit 1
		{"p1", "c2", "1", "7", "4", "1"},
		{"p2", "c3", "1", "2", "4", "2"}, // same commit: the highest source line wins
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sessions:\n got %v\nwant %v", got, want)
	}
}

func TestViewColumns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		snap func(t *testing.T) Snapshot
	}{
		{"files", twoCommits},
		{"empty lake", func(*testing.T) Snapshot { return Snapshot{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := openDB(t, tc.snap(t), Options{})
			for view, cols := range map[string][]column{
				"sessions": sessionsColumns, "quarantine": quarantineColumns, "commits": commitsColumns,
			} {
				got := queryStrings(t, db, "SELECT column_name, column_type FROM (DESCRIBE "+view+")")
				var want [][]string
				for _, c := range cols {
					want = append(want, []string{c.name, c.typ})
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s columns:\n got %v\nwant %v", view, got, want)
				}
			}
			got := queryStrings(t, db, "SELECT column_name FROM (DESCRIBE clients)")
			want := []string{"practitioner_key", "client_key", "n_sessions", "first_session", "last_session",
				"first_date", "last_date", "modality", "presenting_complaint"}
			for _, m := range clientMeasures {
				want = append(want, m+"_first", m+"_last", m+"_n")
			}
			if len(got) != len(want) {
				t.Fatalf("clients has %d columns, want %d: %v", len(got), len(want), got)
			}
			for i := range want {
				if got[i][0] != want[i] {
					t.Errorf("clients column %d = %s, want %s", i, got[i][0], want[i])
				}
			}
		})
	}
}

func TestEmptyLake(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	got := queryStrings(t, db, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM quarantine),
  (SELECT count(*) FROM clients), (SELECT count(*) FROM commits)`)
	if want := [][]string{{"0", "0", "0", "0"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
}

func TestQuarantineAndCommits(t *testing.T) {
	t.Parallel()
	db := openDB(t, twoCommits(t), Options{})
	got := queryStrings(t, db, `SELECT commit_version, count(*), min("column"), min(rule) FROM quarantine GROUP BY ALL ORDER BY 1`)
	if want := [][]string{{"1", "2", "pain_after", "range"}, {"2", "1", "pain_after", "range"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("quarantine = %v, want %v", got, want)
	}
	// Commit 3 is after the snapshot's version, so it is left out; times are UTC.
	got = queryStrings(t, db, `SELECT version, time, operation, source_name, rows_read, rows_accepted,
  rows_quarantined, rows_excluded, violations FROM commits ORDER BY version`)
	want := [][]string{
		{"1", "2024-03-02 00:02:03", "ingest", "a.csv", "6", "3", "2", "1", "2"},
		{"2", "2024-03-02 01:02:03", "ingest", "b.csv", "4", "3", "1", "0", "1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commits:\n got %v\nwant %v", got, want)
	}
}

func TestClients(t *testing.T) {
	t.Parallel()
	db := openDB(t, twoCommits(t), Options{})
	got := queryStrings(t, db, `SELECT practitioner_key, client_key, n_sessions, first_session, last_session,
  first_date, last_date, modality, pain_before_first, pain_before_last, pain_before_n, pain_after_n,
  sleep_hours_first, mymop_profile_last
FROM clients ORDER BY practitioner_key, client_key`)
	want := [][]string{
		{"p1", "c1", "2", "1", "2", "2024-01-08", "2024-01-15", "CST", "5", "3", "2", "0", "7.5", "3"},
		{"p1", "c2", "1", "1", "1", "2024-02-01", "2024-02-01", "CST", "7", "7", "1", "0", "7.5", "3"},
		{"p2", "c3", "1", "1", "1", "2024-03-01", "2024-03-01", "CST", "2", "2", "1", "0", "7.5", "3"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clients:\n got %v\nwant %v", got, want)
	}
}

// TestMaterialize checks that tables built at Open hold what the views show, and that no
// file is reachable afterwards, not even the lake's.
func TestMaterialize(t *testing.T) {
	t.Parallel()
	snap := twoCommits(t)
	views := openDB(t, snap, Options{})
	tables := openDB(t, snap, Options{Materialize: true})
	for _, q := range []string{
		"SELECT * FROM sessions ORDER BY practitioner_key, client_key, session_number",
		"SELECT * FROM clients ORDER BY practitioner_key, client_key",
		"SELECT * FROM quarantine ORDER BY commit_version, source_line",
	} {
		if a, b := queryStrings(t, views, q), queryStrings(t, tables, q); !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\n views  %v\n tables %v", q, a, b)
		}
	}
	_, err := tables.QueryTable(t.Context(), "SELECT * FROM read_parquet(?)", 0, snap.SessionsFiles[0])
	if !errors.Is(err, ErrAccessDenied) {
		t.Errorf("reading a lake file from a materialized DB: %v, want ErrAccessDenied", err)
	}
}

func TestLockDownSettings(t *testing.T) {
	t.Parallel()
	snap := twoCommits(t)
	db := openDB(t, snap, Options{Threads: 1, MemoryLimit: "512MB"})
	// Hold one connection so that the query below runs on another: the settings are global.
	held, err := db.sql.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	got := queryStrings(t, db, `SELECT current_setting('TimeZone'), current_setting('enable_external_access'), current_setting('lock_configuration'),
  current_setting('threads'), current_setting('autoinstall_known_extensions'), current_setting('temp_directory'),
  len(current_setting('allowed_paths')), len(current_setting('allowed_directories'))`)
	want := [][]string{{"UTC", "false", "true", "1", "false", "", "4", "0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings = %v, want %v", got, want)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := scratch(t)
	noKey := writeParquet(t, s, dir, "nokey.parquet", "SELECT 1 AS pain_before")
	for _, tc := range []struct {
		name string
		snap Snapshot
		opt  Options
		want string
		is   error
	}{
		{"missing file", Snapshot{SessionsFiles: []string{filepath.Join(dir, "gone.parquet")}}, Options{}, "gone.parquet", ErrLakeFile},
		{"not parquet", Snapshot{QuarantineFiles: []string{writeText(t, dir, "x.parquet", "not parquet")}}, Options{}, "x.parquet", ErrLakeFile},
		{"lacks key column", Snapshot{SessionsFiles: []string{noKey}}, Options{}, `lack column "practitioner_key"`, ErrLakeFile},
		{"remote file", Snapshot{SessionsFiles: []string{"s3://bucket/x.parquet"}}, Options{}, "not a local path", nil},
		{"bad memory limit", Snapshot{}, Options{MemoryLimit: "lots"}, "memory_limit = 'lots'", ErrOption},
		{"negative threads", Snapshot{}, Options{Threads: -1}, "threads is -1", ErrOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(t.Context(), tc.snap, tc.opt)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

func writeText(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCloseReportsOpenRows(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), Snapshot{}, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(t.Context(), "SELECT * FROM range(3)")
	if err != nil {
		t.Fatal(err)
	}
	err = db.Close()
	if err == nil || !strings.Contains(err.Error(), "1 query result(s) still open") {
		t.Errorf("Close with open rows = %v, want a leak report", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := rows.Close(); err != nil {
		t.Errorf("rows.Close after DB.Close: %v", err)
	}
	if _, err := db.Query(t.Context(), "SELECT 1"); !errors.Is(err, ErrClosed) {
		t.Errorf("Query after Close = %v, want ErrClosed", err)
	}
}

// TestClientsFirstLastRecorded: first and last are the first and last recorded values by
// session_number, whatever the order of the rows in the files, skipping unrecorded ones.
func TestClientsFirstLastRecorded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeParquet(t, scratch(t), dir, "s.parquet", sessionsQuery(
		sess{"p", "c", 4, "2024-01-29", nil, 5, 1},
		sess{"p", "c", 2, "2024-01-15", 6, 3, 1},
		sess{"p", "c", 1, "2024-01-08", nil, 2, 1},
		sess{"p", "c", 3, "2024-01-22", 4, 4, 1},
		sess{"p", "d", 1, "2024-01-08", nil, 6, 1},
	))
	db := openDB(t, Snapshot{Version: 1, SessionsFiles: []string{f}}, Options{})
	got := queryStrings(t, db, `SELECT client_key, n_sessions, pain_before_first, pain_before_last, pain_before_n
FROM clients ORDER BY client_key`)
	want := [][]string{{"c", "4", "6", "4", "2"}, {"d", "1", "NULL", "NULL", "0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clients:\n got %v\nwant %v", got, want)
	}
}
