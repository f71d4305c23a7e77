package notebook

import (
	"errors"
	"strings"
	"testing"
)

const sample = `---
title: Sample
description: A notebook for the tests.
params:
  complaint:
    type: string
    default: back_pain
  min_n: {type: int, default: 2}
  since: {type: date, default: 2000-01-01}
  share: {type: float, default: 0.5}
  strict: {type: bool, default: false}
---
# Intro

Clients with {{ .complaint }}.

~~~markdown
` + "```sql" + `
SELECT 'not a cell'
` + "```" + `
~~~

` + "```sql name=per_complaint chart=bar x=presenting_complaint y=n max_rows=5" + `

SELECT presenting_complaint, count(*) AS n
FROM sessions
GROUP BY ALL
ORDER BY presenting_complaint;
` + "```" + `

Text between.

` + "```sql hide" + `
SELECT * FROM per_complaint WHERE n >= $min_n ORDER BY presenting_complaint
` + "```" + `
`

func TestParse(t *testing.T) {
	nb, err := Parse("sample.md", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Title != "Sample" || nb.Description != "A notebook for the tests." {
		t.Errorf("title %q, description %q", nb.Title, nb.Description)
	}
	var names []string
	for _, p := range nb.Params {
		names = append(names, p.Name+":"+string(p.Type)+"="+p.Default)
	}
	if got, want := strings.Join(names, " "), "complaint:string=back_pain min_n:int=2 since:date=2000-01-01 share:float=0.5 strict:bool=false"; got != want {
		t.Errorf("params %s, want %s", got, want)
	}
	cells := nb.Cells()
	if len(cells) != 2 {
		t.Fatalf("%d cells, want 2 (a fence inside another fence is text)", len(cells))
	}
	c := cells[0]
	if c.Line != 23 || c.SQLLine != 25 || c.Name != "per_complaint" || c.MaxRows != 5 || c.Hide {
		t.Errorf("cell 1: line %d, sql line %d, name %q, max_rows %d, hide %v", c.Line, c.SQLLine, c.Name, c.MaxRows, c.Hide)
	}
	if strings.HasSuffix(c.SQL, ";") || !strings.HasPrefix(c.SQL, "SELECT presenting_complaint") {
		t.Errorf("cell 1 SQL %q: want the text without leading blank lines and the trailing ;", c.SQL)
	}
	if c.Chart == nil || *c.Chart != (Chart{Kind: "bar", X: "presenting_complaint", Y: "n"}) {
		t.Errorf("cell 1 chart %+v", c.Chart)
	}
	if c := cells[1]; c.Line != 33 || !c.Hide || c.MaxRows != DefaultMaxRows || c.Chart != nil {
		t.Errorf("cell 2: %+v", c)
	}
	if nb.Blocks[0].Line != 13 || !strings.HasPrefix(nb.Blocks[0].Markdown, "# Intro") {
		t.Errorf("first block: line %d %q", nb.Blocks[0].Line, nb.Blocks[0].Markdown)
	}
}

// TestParseErrors: every error names the line; the table is the list of what is refused.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"not a fence: a backtick in the info string", "```sql `x`\n\n```sql chart=nope\nSELECT 1\n```\n", 3, "chart=nope"},
		{"unclosed front matter", "---\ntitle: x\n", 1, "no closing ---"},
		{"unknown key", "---\ntitle: x\nauthor: y\n---\n", 3, "field author not found"},
		{"bad param type", "---\nparams:\n  n: {type: integer}\n---\n", 3, `type "integer": allowed`},
		{"bad default", "---\nparams:\n  n: {type: int, default: many}\n---\n", 3, `"many" is not an int`},
		{"bad param name", "---\nparams:\n  Min-N: {type: int}\n---\n", 3, "lower case letters"},
		{"unclosed cell", "text\n\n```sql\nSELECT 1\n", 3, "no closing ```"},
		{"empty cell", "```sql\n\n```\n", 1, "empty"},
		{"template in sql", "```sql\nSELECT 1\nWHERE x = '{{ .n }}'\n```\n", 3, "{{ ... }} is for Markdown text only"},
		{"unknown option", "```sql colour=red\nSELECT 1\n```\n", 1, "unknown option"},
		{"bad name", "```sql name=Bad-Name\nSELECT 1\n```\n", 1, "lower case"},
		{"lake view name", "```sql name=sessions\nSELECT 1\n```\n", 1, "not one of sessions"},
		{"chart without y", "```sql chart=line x=a\nSELECT 1\n```\n", 1, "needs x= and y="},
		{"unknown chart", "```sql chart=pie x=a y=b\nSELECT 1\n```\n", 1, "allowed: line, bar, scatter, histogram"},
		{"histogram with group", "```sql chart=histogram x=a group=b\nSELECT 1\n```\n", 1, "without y= or group="},
		{"x without chart", "```sql x=a\nSELECT 1\n```\n", 1, "need chart="},
		{"bad max_rows", "```sql max_rows=-1\nSELECT 1\n```\n", 1, "want 0"},
		{"name twice", "```sql name=t\nSELECT 1\n```\n\n```sql name=t\nSELECT 2\n```\n", 5, "already the name of the cell at line 1"},
		{"undeclared param in text", "---\nparams:\n  n: {type: int, default: 1}\n---\n\nHello\n{{ .m }}\n", 7, `map has no entry for key "m"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.md", []byte(tc.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "bad.md:") {
				t.Errorf("error %q (line %d), want line %d and %q", err, se.Line, tc.line, tc.msg)
			}
		})
	}
}

func TestBind(t *testing.T) {
	nb := mustParse(t, "---\nparams:\n  n: {type: int, default: 2}\n  since: {type: date}\n  ok: {type: bool, default: true}\n---\n")
	vals, err := nb.Bind(map[string]string{"since": "2024-02-29", "n": "7"})
	if err != nil {
		t.Fatal(err)
	}
	if vals[0].Value != int64(7) || vals[1].Text != "2024-02-29" || vals[2].Value != true {
		t.Errorf("values %+v", vals)
	}
	for _, tc := range []struct {
		name  string
		given map[string]string
		param string
		msg   string
	}{
		{"unknown", map[string]string{"since": "2024-01-01", "m": "1"}, "m", "unknown: the notebook declares n (int), since (date), ok (bool)"},
		{"not an int", map[string]string{"since": "2024-01-01", "n": "2.5"}, "n", `"2.5" is not an int`},
		{"not a date", map[string]string{"since": "2024-02-30"}, "since", "not a date"},
		{"not a bool", map[string]string{"since": "2024-01-01", "ok": "yes please"}, "ok", "not a bool"},
		{"missing", map[string]string{}, "since", "no default"},
	} {
		_, err := nb.Bind(tc.given)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Name != tc.param || !strings.Contains(err.Error(), tc.msg) || !errors.Is(err, ErrParam) {
			t.Errorf("%s: %v, want a ParamError for %s saying %q", tc.name, err, tc.param, tc.msg)
		}
	}
	if _, err := ParseAssignments([]string{"n=1", "n=2"}); err == nil {
		t.Error("a parameter given twice: no error")
	}
	if m, err := ParseAssignments([]string{"q=a=b", "e="}); err != nil || m["q"] != "a=b" || m["e"] != "" {
		t.Errorf("ParseAssignments = %v, %v", m, err)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	nb := mustParse(t, "---\nparams:\n  s: {type: string, default: x}\n---\nValue: {{ .s }}\n")
	vals, err := nb.Bind(map[string]string{"s": "<script>alert(1)</script> [link](javascript:x) ![i](http://e/x.png)\n# h"})
	if err != nil {
		t.Fatal(err)
	}
	md, err := expand(nb.Blocks[0].Markdown, vals)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := markdownHTML.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, bad := range []string{"<script", "<a ", "<img", "<h1"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered %q contains %q", got, bad)
		}
	}
	if !strings.Contains(got, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("rendered %q: want the value shown as text", got)
	}
}
