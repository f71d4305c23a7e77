package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
)

func init() { register(newGenCommand) }

// genOptions are the flags of `outcomes gen`.
type genOptions struct {
	clients       int
	practitioners int
	seed          uint64
	format        string
	output        string
	badShare      float64
	delimiter     string
	bom, crlf     bool
	extraColumns  bool
}

// AddFlags adds the flags of the command to f.
func (o *genOptions) AddFlags(f *pflag.FlagSet) {
	f.IntVar(&o.clients, "clients", 500, "number of clients (each has 1 to 12 sessions)")
	f.IntVar(&o.practitioners, "practitioners", 0, "number of practitioners (default: clients/10, at least 3)")
	f.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed and flags give the same file")
	f.StringVar(&o.format, "format", "auto", "output format: csv, jsonl, parquet, xlsx (auto: from the -o extension)")
	f.StringVarP(&o.output, "output", "o", "", "file to write (required)")
	f.Float64Var(&o.badShare, "bad-share", 0, "share of rows given a realistic error, 0 to 1")
	f.StringVar(&o.delimiter, "delimiter", ",", `csv: field delimiter: "," ";" or "\t"`)
	f.BoolVar(&o.bom, "bom", false, "csv: start with a UTF-8 byte-order mark, as Excel does")
	f.BoolVar(&o.crlf, "crlf", false, `csv: end lines with "\r\n", as Windows programs do`)
	f.BoolVar(&o.extraColumns, "extra-columns", false, `add a PII-looking "client_name" and a free-text "notes" column`)
}

func newGenCommand(g *globalOptions) *cobra.Command {
	o := &genOptions{}
	cmd := &cobra.Command{
		Use:   "gen --clients N --seed S --format csv|jsonl|parquet|xlsx -o FILE",
		Short: "Write a synthetic practitioners' export",
		Long: `Write a synthetic export of treatment sessions with the structure of real data:
practitioners with different caseloads, clients with 1 to 12 sessions before today, pain,
sleep, headache, HIT-6 and MYMOP scores that improve on average with noise, missing values,
a few adverse events and about 2% consent refusals. The data is made up: no real person
is in it.

--bad-share F gives that share of rows a realistic error (out-of-range values, typos in
vocabularies, future or impossible dates, duplicated and conflicting rows, swapped
columns, missing required values, adverse events without a type), for testing the
ingest's quarantine. Sessions are dated before --today (the global flag: default
$OUTCOMES_TODAY, else the day the command runs); the same seed, flags and --today give the
same file.

The file is written whole or not at all (a temporary file, then a rename).

EXIT STATUS
  0 written; 1 the file could not be written; 2 a flag is invalid.`,
		Example: `  outcomes gen --clients 500 --seed 1 -o sessions.csv
  outcomes gen --clients 500 --seed 1 --delimiter ';' --bom --crlf -o excel-export.csv
  outcomes gen --clients 200 --seed 7 --bad-share 0.2 -o sessions-errors.csv
  outcomes gen --clients 180000 --seed 1 --format parquet -o sessions.parquet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			today, err := g.date()
			if err != nil {
				return err
			}
			return runGen(cmd.Context(), o, today, g.stdout)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// runGen checks the options, writes the file and prints one summary line to stdout.
func runGen(ctx context.Context, o *genOptions, today time.Time, stdout io.Writer) error {
	format, cfg, err := o.config(today)
	if err != nil {
		return err
	}
	st, err := synth.WriteFile(ctx, o.output, format, cfg)
	if err != nil {
		return fmt.Errorf("gen %s: %w", o.output, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d rows, %d clients, %d practitioners%s\n",
		o.output, st.Rows, st.Clients, st.Practitioners, faultSummary(st.Faults))
	return nil
}

// config turns the flags into the format and generator configuration; every error is a
// usage error that names the flag.
func (o *genOptions) config(today time.Time) (source.Format, synth.Config, error) {
	cfg := synth.Config{
		Clients: o.clients, Practitioners: o.practitioners, Seed: o.seed, BadShare: o.badShare,
		Today: today, ExtraColumns: o.extraColumns,
	}
	switch {
	case o.output == "":
		return "", cfg, exit.Usagef("-o FILE is required")
	case o.clients <= 0:
		return "", cfg, exit.Usagef("--clients %d: want a positive number", o.clients)
	case o.practitioners < 0:
		return "", cfg, exit.Usagef("--practitioners %d: want 0 (automatic) or more", o.practitioners)
	case !(o.badShare >= 0 && o.badShare <= 1):
		return "", cfg, exit.Usagef("--bad-share %g: want a share from 0 to 1", o.badShare)
	}
	format, err := o.outputFormat()
	if err != nil {
		return "", cfg, err
	}
	cfg.CSV, err = o.dialect(format)
	return format, cfg, err
}

// outputFormat returns --format, or the format the output's extension names.
func (o *genOptions) outputFormat() (source.Format, error) {
	f := source.Format(strings.ToLower(o.format))
	if f == "auto" || f == "" {
		if f = source.FormatOf(o.output); f == "" {
			return "", exit.Usagef("--format: cannot tell the format from %q; use --format csv, jsonl, parquet or xlsx", o.output)
		}
	}
	if !slices.Contains(source.Formats, f) {
		return "", exit.Usagef("--format %q: allowed: csv, jsonl, parquet, xlsx", o.format)
	}
	return f, nil
}

// dialect returns the CSV layout the flags ask for; the CSV-only flags are refused for
// other formats rather than ignored.
func (o *genOptions) dialect(f source.Format) (synth.CSVDialect, error) {
	d := synth.CSVDialect{BOM: o.bom, CRLF: o.crlf}
	switch strings.ReplaceAll(strings.ToLower(o.delimiter), `\t`, "\t") {
	case ",", "":
		d.Delimiter = ','
	case ";":
		d.Delimiter = ';'
	case "\t", "tab":
		d.Delimiter = '\t'
	default:
		return d, exit.Usagef(`--delimiter %q: allowed: "," ";" "\t"`, o.delimiter)
	}
	if f != source.FormatCSV && (o.bom || o.crlf || d.Delimiter != ',') {
		return d, exit.Usagef("--delimiter, --bom and --crlf apply to csv only, not %s", f)
	}
	return d, nil
}

// faultSummary lists the injected errors by kind, in the order synth.Faults gives them.
func faultSummary(counts map[synth.Fault]int) string {
	var parts []string
	total := 0
	for _, f := range synth.Faults {
		if n := counts[f]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", f, n))
			total += n
		}
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("; %d rows with injected errors (%s)", total, strings.Join(parts, ", "))
}
