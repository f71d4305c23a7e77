package notebook

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// DefaultMaxRows is how many rows of a result a rendered table shows when the cell does not
// say (max_rows=).
const DefaultMaxRows = 1000

// Notebook is a parsed notebook: its front matter and its blocks in file order.
type Notebook struct {
	File        string // the file name, as given, for messages
	Title       string
	Description string
	Params      []Param // in the order the front matter lists them
	Blocks      []Block
}

// Block is a piece of the notebook: Markdown text, or (when Cell is set) one SQL cell.
type Block struct {
	Line     int    // the block's first line in the file (1-based)
	Markdown string // the text, when Cell is nil
	Cell     *Cell
}

// Cell is one fenced ```sql block.
type Cell struct {
	Line    int    // the line of the opening fence
	SQLLine int    // the line of the first line of SQL
	SQL     string // the cell's text, without the fences and a trailing ;
	Info    string // the fence's info string: sql and the options, as written
	Name    string // name=: the result becomes a table later cells can query
	Chart   *Chart // chart=: nil when the cell has no chart
	MaxRows int    // max_rows=: rows shown in the table (DefaultMaxRows when not given)
	Hide    bool   // hide: run the cell but show neither its SQL nor its table (a chart still shows)
}

// Chart is what a cell's chart= option asks for.
type Chart struct {
	Kind  string // line, bar, scatter or histogram
	X, Y  string // column names; Y is empty for a histogram
	Group string // optional: one series per value of this column
	Bins  int    // histogram bins (bins=, default 20)
}

// SyntaxError is a notebook that cannot be parsed: the file and line, and what is wrong.
type SyntaxError struct {
	File string
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *SyntaxError) Unwrap() error { return e.Err }

// ParseFile reads and parses the notebook at path.
func ParseFile(path string) (*Notebook, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse parses a notebook; file names it in errors.
func Parse(file string, src []byte) (*Notebook, error) {
	nb := &Notebook{File: file}
	lines := splitLines(string(src))
	body, err := nb.parseFrontMatter(lines)
	if err != nil {
		return nil, err
	}
	if err := nb.parseBody(lines, body); err != nil {
		return nil, err
	}
	return nb, nil
}

// splitLines splits text into lines without their line ends (\n or \r\n).
func splitLines(s string) []string {
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (nb *Notebook) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: nb.File, Line: line, Err: fmt.Errorf(format, args...)}
}

// frontMatter is the YAML between the --- lines at the top of the file.
type frontMatter struct {
	Title       string    `yaml:"title"`
	Description string    `yaml:"description"`
	Params      yaml.Node `yaml:"params"`
}

// paramSpec is one entry of params:.
type paramSpec struct {
	Type        string    `yaml:"type"`
	Default     yaml.Node `yaml:"default"`
	Description string    `yaml:"description"`
}

// parseFrontMatter reads the front matter, if any, and returns the index of the first line
// of the body.
func (nb *Notebook) parseFrontMatter(lines []string) (int, error) {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 0, nil
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, nb.errorf(1, "front matter: no closing --- line")
	}
	var fm frontMatter
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines[1:end], "\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return 0, nb.errorf(yamlLine(err), "front matter: %v", yamlMessage(err))
	}
	nb.Title, nb.Description = fm.Title, fm.Description
	if err := nb.parseParams(&fm.Params); err != nil {
		return 0, err
	}
	return end + 1, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine returns the file line of a YAML error (the front matter starts at line 2).
func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n + 1
	}
	return 1
}

// yamlMessage drops yaml.v3's "yaml: " prefix and makes its line numbers file lines.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return yamlLineRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
		return "line " + strconv.Itoa(n+1)
	})
}

// paramName is the form of a parameter name: it is used as $name in SQL.
var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// parseParams reads params: a mapping from name to {type, default, description}, kept in
// file order.
func (nb *Notebook) parseParams(n *yaml.Node) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return nb.errorf(n.Line+1, "params: want a mapping of name: {type, default, description}")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		line := key.Line + 1
		name := key.Value
		if !paramName.MatchString(name) {
			return nb.errorf(line, "params: name %q: want lower case letters, digits and underscores, starting with a letter", name)
		}
		if seen[name] {
			return nb.errorf(line, "params: %s listed twice", name)
		}
		seen[name] = true
		var spec paramSpec
		if err := val.Decode(&spec); err != nil {
			return nb.errorf(line, "params: %s: %v", name, yamlMessage(err))
		}
		p, err := newParam(name, spec)
		if err != nil {
			return nb.errorf(line, "params: %w", err)
		}
		nb.Params = append(nb.Params, p)
	}
	return nil
}

// fence is an opening or closing code fence line.
var fence = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")

// parseBody splits the lines from start into Markdown blocks and SQL cells. Only fenced
// blocks at the top level (indented at most three spaces) whose info string starts with
// the word sql are cells; other fenced blocks stay Markdown, whatever they contain.
func (nb *Notebook) parseBody(lines []string, start int) error {
	text, textLine := []string(nil), start+1
	flush := func() {
		if s := strings.TrimSpace(strings.Join(text, "\n")); s != "" {
			nb.Blocks = append(nb.Blocks, Block{Line: textLine, Markdown: strings.Join(text, "\n")})
		}
		text = nil
	}
	for i := start; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m != nil && m[1][0] == '`' && strings.Contains(m[2], "`") {
			m = nil // not a fence (CommonMark 4.5): an info string cannot hold a backtick
		}
		if m == nil {
			if text == nil {
				textLine = i + 1
			}
			text = append(text, lines[i])
			continue
		}
		end := closingFence(lines, i+1, m[1])
		info := strings.Fields(m[2])
		if len(info) == 0 || info[0] != "sql" {
			if text == nil {
				textLine = i + 1
			}
			text = append(text, lines[i:min(end+1, len(lines))]...)
			i = end
			continue
		}
		flush()
		if end >= len(lines) {
			return nb.errorf(i+1, "sql cell: no closing %s fence", m[1])
		}
		cell, err := nb.parseCell(i+1, info[1:], lines[i+1:end])
		if err != nil {
			return err
		}
		cell.Info = strings.Join(info, " ")
		nb.Blocks = append(nb.Blocks, Block{Line: i + 1, Cell: cell})
		i = end
	}
	flush()
	if err := nb.checkNames(); err != nil {
		return err
	}
	return nb.checkTemplates()
}

// closingFence returns the index of the line that closes a fence opened with open, or
// len(lines) when none does (CommonMark: the block then runs to the end of the file).
func closingFence(lines []string, from int, open string) int {
	for j := from; j < len(lines); j++ {
		m := fence.FindStringSubmatch(lines[j])
		if m != nil && m[1][0] == open[0] && len(m[1]) >= len(open) && strings.TrimSpace(m[2]) == "" {
			return j
		}
	}
	return len(lines)
}

// parseCell reads a cell's options (the info string after sql) and its SQL.
func (nb *Notebook) parseCell(line int, opts []string, body []string) (*Cell, error) {
	c := &Cell{Line: line, SQLLine: line + 1, MaxRows: DefaultMaxRows}
	for len(body) > 0 && strings.TrimSpace(body[0]) == "" {
		body, c.SQLLine = body[1:], c.SQLLine+1
	}
	// A trailing ; is dropped: the cell's query may be wrapped (name= stores it as a table).
	c.SQL = strings.TrimRight(strings.Join(body, "\n"), " \t\n;")
	if c.SQL == "" {
		return nil, nb.errorf(line, "sql cell is empty")
	}
	if i := strings.Index(c.SQL, "{{"); i >= 0 {
		return nil, nb.errorf(c.SQLLine+strings.Count(c.SQL[:i], "\n"),
			"sql cell: {{ ... }} is for Markdown text only: write $name to use parameter name in SQL (it is bound, never pasted)")
	}
	var chart Chart
	for _, o := range opts {
		if err := c.setOption(&chart, o); err != nil {
			return nil, nb.errorf(line, "sql cell option %q: %w", o, err)
		}
	}
	if chart.Kind != "" || chart.X != "" || chart.Y != "" || chart.Group != "" || chart.Bins != 0 {
		if err := chart.check(); err != nil {
			return nil, nb.errorf(line, "sql cell: %w", err)
		}
		c.Chart = &chart
	}
	return c, nil
}

// tableName is the form of a name= option (as pipeline/duck's CreateTable accepts it).
var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// lakeViews are the names a cell cannot take.
var lakeViews = map[string]bool{"sessions": true, "quarantine": true, "commits": true, "clients": true}

// setOption applies one key=value (or hide) option of a cell.
func (c *Cell) setOption(chart *Chart, o string) error {
	if o == "hide" {
		c.Hide = true
		return nil
	}
	key, val, ok := strings.Cut(o, "=")
	if !ok || val == "" {
		return errors.New("want key=value (name, chart, x, y, group, bins, max_rows) or hide")
	}
	switch key {
	case "name":
		if !tableName.MatchString(val) || lakeViews[val] {
			return errors.New("want lower case letters, digits and underscores, not one of sessions, quarantine, commits, clients")
		}
		c.Name = val
	case "chart":
		chart.Kind = val
	case "x":
		chart.X = val
	case "y":
		chart.Y = val
	case "group":
		chart.Group = val
	case "bins":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 500 {
			return errors.New("want a number of bins from 1 to 500")
		}
		chart.Bins = n
	case "max_rows":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return errors.New("want 0 (no table) or a positive number of rows")
		}
		c.MaxRows = n
	default:
		return errors.New("unknown option; allowed: name, chart, x, y, group, bins, max_rows, hide")
	}
	return nil
}

// check validates the chart options together.
func (ch *Chart) check() error {
	switch ch.Kind {
	case "line", "bar", "scatter":
		if ch.X == "" || ch.Y == "" {
			return fmt.Errorf("chart=%s needs x= and y= columns", ch.Kind)
		}
		if ch.Bins != 0 {
			return errors.New("bins= is for chart=histogram only")
		}
	case "histogram":
		if ch.X == "" || ch.Y != "" || ch.Group != "" {
			return errors.New("chart=histogram takes x= (the column whose values are counted), without y= or group=")
		}
		if ch.Bins == 0 {
			ch.Bins = 20
		}
	case "":
		return errors.New("x=, y=, group= and bins= need chart=line|bar|scatter|histogram")
	default:
		return fmt.Errorf("chart=%s: allowed: line, bar, scatter, histogram", ch.Kind)
	}
	return nil
}

// checkNames refuses a notebook where a cell's name= is used twice.
func (nb *Notebook) checkNames() error {
	seen := map[string]int{}
	for _, b := range nb.Blocks {
		if b.Cell == nil || b.Cell.Name == "" {
			continue
		}
		if prev, ok := seen[b.Cell.Name]; ok {
			return nb.errorf(b.Line, "sql cell: name=%s is already the name of the cell at line %d", b.Cell.Name, prev)
		}
		seen[b.Cell.Name] = b.Line
	}
	return nil
}

// Cells returns the notebook's cells in order.
func (nb *Notebook) Cells() []*Cell {
	var cells []*Cell
	for _, b := range nb.Blocks {
		if b.Cell != nil {
			cells = append(cells, b.Cell)
		}
	}
	return cells
}

// Load is ParseFile for a notebook a person named (a command's argument, outcomes.yaml's
// notebooks): a notebook that does not parse, or is not there, is a usage error (exit 2,
// internal/exit).
func Load(path string) (*Notebook, error) {
	nb, err := ParseFile(path)
	var se *SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, exit.Mark(err, exit.ErrUsage)
	case errors.Is(err, os.ErrNotExist):
		return nil, exit.Usagef("notebook: %w", err)
	}
	return nb, err
}
