package notebook

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// TestHostileParameters: a parameter value is bound, never pasted into SQL, so SQL in a
// value is only text: the query returns rows, the value comes back verbatim, and nothing
// is dropped.
func TestHostileParameters(t *testing.T) {
	db := openDB(t)
	const src = "---\nparams:\n  s: {type: string, default: x}\n---\n" +
		"```sql\nSELECT $s AS v, (SELECT count(*) FROM sessions WHERE presenting_complaint = $s) AS n\n```\n" +
		"```sql name=x\nSELECT $s AS v\n```\n" +
		"```sql\nSELECT (SELECT count(*) FROM sessions) > 0 AS sessions_left, (SELECT v FROM x) AS v\n```\n"
	for _, hostile := range []string{
		"'; DROP TABLE x; --",
		"x'); DROP VIEW sessions; --",
		`" OR 1=1 --`,
		"$s",
		"{{ .s }}",
	} {
		res, err := runText(t, db, src, map[string]string{"s": hostile})
		if err != nil {
			t.Fatalf("%q: %v", hostile, err)
		}
		if got := res.Cells[0].Table.Rows; len(got) != 1 || got[0][0] != hostile || got[0][1] != int64(0) {
			t.Errorf("%q: first cell rows %v, want the value back and 0 sessions", hostile, got)
		}
		if got := res.Cells[2].Table.Rows; len(got) != 1 || got[0][0] != true || got[0][1] != hostile {
			t.Errorf("%q: after the run %v, want sessions intact and table x holding the value", hostile, got)
		}
	}
}

func TestTypedParameters(t *testing.T) {
	db := openDB(t)
	const src = "---\nparams:\n  since: {type: date, default: 2025-01-01}\n  n: {type: int, default: 3}\n  f: {type: float, default: 0.25}\n  b: {type: bool, default: true}\n---\n" +
		"```sql\nSELECT count(*) FILTER (WHERE session_date >= $since) AS after, count(*) FILTER (WHERE session_date < $since) AS before,\n" +
		"  $n + 1 AS n1, $f * 2 AS f2, NOT $b AS nb FROM sessions\n```\n"
	res, err := runText(t, db, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := res.Cells[0].Table.Rows[0]
	if row[0].(int64) == 0 || row[1].(int64) == 0 {
		t.Errorf("date parameter: %v sessions after, %v before 2025-01-01: want both > 0", row[0], row[1])
	}
	if duck.FormatValue(row[2], "") != "4" || duck.FormatValue(row[3], "") != "0.5" || row[4] != false {
		t.Errorf("int, float, bool parameters: %v", row[2:])
	}
}

// TestCellErrors: a failing cell stops the run with the file, the right line and DuckDB's
// message; a write is refused.
func TestCellErrors(t *testing.T) {
	db := openDB(t)
	for _, tc := range []struct {
		name, src string
		line      int
		is        error
		msg       string
	}{
		{"unknown column on the third line", "# T\n\n```sql\nSELECT\n  client_key,\n  no_such_column\nFROM sessions\n```\n", 6, duck.ErrInvalidQuery, "no_such_column"},
		{"syntax", "```sql\nSELECT 1\n```\n\n```sql\nSELEC 2\n```\n", 6, duck.ErrInvalidQuery, "syntax error"},
		{"write", "```sql\nDROP VIEW sessions\n```\n", 1, duck.ErrReadOnly, "read-only"},
		{"write in a named cell", "```sql name=t\nDELETE FROM commits\n```\n", 1, duck.ErrReadOnly, "read-only"},
		{"copy", "```sql\nCOPY (SELECT 1) TO 'out.csv'\n```\n", 1, duck.ErrReadOnly, "read-only"},
		{"second statement", "```sql\nSELECT 1; DROP VIEW sessions\n```\n", 1, duck.ErrReadOnly, "read-only"},
		{"outside file", "```sql\nSELECT * FROM read_csv('/etc/passwd')\n```\n", 2, duck.ErrAccessDenied, ""},
		{"undeclared parameter", "```sql\nSELECT 1\nWHERE 1 = $nope\n```\n", 3, ErrUnknownParam, "$nope"},
		{"positional parameter", "```sql\nSELECT ?\n```\n", 1, ErrUnknownParam, "$1"},
		{"chart column", "```sql chart=line x=a y=b\nSELECT 1 AS a\n```\n", 1, nil, "chart y=b: the cell has no such column (its columns: a)"},
		{"chart column, parameter in the query", "---\nparams:\n  n: {type: int, default: 1}\n---\n```sql chart=line x=a y=b\nSELECT $n + 1 AS a\n```\n", 5, nil, "chart y=b: the cell has no such column (its columns: a)"},
		{"runtime error in a named cell", "```sql name=t\nSELECT 1 AS a,\n  CAST(presenting_complaint AS INTEGER) AS b\nFROM sessions\n```\n", 3, duck.ErrInvalidQuery, "Conversion Error"},
		{"runtime error", "```sql\nSELECT CAST('x' AS INTEGER)\n```\n", 2, duck.ErrInvalidQuery, "Conversion Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runText(t, db, tc.src, nil)
			var ce *CellError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *CellError", err)
			}
			if ce.File != "test.md" || ce.Line != tc.line || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q at line %d, want line %d, %v, %q", err, ce.Line, tc.line, tc.is, tc.msg)
			}
			if want := "test.md:"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q: want it to start with %q", err, want)
			}
		})
	}
	// The refusals changed nothing.
	res, err := runText(t, db, "```sql\nSELECT count(*) AS n FROM sessions\n```\n", nil)
	if err != nil || res.Cells[0].Table.Rows[0][0].(int64) == 0 {
		t.Errorf("sessions after the refusals: %v", err)
	}
}

// TestNamedCells: name= makes a table later cells query; max_rows keeps the first rows and
// the total.
func TestNamedCells(t *testing.T) {
	db := openDB(t)
	const src = "```sql name=per_modality max_rows=2\nSELECT modality, count(*) AS n FROM sessions GROUP BY modality ORDER BY modality\n```\n" +
		"```sql\nSELECT count(*) AS modalities, sum(n) AS sessions FROM per_modality\n```\n"
	res, err := runText(t, db, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := res.Cells[0].Table
	if len(first.Rows) != 2 || first.Total != 3 || first.Rows[0][0] != "CST" {
		t.Errorf("named cell: %d rows shown of %d, first %v", len(first.Rows), first.Total, first.Rows)
	}
	if got := res.Cells[1].Table.Rows[0][0]; got != int64(3) {
		t.Errorf("later cell sees %v modalities, want 3", got)
	}
}

func TestCheck(t *testing.T) {
	db := openDB(t)
	nb := mustParse(t, "---\nparams:\n  since: {type: date}\n---\n"+
		"```sql name=recent\nSELECT * FROM sessions WHERE session_date >= $since\n```\n"+
		"```sql chart=histogram x=pain_before\nSELECT pain_before FROM recent\n```\n")
	if err := Check(t.Context(), db, nb); err != nil {
		t.Fatal(err)
	}
	if got := queryCount(t, db, "SELECT count(*) FROM recent"); got != 0 {
		t.Errorf("check filled the named table with %d rows, want it empty", got)
	}
	bad := mustParse(t, "```sql\nSELECT 1\n```\n\n```sql\nSELECT nope\nFROM sessions\n```\n")
	var ce *CellError
	if err := Check(t.Context(), db, bad); !errors.As(err, &ce) || ce.Line != 6 {
		t.Errorf("Check of a bad notebook: %v, want a CellError at line 6", err)
	}
}

func queryCount(t *testing.T, db *duck.DB, q string) int64 {
	t.Helper()
	tab, err := db.QueryTable(t.Context(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tab.Rows[0][0].(int64)
}

// TestChartDeterministic: the same result draws the same SVG bytes, for every kind, with no
// embedded font, script or external reference.
func TestChartDeterministic(t *testing.T) {
	db := openDB(t)
	const src = "```sql chart=line x=session_number y=m group=modality\nSELECT modality, session_number, avg(pain_before) AS m FROM sessions GROUP BY ALL ORDER BY ALL\n```\n" +
		"```sql chart=scatter x=session_date y=pain_before\nSELECT session_date, pain_before FROM sessions ORDER BY ALL\n```\n" +
		"```sql chart=bar x=adverse_event y=n group=modality\nSELECT modality, adverse_event, count(*) AS n FROM sessions GROUP BY ALL ORDER BY ALL\n```\n" +
		"```sql chart=histogram x=pain_before bins=11\nSELECT pain_before FROM sessions\n```\n"
	a, err := runText(t, db, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := runText(t, db, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Cells {
		svg := a.Cells[i].Chart
		if !bytes.HasPrefix(svg, []byte("<svg")) || !bytes.Equal(svg, b.Cells[i].Chart) {
			t.Errorf("cell %d: two runs drew different SVGs (or no <svg>)", i+1)
		}
		for _, bad := range []string{"@font-face", "<script", "href=\"http", "url(", "<image"} {
			if bytes.Contains(svg, []byte(bad)) {
				t.Errorf("cell %d: the SVG contains %q", i+1, bad)
			}
		}
	}
	var h1, h2 bytes.Buffer
	if err := a.WriteHTML(&h1); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteHTML(&h2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h1.Bytes(), h2.Bytes()) {
		t.Error("two renders of the same notebook differ")
	}
}
