package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/notebook"
)

func init() { register(newNotebookCommand) }

// notebookOptions are the flags of `outcomes notebook run` and `check`.
type notebookOptions struct {
	params []string
	out    string
	asOf   int64
	format string
}

func newNotebookCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notebook",
		Short: "Run Markdown notebooks with SQL cells over the lake into HTML or Markdown",
		Long: `Notebooks are Markdown files with YAML front matter and fenced sql cells, run in order over
the lake views (sessions, quarantine, commits, clients; see "outcomes sql --help").

  ---
  title: Pain by session
  description: Mean pain before each session, per complaint.
  params:
    min_clients: {type: int, default: 5, description: smallest group shown}
  ---
  Groups with at least {{ .min_clients }} clients.

  ` + "```sql name=traj chart=line x=session_number y=mean_pain group=presenting_complaint" + `
  SELECT presenting_complaint, session_number, avg(pain_before) AS mean_pain
  FROM sessions GROUP BY ALL HAVING count(*) >= $min_clients ORDER BY ALL
  ` + "```" + `

Parameter types: string, int, float, bool, date (YYYY-MM-DD). In SQL a parameter is $name,
bound by DuckDB and never pasted into the text; {{ .name }} is for Markdown text only.
Cell options: name=T (the result becomes table T for later cells), chart=line|bar|scatter|
histogram with x=, y=, group= (columns) and bins=, max_rows=N (rows shown, default 1000;
the total is always given), hide (run, but show neither SQL nor table).`,
	}
	cmd.AddCommand(newNotebookRunCommand(g), newNotebookCheckCommand(g))
	return cmd
}

func newNotebookRunCommand(g *globalOptions) *cobra.Command {
	var o notebookOptions
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run every cell of a notebook and render the result",
		Long: `Run every cell of the notebook FILE in order over a lake snapshot, in a read-only database, and
render the text, each cell's SQL (collapsible), its result table and its chart into one
self-contained HTML file (inline CSS and SVG, no script, no external request), or with
--format md into Markdown with the result tables, for review in git. The output goes to -o
(written under a temporary name and renamed), else to stdout. The same snapshot, notebook
and parameters give the same bytes.

A failing cell stops the run with the notebook's file and line and DuckDB's message.

EXIT STATUS
  0 done; 1 a cell failed, or I/O; 2 usage error: a notebook that does not parse, an unknown
  parameter or a value not of its type, an unknown --as-of version.`,
		Example: `  outcomes notebook run notebooks/trajectories.md -o trajectories.html
  outcomes notebook run notebooks/safety.md -p min_sessions=50 --format md -o safety.md
  outcomes notebook run notebooks/caseload.md --as-of 3 > caseload-v3.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exit.Usagef("notebook run takes one notebook FILE (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNotebook(cmd.Context(), g, o, args[0])
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *notebookOptions) AddFlags(f *pflag.FlagSet) {
	f.StringArrayVarP(&o.params, "param", "p", nil, "set parameter name=value (repeatable)")
	f.StringVarP(&o.out, "out", "o", "", "output file (default stdout)")
	f.Int64Var(&o.asOf, "as-of", 0, "run over lake version `N`, as `outcomes lake log` numbers them; 0 = the latest")
	f.StringVar(&o.format, "format", "html", "output format: html or md")
}

func newNotebookCheckCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Parse a notebook and prepare every cell without running it",
		Long: `Parse the notebook FILE and prepare every cell over the latest lake snapshot without running
it: the front matter, the cell options, SQL syntax, tables and columns, the parameters each
cell uses and the chart's columns. A cell with name= becomes an empty table of its columns, so
that later cells that use it are checked too.

EXIT STATUS
  0 the notebook is fine; 1 a cell does not prepare (file:line: DuckDB's message), or I/O;
  2 the notebook does not parse.`,
		Example: `  outcomes notebook check notebooks/trajectories.md`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exit.Usagef("notebook check takes one notebook FILE (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return checkNotebook(cmd.Context(), g, args[0])
		},
	}
	return cmd
}

// runNotebook runs the notebook at path and writes its rendering to o.out or stdout.
func runNotebook(ctx context.Context, g *globalOptions, o notebookOptions, path string) (err error) {
	format := notebook.Format(o.format)
	if format != notebook.HTML && format != notebook.Markdown {
		return exit.Usagef("--format %q: allowed: html, md", o.format)
	}
	nb, err := parseNotebook(path)
	if err != nil {
		return err
	}
	given, err := notebook.ParseAssignments(o.params)
	if err != nil {
		return exit.Usagef("-p: %w", err)
	}
	vals, err := nb.Bind(given)
	if err != nil {
		return exit.Usagef("-p: %w", err)
	}
	log, err := g.logger()
	if err != nil {
		return err
	}
	// Materialised views: the lake is read once, not once per cell (a 50-cell notebook over
	// a million sessions runs in about a sixth of the time; bench/notebook).
	db, err := openDuckWith(ctx, g, o.asOf, duck.Options{Materialize: true})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	res, err := notebook.Run(ctx, db, nb, vals, notebook.Options{Logger: log})
	if err != nil {
		return err
	}
	if o.out == "" {
		return res.Write(g.stdout, format)
	}
	if err := notebook.WriteFile(o.out, res, format); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s: %d cells over lake version %d written to %s\n", path, len(res.Cells), res.Version, o.out)
	return nil
}

// checkNotebook parses and prepares the notebook at path.
func checkNotebook(ctx context.Context, g *globalOptions, path string) (err error) {
	nb, err := parseNotebook(path)
	if err != nil {
		return err
	}
	db, err := openDuck(ctx, g, 0)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if err := notebook.Check(ctx, db, nb); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s: %d cells prepared over lake version %d\n", path, len(nb.Cells()), db.Version())
	return nil
}

// parseNotebook reads a notebook; a notebook that does not parse is a usage error (exit 2).
func parseNotebook(path string) (*notebook.Notebook, error) { return notebook.Load(path) }
