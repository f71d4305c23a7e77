package notebook

import (
	"strings"
	"testing"
)

// FuzzParse checks Parse's invariants on any input: no panic; every cell lies within the
// file, with SQL that is not empty and has no {{ and no trailing ;, and a name and chart the
// options allow; every block's line is within the file.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("```sql name=t chart=bar x=a y=b max_rows=3 hide\nSELECT 1 AS a, 2 AS b;\n```\n")
	f.Add("---\nparams:\n  n: {type: int, default: 1}\n---\n{{ .n }}\n````sql\nSELECT '```'\n````\n")
	f.Add("~~~sql\nSELECT 1\n~~~\n   ```sql\nSELECT 2\n   ```\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		nb, err := Parse("fuzz.md", []byte(src))
		if err != nil {
			return
		}
		lines := len(splitLines(src))
		for _, b := range nb.Blocks {
			if b.Line < 1 || b.Line > lines {
				t.Errorf("block at line %d of %d", b.Line, lines)
			}
		}
		for _, c := range nb.Cells() {
			if c.Line < 1 || c.SQLLine <= c.Line || c.SQLLine > lines {
				t.Errorf("cell at line %d, SQL at %d, of %d lines", c.Line, c.SQLLine, lines)
			}
			if c.SQL == "" || strings.Contains(c.SQL, "{{") || strings.HasSuffix(c.SQL, ";") {
				t.Errorf("cell SQL %q", c.SQL)
			}
			if c.Name != "" && (!tableName.MatchString(c.Name) || lakeViews[c.Name]) {
				t.Errorf("cell name %q", c.Name)
			}
			if c.Chart != nil {
				ch := *c.Chart
				if err := ch.check(); err != nil {
					t.Errorf("chart %+v: %v", ch, err)
				}
			}
		}
	})
}
