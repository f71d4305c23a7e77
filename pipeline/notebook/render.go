package notebook

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/cstoutcomes/outcomes/internal/atomicfile"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// Format is an output format of a run.
type Format string

// The output formats.
const (
	HTML     Format = "html" // one self-contained HTML file
	Markdown Format = "md"   // Markdown with the result tables, for review in git
)

// Write renders r in format f to w.
func (r *Result) Write(w io.Writer, f Format) error {
	switch f {
	case HTML:
		return r.WriteHTML(w)
	case Markdown:
		return r.WriteMarkdown(w)
	}
	return fmt.Errorf("notebook: format %q: allowed: html, md", f)
}

// WriteFile renders r in format f to path atomically: a temporary file in the same
// directory is written, synced and renamed, and removed on error.
func WriteFile(path string, r *Result, f Format) error {
	var b bytes.Buffer
	if err := r.Write(&b, f); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b.Bytes(), 0o644)
}

// ---- Markdown text and parameters ----

// checkTemplates executes every Markdown block's {{ .param }} references with the values
// Check would bind, so that a reference to an undeclared parameter is a syntax error.
func (nb *Notebook) checkTemplates() error {
	vals := nb.checkValues()
	for _, b := range nb.Blocks {
		if b.Cell != nil {
			continue
		}
		if _, err := expand(b.Markdown, vals); err != nil {
			line := b.Line
			if m := templateLine.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				line += n - 1
			}
			return nb.errorf(line, "{{ }} in Markdown: %v (%s)", err, nb.declared())
		}
	}
	return nil
}

// templateLine finds the line in a text/template error.
var templateLine = regexp.MustCompile(`template: markdown:(\d+)`)

// expand fills {{ .name }} in Markdown text with the parameters' values, each escaped so
// that Markdown shows it as literal text: the characters that start emphasis, code, links,
// images, HTML, entities, tables, headings and strikethrough get a backslash (CommonMark
// section 2.4) and line ends become spaces. A value can thus add neither a link nor HTML.
func expand(md string, vals []Value) (string, error) {
	if !strings.Contains(md, "{{") {
		return md, nil
	}
	t, err := texttemplate.New("markdown").Option("missingkey=error").Parse(md)
	if err != nil {
		return "", err
	}
	data := make(map[string]string, len(vals))
	for _, v := range vals {
		data[v.Name] = escapeMarkdown(v.Text)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// escapeMarkdown makes s literal text in CommonMark.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>&|!#~", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// markdownHTML renders Markdown to HTML with goldmark: CommonMark and tables. Raw HTML is
// not passed through (goldmark's default), dangerous link schemes are dropped, and images
// that are not data: URLs become their alt text, so that the page makes no request.
var markdownHTML = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(noRemoteImages{}, 100))),
)

// noRemoteImages replaces images with their alt text unless their source is a data: URL.
type noRemoteImages struct{}

func (noRemoteImages) Transform(doc *ast.Document, reader gtext.Reader, pc parser.Context) {
	var imgs []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !bytes.HasPrefix(img.Destination, []byte("data:")) {
			imgs = append(imgs, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range imgs {
		alt := "[image: " + string(img.Text(reader.Source())) + "]" //nolint:staticcheck // alt text
		img.Parent().ReplaceChild(img.Parent(), img, ast.NewString([]byte(alt)))
	}
}

// ---- HTML ----

// WriteHTML renders r as one self-contained HTML page: inline CSS, charts as inline SVG,
// each cell's SQL in a <details> element, tables of the first max_rows rows with the total.
// It needs no script and makes no request. The output depends only on r.
func (r *Result) WriteHTML(w io.Writer) error {
	page, err := r.htmlPage()
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, page)
}

type htmlPage struct {
	Title, Description, File string
	Version                  int64
	Params                   []Value
	Blocks                   []htmlBlock
}

type htmlBlock struct {
	Text template.HTML // rendered Markdown
	Cell *htmlCell
}

type htmlCell struct {
	*Cell
	Table   *duck.Table
	Chart   template.HTML
	Caption string
	Numeric []bool
	Count   string
}

// htmlPage builds the template's data.
func (r *Result) htmlPage() (*htmlPage, error) {
	nb := r.Notebook
	page := &htmlPage{Title: title(nb), Description: nb.Description, File: filepath.Base(nb.File), Version: r.Version, Params: r.Params}
	cells := map[*Cell]*CellResult{}
	for _, c := range r.Cells {
		cells[c.Cell] = c
	}
	for _, b := range nb.Blocks {
		if b.Cell == nil {
			md, err := expand(b.Markdown, r.Params)
			if err != nil {
				return nil, nb.errorf(b.Line, "{{ }} in Markdown: %v", err)
			}
			var out bytes.Buffer
			if err := markdownHTML.Convert([]byte(md), &out); err != nil {
				return nil, err
			}
			page.Blocks = append(page.Blocks, htmlBlock{Text: template.HTML(out.String())}) //nolint:gosec // goldmark escapes, raw HTML omitted
			continue
		}
		cr := cells[b.Cell]
		if cr == nil {
			continue
		}
		hc := &htmlCell{Cell: b.Cell, Table: cr.Table, Count: countText(cr), Caption: caption(b.Cell.Chart, cr.Table)}
		hc.Chart = template.HTML(cr.Chart) //nolint:gosec // gonum/plot's SVG escapes all text
		for _, t := range cr.Table.Types {
			hc.Numeric = append(hc.Numeric, numericType(t))
		}
		page.Blocks = append(page.Blocks, htmlBlock{Cell: hc})
	}
	return page, nil
}

// title is the notebook's title, or its file name.
func title(nb *Notebook) string {
	if nb.Title != "" {
		return nb.Title
	}
	return filepath.Base(nb.File)
}

// countText says how many rows the result has and how many are shown.
func countText(cr *CellResult) string {
	t := cr.Table
	switch {
	case t.Total == 1:
		return "1 row"
	case int64(len(t.Rows)) < t.Total:
		return fmt.Sprintf("first %s of %s rows", thousands(int64(len(t.Rows))), thousands(t.Total))
	}
	return thousands(t.Total) + " rows"
}

// thousands formats n with commas: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// caption describes a chart: what is drawn, by what, and from how many rows.
func caption(ch *Chart, t *duck.Table) string {
	if ch == nil {
		return ""
	}
	var s string
	if ch.Kind == "histogram" {
		s = fmt.Sprintf("Histogram of %s (%d bins)", ch.X, ch.Bins)
	} else {
		s = fmt.Sprintf("%s chart of %s by %s", strings.ToUpper(ch.Kind[:1])+ch.Kind[1:], ch.Y, ch.X)
	}
	if ch.Group != "" {
		s += ", one series per " + ch.Group
	}
	return fmt.Sprintf("%s; %s.", s, thousands(t.Total)+" rows")
}

// numericType reports whether a DuckDB type is a number (right-aligned in tables).
func numericType(t string) bool {
	for _, p := range []string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"cell": func(v any, typ string) string { return duck.FormatValue(v, typ) },
	"null": func(v any) bool { return v == nil },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
.meta,.count,figcaption{color:#555;font-size:.9rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.null{color:#999}
.table-wrap{overflow-x:auto}
details{margin:.5rem 0}
summary{cursor:pointer;color:#0072B2}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:.85rem}
figure{margin:1rem 0}
svg{max-width:100%;height:auto}
section.cell{border-left:3px solid #56B4E9;padding-left:.8rem;margin:1.2rem 0}
@media print{details{display:none}section.cell{border:0;padding:0}}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
{{- if .Description}}
<p>{{.Description}}</p>
{{- end}}
<p class="meta">Notebook {{.File}} over lake version {{.Version}}.</p>
{{- if .Params}}
<table class="params">
<thead><tr><th>parameter</th><th>type</th><th>value</th><th>description</th></tr></thead>
<tbody>
{{- range .Params}}
<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Text}}</td><td>{{.Description}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
</header>
{{- range .Blocks}}
{{- if .Text}}
<section class="text">
{{.Text}}</section>
{{- end}}
{{- with .Cell}}
<section class="cell" id="cell-{{.Line}}">
{{- if not .Hide}}
<details><summary>SQL{{if .Name}}: table {{.Name}}{{end}} (line {{.Line}})</summary>
<pre><code>{{.SQL}}</code></pre>
</details>
{{- end}}
{{- if .Chart}}
<figure>
{{.Chart}}<figcaption>{{.Caption}}</figcaption>
</figure>
{{- end}}
{{- if and (not .Hide) (gt .MaxRows 0)}}
{{- $num := .Numeric}}{{$types := .Table.Types}}
<div class="table-wrap">
<table>
<thead><tr>{{range .Table.Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Table.Rows}}
<tr>{{range $i, $v := .}}{{if null $v}}<td class="null"></td>{{else if index $num $i}}<td class="num">{{cell $v (index $types $i)}}</td>{{else}}<td>{{cell $v (index $types $i)}}</td>{{end}}{{end}}</tr>
{{- end}}
</tbody>
</table>
</div>
<p class="count">{{.Count}}</p>
{{- end}}
</section>
{{- end}}
{{- end}}
</main>
</body>
</html>
`

// ---- Markdown ----

// WriteMarkdown renders r as Markdown for review in git: the title, the parameters, the
// notebook's text with parameters filled in, each cell's SQL (unless hidden) and its result
// as a table of the first max_rows rows with the total. Charts are named, not drawn. The
// output depends only on r.
func (r *Result) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	nb := r.Notebook
	fmt.Fprintf(&b, "# %s\n\n", title(nb))
	if nb.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", nb.Description)
	}
	fmt.Fprintf(&b, "Notebook %s over lake version %d.\n\n", filepath.Base(nb.File), r.Version)
	if len(r.Params) > 0 {
		b.WriteString("| parameter | type | value |\n|---|---|---|\n")
		for _, v := range r.Params {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", v.Name, v.Type, tableText(v.Text))
		}
		b.WriteString("\n")
	}
	cells := map[*Cell]*CellResult{}
	for _, c := range r.Cells {
		cells[c.Cell] = c
	}
	for _, blk := range nb.Blocks {
		if blk.Cell == nil {
			md, err := expand(blk.Markdown, r.Params)
			if err != nil {
				return nb.errorf(blk.Line, "{{ }} in Markdown: %v", err)
			}
			fmt.Fprintf(&b, "%s\n\n", strings.Trim(md, "\n"))
			continue
		}
		if cr := cells[blk.Cell]; cr != nil {
			writeMarkdownCell(&b, cr)
		}
	}
	_, err := w.Write(bytes.TrimRight(b.Bytes(), "\n"))
	if err == nil {
		_, err = io.WriteString(w, "\n")
	}
	return err
}

// writeMarkdownCell writes one cell's SQL, chart note and table.
func writeMarkdownCell(b *bytes.Buffer, cr *CellResult) {
	c := cr.Cell
	if !c.Hide {
		f := "```"
		for strings.Contains(c.SQL, f) {
			f += "`"
		}
		fmt.Fprintf(b, "%s%s\n%s\n%s\n\n", f, c.Info, c.SQL, f)
	}
	if c.Chart != nil {
		fmt.Fprintf(b, "*%s (drawn in the HTML output)*\n\n", caption(c.Chart, cr.Table))
	}
	if c.Hide || c.MaxRows == 0 {
		return
	}
	t := cr.Table
	b.WriteString("|")
	for _, col := range t.Columns {
		fmt.Fprintf(b, " %s |", tableText(col))
	}
	b.WriteString("\n|")
	for _, typ := range t.Types {
		if numericType(typ) {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for i, v := range row {
			fmt.Fprintf(b, " %s |", tableText(duck.FormatValue(v, t.Types[i])))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "\n*%s*\n\n", countText(cr))
}

// tableText makes a value safe in a Markdown table cell: pipes and the characters that
// start markup or HTML are escaped, line ends become spaces.
func tableText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case strings.ContainsRune("\\|<>[]*`", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
