package notebook

import (
	"bytes"
	"strings"
	"testing"
)

// TestChartEdgeCases: empty results, one row, NULLs and constant values draw a chart (or a
// clear error), never a panic.
func TestChartEdgeCases(t *testing.T) {
	db := openDB(t)
	for _, tc := range []struct {
		name, src, err string
	}{
		{"empty line", "```sql chart=line x=a y=b\nSELECT 1 AS a, 2 AS b WHERE false\n```\n", ""},
		{"empty bar", "```sql chart=bar x=a y=b group=g\nSELECT 'x' AS a, 2 AS b, 'g' AS g WHERE false\n```\n", ""},
		{"empty histogram", "```sql chart=histogram x=a\nSELECT 1 AS a WHERE false\n```\n", ""},
		{"one point", "```sql chart=scatter x=a y=b\nSELECT 1 AS a, 2 AS b\n```\n", ""},
		{"constant histogram", "```sql chart=histogram x=a\nSELECT 3 AS a FROM range(10)\n```\n", ""},
		{"nulls", "```sql chart=line x=a y=b\nSELECT * FROM (VALUES (1, NULL), (2, 3.5), (NULL, 1)) t(a, b)\n```\n", ""},
		{"nan and infinity", "```sql chart=line x=a y=b\nSELECT * FROM (VALUES (1, 'nan'::DOUBLE), (2, 'inf'::DOUBLE), (3, 1.0)) t(a, b)\n```\n", ""},
		{"hugeint and decimal", "```sql chart=bar x=a y=b\nSELECT 'x' AS a, sum(i)::HUGEINT AS b FROM range(5) r(i) UNION ALL SELECT 'y', 2.50::DECIMAL(4,2) ORDER BY a\n```\n", ""},
		{"text on a line chart", "```sql chart=line x=a y=b\nSELECT 'x' AS a, 1 AS b\n```\n", "no numbers to draw"},
		{"text as a bar height", "```sql chart=bar x=a y=b\nSELECT 'x' AS a, 'y' AS b\n```\n", "no numbers to draw"},
		{"too many groups", "```sql chart=line x=a y=a group=g\nSELECT i AS a, i AS g FROM range(40) r(i)\n```\n", "more than 32 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := runText(t, db, tc.src, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(res.Cells[0].Chart, []byte("<svg")) {
				t.Errorf("no <svg>: %.100q", res.Cells[0].Chart)
			}
		})
	}
}
