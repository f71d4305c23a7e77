package notebook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// DefaultChartRows is how many rows of a result a chart reads when Options.ChartRows is 0.
const DefaultChartRows = 100_000

// Options configure a run.
type Options struct {
	// ChartRows is the most rows a chart draws (the first ones, in the query's order);
	// 0 means DefaultChartRows.
	ChartRows int
	// Logger receives a debug record per cell; nil discards them.
	Logger *slog.Logger
}

// Result is a notebook run: every cell's result, ready to render.
type Result struct {
	Notebook *Notebook
	Params   []Value
	Version  int64         // the lake version the cells read
	Cells    []*CellResult // in the order of Notebook.Cells
}

// CellResult is one cell's outcome.
type CellResult struct {
	Cell  *Cell
	Table *duck.Table // the first Cell.MaxRows rows and the total count
	Chart []byte      // the chart as an SVG element, nil when the cell has none
}

// CellError is a cell that failed: the notebook file, the line (the line DuckDB names within
// the cell's SQL, else the cell's opening fence) and the cause, such as a *duck.QueryError
// with DuckDB's message. It prints as file:line: message.
type CellError struct {
	File string
	Line int
	Err  error
}

func (e *CellError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *CellError) Unwrap() error { return e.Err }

// ErrUnknownParam is a cell that uses a $name the front matter does not declare, or a
// positional parameter (? or $1).
var ErrUnknownParam = errors.New("unknown parameter")

// RunFile parses the notebook at path, binds params (name → text, over the defaults; see
// [Notebook.Bind]) and runs it over db: the entry point for `outcomes notebook run` and
// the nightly run. Render the result with [Result.WriteHTML], [Result.WriteMarkdown] or
// [WriteFile].
func RunFile(ctx context.Context, db *duck.DB, path string, params map[string]string, opt Options) (*Result, error) {
	nb, err := ParseFile(path)
	if err != nil {
		return nil, err
	}
	vals, err := nb.Bind(params)
	if err != nil {
		return nil, err
	}
	return Run(ctx, db, nb, vals, opt)
}

// Run runs every cell of nb in order over db with the parameter values vals (from
// [Notebook.Bind]). A cell with name= stores its result as a table later cells can query.
// The first cell that fails stops the run with a *CellError.
//
// The tables name= creates stay in db until it is closed: give each notebook a DB of its
// own, so that one notebook cannot read (or replace) another's. Over a large lake open the
// DB with duck.Options.Materialize, so that the lake is read once rather than once per cell.
func Run(ctx context.Context, db *duck.DB, nb *Notebook, vals []Value, opt Options) (*Result, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	chartRows := opt.ChartRows
	if chartRows <= 0 {
		chartRows = DefaultChartRows
	}
	res := &Result{Notebook: nb, Params: vals, Version: db.Version()}
	for _, c := range nb.Cells() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		cr, err := runCell(ctx, db, nb, c, vals, chartRows)
		if err != nil {
			return nil, err
		}
		log.Debug("notebook cell", "file", nb.File, "line", c.Line, "rows", cr.Table.Total, "duration", time.Since(start))
		res.Cells = append(res.Cells, cr)
	}
	return res, nil
}

// runCell runs one cell and draws its chart.
func runCell(ctx context.Context, db *duck.DB, nb *Notebook, c *Cell, vals []Value, chartRows int) (*CellResult, error) {
	args, err := prepare(ctx, db, nb, c, vals)
	if err != nil {
		return nil, err
	}
	query := c.SQL
	if c.Name != "" {
		if err := db.CreateTable(ctx, c.Name, c.SQL, args...); err != nil {
			return nil, nb.cellErrorAt(c, err, createLines)
		}
		query, args = "FROM "+c.Name, nil // c.Name is a checked plain name
	}
	limit := max(c.MaxRows, 1)
	if c.Chart != nil {
		limit = max(limit, chartRows)
	}
	tab, err := db.QueryTable(ctx, query, limit, args...)
	if err != nil {
		return nil, nb.cellError(c, err)
	}
	cr := &CellResult{Cell: c, Table: tab}
	if c.Chart != nil {
		if err := c.Chart.checkColumns(tab.Columns); err != nil {
			return nil, &CellError{File: nb.File, Line: c.Line, Err: err}
		}
		if cr.Chart, err = drawChart(c.Chart, tab); err != nil {
			return nil, &CellError{File: nb.File, Line: c.Line, Err: fmt.Errorf("chart: %w", err)}
		}
	}
	if len(tab.Rows) > c.MaxRows {
		tab.Rows = tab.Rows[:c.MaxRows]
	}
	return cr, nil
}

// Check parses and prepares every cell of nb over db without running it: syntax, tables and
// columns, the parameters each cell names, the chart's columns. A cell with name= is
// stored as an empty table of the same columns (its query wrapped in LIMIT 0), so that later
// cells that query it can be prepared too. Parameters without a default are bound as their
// type's zero value.
func Check(ctx context.Context, db *duck.DB, nb *Notebook) error {
	vals := nb.checkValues()
	for _, c := range nb.Cells() {
		args, err := prepare(ctx, db, nb, c, vals)
		if err != nil {
			return err
		}
		if c.Name == "" {
			continue
		}
		if err := db.CreateTable(ctx, c.Name, "SELECT * FROM (\n"+c.SQL+"\n) LIMIT 0", args...); err != nil {
			return nb.cellErrorAt(c, err, createLines+1)
		}
	}
	return nil
}

// checkValues are the values Check binds: the defaults, or the type's zero value.
func (nb *Notebook) checkValues() []Value {
	zero := map[ParamType]string{String: "", Int: "0", Float: "0", Bool: "false", Date: "2000-01-01"}
	vals := make([]Value, len(nb.Params))
	for i, p := range nb.Params {
		text := p.Default
		if !p.HasDefault {
			text = zero[p.Type]
		}
		v, _ := p.Parse(text) // defaults were checked by Parse
		vals[i] = Value{Param: p, Text: text, Value: v}
	}
	return vals
}

// prepare checks a cell without running it and returns the arguments to run it with: the
// values of exactly the parameters it names.
func prepare(ctx context.Context, db *duck.DB, nb *Notebook, c *Cell, vals []Value) ([]any, error) {
	p, err := db.Prepare(ctx, c.SQL)
	if err != nil {
		return nil, nb.cellError(c, err)
	}
	var args []any
	for _, name := range p.Params {
		i := slices.IndexFunc(vals, func(v Value) bool { return v.Name == name })
		if i < 0 {
			return nil, &CellError{File: nb.File, Line: paramLine(c, name), Err: fmt.Errorf("%w $%s: %s", ErrUnknownParam, name, nb.declared())}
		}
		args = append(args, sql.Named(name, vals[i].Value))
	}
	if c.Chart != nil && p.Columns != nil { // else the run checks them on the result
		if err := c.Chart.checkColumns(p.Columns); err != nil {
			return nil, &CellError{File: nb.File, Line: c.Line, Err: err}
		}
	}
	return args, nil
}

// paramLine returns the line of the cell where $name first appears (the fence line if the
// text does not show it, as for a positional ?).
func paramLine(c *Cell, name string) int {
	re := regexp.MustCompile(`\$` + regexp.QuoteMeta(name) + `\b`)
	if loc := re.FindStringIndex(c.SQL); loc != nil {
		return c.SQLLine + strings.Count(c.SQL[:loc[0]], "\n")
	}
	return c.Line
}

// checkColumns checks that the chart's columns are among the query's.
func (ch *Chart) checkColumns(cols []string) error {
	for _, o := range []struct{ key, col string }{{"x", ch.X}, {"y", ch.Y}, {"group", ch.Group}} {
		if o.col != "" && !slices.Contains(cols, o.col) {
			return fmt.Errorf("chart %s=%s: the cell has no such column (its columns: %s)", o.key, o.col, strings.Join(cols, ", "))
		}
	}
	return nil
}

// duckLine finds DuckDB's "LINE n:" pointer in an error message.
var duckLine = regexp.MustCompile(`\bLINE (\d+):`)

// createLines is how many lines duck.DB.CreateTable writes before the query it stores
// ("CREATE OR REPLACE TABLE t AS (" and a line end), which DuckDB's LINE n counts.
const createLines = 1

// cellError wraps err with the cell's position: the line DuckDB points at, when its message
// has one within the cell, else the cell's opening fence.
func (nb *Notebook) cellError(c *Cell, err error) error { return nb.cellErrorAt(c, err, 0) }

// cellErrorAt is cellError for an error of a statement that has skip lines of its own
// before the cell's SQL.
func (nb *Notebook) cellErrorAt(c *Cell, err error, skip int) error {
	line := c.Line
	if m := duckLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		n -= skip
		if n >= 1 && n <= strings.Count(c.SQL, "\n")+1 {
			line = c.SQLLine + n - 1
		}
	}
	return &CellError{File: nb.File, Line: line, Err: err}
}
