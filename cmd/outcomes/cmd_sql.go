package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

func init() { register(newSQLCommand) }

// sqlOptions are the flags of `outcomes sql`.
type sqlOptions struct {
	format  string
	asOf    int64
	maxRows int
}

// AddFlags adds the flags of the command to f.
func (o *sqlOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "table", "output format: table, csv or json")
	f.Int64Var(&o.asOf, "as-of", 0, "query lake version `N`, as `outcomes lake log` numbers them; 0 = the latest")
	f.IntVar(&o.maxRows, "max-rows", 0, "print at most N rows (the table format still counts them all); 0 = all")
}

func newSQLCommand(g *globalOptions) *cobra.Command {
	var o sqlOptions
	cmd := &cobra.Command{
		Use:   `sql "SELECT ..."`,
		Short: "Run a read-only SQL query over the lake views",
		Long: `Run one DuckDB SQL query over a lake snapshot and print the result. The query is one
statement: two separated by ; are an error, never run.

The views (one lake version; --as-of picks an earlier one):
  sessions    the current session rows, each (practitioner_key, client_key, session_number) once
  quarantine  one row per rule violation: source_name, source_line, "column", rule, message, ...
  commits     the lake log up to the snapshot: version, time (UTC), operation, source_name, counts
  clients     one row per client: n_sessions, first/last session and date, modality and complaint
              of the first session, and <measure>_first, <measure>_last, <measure>_n for
              pain_before, pain_after, sleep_quality, sleep_hours, headache_days, hit6, mymop_profile
"DESCRIBE sessions" lists a view's columns and types.

The command is read-only: SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN and PRAGMAs that only
read run; statements that write (COPY, CREATE, INSERT, ATTACH, SET, INSTALL, ...) are refused,
and no file outside the snapshot can be read. Rows come in DuckDB's order, which can change
between runs: end the query in ORDER BY when the order matters.

Formats: table (aligned columns, NULL shown as NULL, a final "(N rows)" line), csv (a header
row, RFC 4180 quoting, NULL as an empty field), json (an array of objects, keys in column order).

EXIT STATUS
  0 done; 1 failed (I/O, an unreadable lake file); 2 usage error, an invalid query, more than
  one statement, or a statement that writes.`,
		Example: `  outcomes sql "SELECT modality, count(*) AS sessions FROM sessions GROUP BY modality ORDER BY modality"
  outcomes sql --format csv "SELECT * FROM clients ORDER BY practitioner_key, client_key" > clients.csv
  outcomes sql --format json "SELECT rule, count(*) AS n FROM quarantine GROUP BY rule ORDER BY rule"
  outcomes sql --as-of 3 "SELECT version, time, source_name, rows_accepted FROM commits ORDER BY version"
  outcomes sql --max-rows 20 "SELECT * FROM sessions ORDER BY session_date, client_key, session_number"
  outcomes sql "DESCRIBE clients"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exit.Usagef(`sql takes one query, quoted: outcomes sql "SELECT ..." (got %d arguments)`, len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSQL(cmd.Context(), g, o, args[0])
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// runSQL runs query over the workspace's lake and writes the result to g.stdout.
func runSQL(ctx context.Context, g *globalOptions, o sqlOptions, query string) (err error) {
	write, err := o.writer()
	if err != nil {
		return err
	}
	if o.maxRows < 0 {
		return exit.Usagef("--max-rows %d: allowed: 0 (all rows) or more", o.maxRows)
	}
	db, err := openDuck(ctx, g, o.asOf)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	tab, err := db.QueryTable(ctx, query, o.maxRows)
	if err != nil {
		return sqlError(err)
	}
	return write(tab, g.stdout)
}

// writer returns the function that prints a table in the --format asked for.
func (o *sqlOptions) writer() (func(*duck.Table, io.Writer) error, error) {
	switch o.format {
	case "table":
		return (*duck.Table).WriteText, nil
	case "csv":
		return (*duck.Table).WriteCSV, nil
	case "json":
		return (*duck.Table).WriteJSON, nil
	}
	return nil, exit.Usagef("--format %q: allowed: table, csv, json", o.format)
}

// sqlError marks the errors the user can fix (a refused statement, an invalid query, a file
// outside the snapshot) as usage errors (exit 2); others stay failures.
func sqlError(err error) error {
	switch {
	case errors.Is(err, duck.ErrReadOnly):
		return exit.Usagef("the sql command is read-only: %w", err)
	case errors.Is(err, duck.ErrInvalidQuery), errors.Is(err, duck.ErrAccessDenied):
		return exit.Usagef("query: %w", err)
	}
	return err
}
