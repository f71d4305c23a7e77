package duck

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestQueryTableMaxRows(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	for _, tc := range []struct {
		max       int
		rows      int
		truncated bool
	}{{0, 10, false}, {-1, 10, false}, {3, 3, true}, {10, 10, false}, {11, 10, false}} {
		tab, err := db.QueryTable(t.Context(), "SELECT i FROM range(10) AS r(i) ORDER BY i", tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != tc.rows || tab.Total != 10 || tab.Truncated() != tc.truncated {
			t.Errorf("maxRows %d: %d rows, total %d, truncated %v; want %d, 10, %v",
				tc.max, len(tab.Rows), tab.Total, tab.Truncated(), tc.rows, tc.truncated)
		}
		if len(tab.Rows) > 0 && tab.Rows[len(tab.Rows)-1][0] != int64(tc.rows-1) {
			t.Errorf("maxRows %d: last row %v", tc.max, tab.Rows[len(tab.Rows)-1])
		}
	}
}

const formatsQuery = `SELECT * FROM (VALUES
  (1, 'plain', 2.5, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', true, [1, 2]),
  (22, 'with, comma "and" quote', NULL, NULL, NULL, NULL, NULL),
  (NULL, NULL, 'NaN'::DOUBLE, DATE '1999-12-31', TIMESTAMP '2024-01-02 03:04:05.25', false, [])
) AS t(n, s, x, d, ts, b, l) ORDER BY n NULLS LAST`

func TestTableFormats(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	tab, err := db.QueryTable(t.Context(), formatsQuery, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
		want  string
	}{
		{"text", func(b *bytes.Buffer) error { return tab.WriteText(b) }, `n     s                        x     d           ts                      b      l
----  -----------------------  ----  ----------  ----------------------  -----  ------
   1  plain                     2.5  2024-01-02  2024-01-02 03:04:05     true   [1, 2]
  22  with, comma "and" quote  NULL  NULL        NULL                    NULL   NULL
NULL  NULL                      NaN  1999-12-31  2024-01-02 03:04:05.25  false  []
(3 rows)
`},
		{"csv", func(b *bytes.Buffer) error { return tab.WriteCSV(b) }, `n,s,x,d,ts,b,l
1,plain,2.5,2024-01-02,2024-01-02 03:04:05,true,"[1, 2]"
22,"with, comma ""and"" quote",,,,,
,,NaN,1999-12-31,2024-01-02 03:04:05.25,false,[]
`},
		{"json", func(b *bytes.Buffer) error { return tab.WriteJSON(b) }, `[
  {"n": 1, "s": "plain", "x": 2.5, "d": "2024-01-02", "ts": "2024-01-02 03:04:05", "b": true, "l": [1,2]},
  {"n": 22, "s": "with, comma \"and\" quote", "x": null, "d": null, "ts": null, "b": null, "l": null},
  {"n": null, "s": null, "x": null, "d": "1999-12-31", "ts": "2024-01-02 03:04:05.25", "b": false, "l": []}
]
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestFormatValueTypes(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	tab, err := db.QueryTable(t.Context(), `SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS u,
  INTERVAL '1 year 2 months 3 days 04:05:06.5' AS iv, INTERVAL '0 days' AS zero, INTERVAL '-90 minutes' AS neg,
  12.345::DECIMAL(10,3) AS dec, 170141183460469231731687303715884105727::HUGEINT AS h,
  {'b': 1, 'a': 'x'} AS st, MAP {'k': 1, 'j': NULL} AS m, '\xAA'::BLOB AS bl, TIME '01:02:03.25' AS tm,
  TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, 1.5::FLOAT AS f, [NULL, 1] AS l, 'a'::ENUM('a', 'b') AS e`, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "1 year 2 months 3 days 04:05:06.5", "00:00:00",
		"-01:30:00", "12.345", "170141183460469231731687303715884105727", "{'a': x, 'b': 1}", "{k=1, j=NULL}",
		"aa", "01:02:03.25", "2024-01-02 01:04:05+00", "1.5", "[NULL, 1]", "a"}
	for j, v := range tab.Rows[0] {
		if got := FormatValue(v, tab.Types[j]); got != want[j] {
			t.Errorf("%s (%s, %T): %q, want %q", tab.Columns[j], tab.Types[j], v, got, want[j])
		}
	}
}

func TestTableEmptyAndTruncated(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	empty, err := db.QueryTable(t.Context(), "SELECT * FROM sessions", 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := empty.WriteJSON(&b); err != nil || b.String() != "[]\n" {
		t.Errorf("empty JSON = %q, %v", b.String(), err)
	}
	b.Reset()
	if err := empty.WriteText(&b); err != nil || !strings.HasSuffix(b.String(), "\n(0 rows)\n") {
		t.Errorf("empty text = %q, %v", b.String(), err)
	}
	some, err := db.QueryTable(t.Context(), "SELECT i FROM range(5) AS r(i) ORDER BY i", 2)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := some.WriteText(&b); err != nil || b.String() != "i\n-\n0\n1\n(5 rows, first 2 shown)\n" {
		t.Errorf("truncated text = %q, %v", b.String(), err)
	}
}

// TestClientsReference rebuilds data/clients.csv of the R reference
// (pipeline/stats/testdata/reference) from its sessions.csv: the sessions are written to a
// Parquet file with lineage columns added (by DuckDB, on a scratch database), opened as a
// one-commit lake, and the clients view must give every value of the reference (derived in R
// by make_reference.R, first_last()).
func TestClientsReference(t *testing.T) {
	t.Parallel()
	ref := filepath.Join("..", "stats", "testdata", "reference", "data")
	sessionsCSV, err := filepath.Abs(filepath.Join(ref, "sessions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	file := writeParquet(t, scratch(t), t.TempDir(), "sessions.parquet", `
SELECT * EXCLUDE (line), CAST(1 AS INTEGER) AS schema_version, 'reference' AS source_sha256,
  CAST(line AS BIGINT) AS source_line, CAST(1 AS BIGINT) AS commit_version
FROM (SELECT *, row_number() OVER () + 1 AS line
      FROM read_csv(`+literal(sessionsCSV)+`, header = true,
        types = {'client_key': 'VARCHAR', 'practitioner_key': 'VARCHAR', 'adverse_event_type': 'VARCHAR'}))`)
	db := openDB(t, Snapshot{Version: 1, SessionsFiles: []string{file}}, Options{})

	want := readCSV(t, filepath.Join(ref, "clients.csv"))
	header, want := want[0], want[1:]
	sort.Slice(want, func(i, j int) bool { return want[i][1]+want[i][0] < want[j][1]+want[j][0] })
	got := queryStrings(t, db, "SELECT "+strings.Join(header, ", ")+
		" FROM clients ORDER BY practitioner_key, client_key")
	if len(got) != len(want) {
		t.Fatalf("clients has %d rows, reference %d", len(got), len(want))
	}
	for i := range want {
		for j, col := range header {
			g, w := got[i][j], want[i][j]
			if g == "NULL" {
				g = ""
			}
			if g != w && !sameNumber(g, w) {
				t.Errorf("client %s, %s: got %q, reference %q", want[i][0], col, g, w)
			}
		}
	}
	// Spot-check the columns the reference does not have.
	extra := queryStrings(t, db, `SELECT count(*) FILTER (WHERE pain_before_n > n_sessions OR first_session > last_session
  OR first_date > last_date OR sleep_hours_n <> 0), sum(n_sessions) FROM clients`)
	if extra[0][0] != "0" || extra[0][1] != "583" {
		t.Errorf("clients consistency: %v, want 0 bad rows and 583 sessions", extra[0])
	}
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
