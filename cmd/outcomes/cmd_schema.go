package main

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/ingest"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
)

func init() { register(newSchemaCommand) }

func newSchemaCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Show the session schema, or check files against it without ingesting",
	}
	cmd.AddCommand(newSchemaShowCommand(g), newSchemaCheckCommand(g))
	return cmd
}

func newSchemaShowCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show [VERSION]",
		Short: "Print a schema version (default: the latest) as embedded in the binary",
		Example: `  outcomes schema show
  outcomes schema show 1`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := schemaVersion(args)
			if err != nil {
				return err
			}
			return s.Describe(g.stdout)
		},
	}
}

// schemaVersion returns the schema that args name (none: the latest).
func schemaVersion(args []string) (*schema.Schema, error) {
	if len(args) == 0 {
		return schema.Latest(), nil
	}
	v, err := strconv.Atoi(args[0])
	if err != nil {
		return nil, exit.Usagef("schema version %q: want a number such as 1", args[0])
	}
	s, err := schema.Load(v)
	if err != nil {
		return nil, exit.Usagef("schema version %d: %v (versions: %v)", v, err, schema.Versions())
	}
	return s, nil
}

func newSchemaCheckCommand(g *globalOptions) *cobra.Command {
	var o readOptions
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Validate exports without writing anything; print the same report as ingest",
		Long: `Read and validate each file exactly as ingest would, and print the same report, without
writing anything and without needing a workspace or key.

EXIT STATUS
  0 every row is valid; 2 usage error; 3 rows would be quarantined or a file was rejected.`,
		Example: `  outcomes schema check visits.csv
  outcomes schema check --encoding windows-1252 --delimiter ';' export.csv
  outcomes schema check --date-format dd/mm/yyyy export.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSchemaCheck(cmd.Context(), g, &o, args)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// runSchemaCheck validates each file as ingest would and prints its report.
func runSchemaCheck(ctx context.Context, g *globalOptions, o *readOptions, args []string) error {
	today, err := g.date()
	if err != nil {
		return err
	}
	opt, err := o.ingestOptions(today)
	if err != nil {
		return err
	}
	files, err := expandFiles(args)
	if err != nil {
		return err
	}
	var reports []*ingest.Report
	for _, f := range files {
		rep, err := ingest.File(ctx, f, opt)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
		if err := printReport(g.stdout, rep, o.json); err != nil {
			return err
		}
	}
	return attention(reports, 0)
}
