package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newLakeCommand) }

func newLakeCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lake",
		Short: "Inspect and check the lake (status, log, verify)",
		Long: `The lake holds the tables sessions and quarantine as Apache Iceberg tables under
<workspace>/lake/warehouse. Each committed batch is a lake version, numbered 1, 2, 3...

These commands only read the lake: they do not take the workspace lock.`,
		Example: `  outcomes lake status
  outcomes lake log --json
  outcomes lake verify`,
	}
	cmd.AddCommand(newLakeStatusCommand(g), newLakeLogCommand(g), newLakeVerifyCommand(g))
	return cmd
}

func newLakeStatusCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the latest lake version and each table's snapshot, files, rows and bytes",
		Example: `  outcomes lake status
  outcomes --workspace /srv/outcomes lake status --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLake(cmd.Context(), g, func(l *lake.Lake) error {
				st, err := l.Status(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return writeLakeJSON(g.stdout, st)
				}
				return printStatus(g.stdout, st)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

func printStatus(w io.Writer, st *lake.Status) error {
	fmt.Fprintf(w, "lake %s\nversion %d\n\n", st.Dir, st.Version)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsnapshot\tfiles\trows\tbytes\t")
	for _, t := range st.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", t.Name, t.Snapshot, t.Files, t.Rows, t.Bytes)
	}
	return tw.Flush()
}

func newLakeLogCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List the lake versions, oldest first, with their sources and row counts",
		Long: `log prints one line per lake version: the version, its commit time (UTC), the operation,
the source file's name and the first 12 hex digits of its sha256, and the rows read,
accepted, quarantined and excluded. Any version can be read again with --as-of N.`,
		Example: `  outcomes lake log
  outcomes lake log --json | jq '.[] | select(.counts.quarantined > 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLake(cmd.Context(), g, func(l *lake.Lake) error {
				log, err := l.Log(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return writeLakeJSON(g.stdout, logJSON(log))
				}
				return printLog(g.stdout, log)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the log as a JSON array")
	return cmd
}

func printLog(w io.Writer, log []lake.Commit) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "version\ttime\toperation\tsource\tsha256\tread\taccepted\tquarantined\texcluded")
	for _, c := range log {
		op := c.Operation
		if c.Force {
			op += " (forced)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.12s\t%d\t%d\t%d\t%d\n", c.Version, c.Time.UTC().Format(time.RFC3339),
			op, c.Source.Name, c.Source.SHA256, c.Counts.Read, c.Counts.Accepted, c.Counts.Quarantined, c.Counts.Excluded)
	}
	return tw.Flush()
}

// commitJSON is a lake version in `lake log --json`; its keys are stable.
type commitJSON struct {
	Version            int64     `json:"version"`
	Time               time.Time `json:"time"`
	Operation          string    `json:"operation"`
	Force              bool      `json:"force"`
	Source             string    `json:"source"`
	SHA256             string    `json:"sha256"`
	Format             string    `json:"format"`
	SchemaVersion      int       `json:"schema_version"`
	Counts             countJSON `json:"counts"`
	SessionsSnapshot   int64     `json:"sessions_snapshot"`
	QuarantineSnapshot int64     `json:"quarantine_snapshot"`
	AddedFiles         int       `json:"added_files"`
	AddedRows          int64     `json:"added_rows"`
	AddedBytes         int64     `json:"added_bytes"`
}

type countJSON struct {
	Read        int64 `json:"read"`
	Accepted    int64 `json:"accepted"`
	Quarantined int64 `json:"quarantined"`
	Excluded    int64 `json:"excluded"`
	Violations  int64 `json:"violations"`
}

func logJSON(log []lake.Commit) []commitJSON {
	out := make([]commitJSON, 0, len(log))
	for _, c := range log {
		out = append(out, commitJSON{
			Version: c.Version, Time: c.Time.UTC(), Operation: c.Operation, Force: c.Force,
			Source: c.Source.Name, SHA256: c.Source.SHA256, Format: c.Source.Format, SchemaVersion: c.Source.SchemaVersion,
			Counts:           countJSON{c.Counts.Read, c.Counts.Accepted, c.Counts.Quarantined, c.Counts.Excluded, c.Counts.Violations},
			SessionsSnapshot: c.SessionsSnapshot, QuarantineSnapshot: c.QuarantineSnapshot,
			AddedFiles: c.AddedFiles, AddedRows: c.AddedRows, AddedBytes: c.AddedBytes,
		})
	}
	return out
}

// errVerify is returned when verify finds problems: a plain error, so exit status 1.
var errVerify = errors.New("lake verify failed")

func newLakeVerifyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Re-read every live data file and check it against the metadata and checksums",
		Long: `verify re-reads every data file of the latest lake version and checks that it exists, that its
size and row count are those in the Iceberg manifest, that its Parquet footer is readable and
that its sha256 is the one recorded when it was written; and that each version's checksum
file exists and its row counts match the version's counts. Each problem is printed on its own
line as FILE: PROBLEM.

EXIT STATUS
  0 the lake is intact; 1 a problem was found (or the lake could not be read).`,
		Example: `  outcomes lake verify`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLake(cmd.Context(), g, func(l *lake.Lake) error {
				problems, err := l.Verify(cmd.Context())
				if err != nil {
					return err
				}
				for _, p := range problems {
					fmt.Fprintln(g.stdout, p.String())
				}
				if len(problems) > 0 {
					return fmt.Errorf("%w: %d problem%s", errVerify, len(problems), lakePlural(len(problems)))
				}
				fmt.Fprintln(g.stdout, "ok")
				return nil
			})
		},
	}
}

func lakePlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// withLake opens the workspace's lake (without the lock: these commands only read), runs f
// and closes the lake.
func withLake(ctx context.Context, g *globalOptions, f func(*lake.Lake) error) (err error) {
	w, err := workspace.Open(workspace.Resolve(g.workspace))
	if err != nil {
		return err
	}
	log, err := g.logger()
	if err != nil {
		return err
	}
	l, err := lake.Open(ctx, w.LakeDir(), lake.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := l.Close(); err == nil {
			err = cerr
		}
	}()
	return f(l)
}

func writeLakeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
