// Package notebook runs researchers' notebooks: Markdown files with SQL cells, run in batch
// over a lake snapshot into one self-contained HTML page or into Markdown for review in git
// (DESIGN.md section 9). `outcomes notebook run|check` and the nightly run call it; it
// reaches the lake only through a [duck.DB], whose read-only checks every cell goes through.
//
// # The format
//
// A notebook is CommonMark text with optional YAML front matter between --- lines:
//
//	---
//	title: Pain trajectories by complaint
//	description: Mean pain before each session.
//	params:
//	  min_clients: {type: int, default: 10, description: smallest group shown}
//	  since: {type: date, default: 2024-01-01}
//	---
//	Groups of at least {{ .min_clients }} clients.
//
//	```sql name=traj chart=line x=session_number y=mean_pain group=presenting_complaint
//	SELECT presenting_complaint, session_number, avg(pain_before) AS mean_pain
//	FROM sessions WHERE session_date >= $since
//	GROUP BY ALL HAVING count(*) >= $min_clients ORDER BY ALL
//	```
//
// Front matter keys are title, description and params (any other key is an error). Each
// parameter has a type (string, the default; int; float; bool; date as YYYY-MM-DD), an
// optional default (without one, the run must give a value) and a description; they keep
// the order they are written in.
//
// A cell is a fenced block at the top level (indented at most three spaces) whose info
// string starts with the word sql; a ```sql block inside another fence, list or quote is
// text. One statement per cell; a trailing ; is dropped. The options after sql are:
//
//	name=T        the result is stored as table T (lower case, digits, _; not a lake view),
//	              which later cells can query; a name is used once per notebook
//	chart=K       K is line, bar, scatter or histogram, drawn from the result with x=COL,
//	              y=COL (not for histogram) and optionally group=COL (one series per value,
//	              at most 32; not for histogram) and bins=N (histogram, default 20)
//	max_rows=N    the table shows the first N rows (default 1,000; 0: no table);
//	              the total count is always given
//	hide          the cell runs, but neither its SQL nor its table is shown (a chart is)
//
// Cells run in file order; rows keep the query's order, so a query whose output must be
// deterministic ends in ORDER BY on a unique key.
//
// # Parameters and safety
//
// In SQL a parameter is $name. It is bound by DuckDB as a prepared-statement parameter of
// the parameter's Go type ([ParamType]), never pasted into the text, so a value such as
// '; DROP TABLE x; -- is only a string (tested). Each cell is prepared first
// ([duck.DB.Prepare]) and bound with exactly the parameters DuckDB finds in it: a $name the
// front matter does not declare, or a positional ? or $1, is an error ([ErrUnknownParam]),
// not a value bound by position. {{ .name }} is allowed in Markdown text only (a cell that
// contains {{ is a syntax error): there the value is escaped so that Markdown shows it as
// literal text, and the HTML renderer escapes it again. Values from -p are checked against
// their type before anything runs ([Notebook.Bind], [ParamError]).
//
// Every cell goes through pipeline/duck's read-only checks: a statement that writes is
// refused, no file outside the snapshot can be read, and no setting can change. The one
// write is name=, through [duck.DB.CreateTable], which writes the CREATE statement itself.
//
// # Errors
//
// A notebook that does not parse gives a [*SyntaxError]; a failing cell stops the run with a
// [*CellError]; both print as file:line: message. The line of a cell error is the line
// DuckDB points at (its "LINE n:" within the cell's SQL) when it names one, else the
// cell's opening fence; the message is DuckDB's own.
//
// # Running and checking
//
// [RunFile] (or [Parse], [Notebook.Bind] and [Run]) runs every cell and returns a [Result].
// [Check] prepares every cell without running it; a named cell becomes an empty table of
// its columns (its query under LIMIT 0), so that later cells that use it can be prepared.
//
// # Rendering
//
// [Result.WriteHTML] writes one self-contained page: inline CSS, the Markdown rendered by
// goldmark (CommonMark and tables; raw HTML omitted, dangerous link schemes dropped, images
// other than data: URLs replaced by their alt text), each cell's SQL in a <details>
// element, its table (first max_rows rows and the total) and its chart as inline SVG. It
// needs no script and makes no request. Charts are gonum/plot SVG in the Okabe–Ito colours
// (then dashes or glyph shapes after eight series), with the column names as axis labels,
// Liberation Sans (Arial's metrics, with Arial and sans-serif named as fallbacks) and the
// legend beside the data; fonts are not embedded. A chart draws the first
// Options.ChartRows rows of the result (default [DefaultChartRows]), whatever max_rows is. [Result.WriteMarkdown] writes the text,
// the SQL in fences and the tables as Markdown tables, and names each chart. Both depend
// only on the Result: the same snapshot, notebook and parameters give the same bytes (no
// clock time appears). [WriteFile] writes either atomically.
package notebook
