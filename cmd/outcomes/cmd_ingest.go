package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/internal/lock"
	"github.com/cstoutcomes/outcomes/pipeline/ingest"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

func init() { register(newIngestCommand) }

// readOptions are the flags that say how to read and report source files (ingest, schema check).
type readOptions struct {
	format, sheet, delimiter, encoding string
	dateFormat                         string
	json                               bool
}

// AddFlags adds the flags that say how to read sources to f.
func (o *readOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "auto", "source format: auto, csv, jsonl, parquet, xlsx")
	f.StringVar(&o.sheet, "sheet", "", "xlsx: the worksheet to read (default: the first)")
	f.StringVar(&o.delimiter, "delimiter", "", `csv: the field delimiter, e.g. ";" or "\t" (default: detected among , ; tab)`)
	f.StringVar(&o.encoding, "encoding", "utf-8", "csv/jsonl text encoding: utf-8, windows-1252, latin1")
	f.StringVar(&o.dateFormat, "date-format", "", `session_date format besides YYYY-MM-DD, e.g. dd/mm/yyyy, mm/dd/yyyy, dd.mm.yy or a Go layout (default: ingest.date_format)`)
	f.BoolVar(&o.json, "json", false, "print each file's report as one JSON object per line")
}

// ingestOptions checks the read flags and returns the ingest options they ask for, with
// today as the ingest date of the future-date rule.
func (o *readOptions) ingestOptions(today time.Time) (ingest.Options, error) {
	var opt ingest.Options
	switch o.format {
	case "auto", "csv", "jsonl", "parquet", "xlsx":
		opt.Source.Format = source.Format(o.format)
	default:
		return opt, exit.Usagef("--format %q: allowed: auto, csv, jsonl, parquet, xlsx", o.format)
	}
	if _, err := schema.DateLayout(o.dateFormat); err != nil {
		return opt, exit.Usagef("--date-format: %v", err)
	}
	opt.Validate.DateFormat = o.dateFormat
	switch d := strings.ReplaceAll(o.delimiter, `\t`, "\t"); {
	case d == "":
	case utf8.RuneCountInString(d) == 1 && d != `"` && d != "\n" && d != "\r":
		opt.Source.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return opt, exit.Usagef(`--delimiter %q: want one character, e.g. "," ";" or "\t"`, o.delimiter)
	}
	switch strings.ToLower(o.encoding) {
	case "utf-8", "utf8", "":
	case "windows-1252", "cp1252", "latin1", "iso-8859-1":
		opt.Source.Encoding = strings.ToLower(o.encoding)
	default:
		return opt, exit.Usagef("--encoding %q: allowed: utf-8, windows-1252, latin1", o.encoding)
	}
	opt.Source.Sheet = o.sheet
	opt.Validate.Today = today
	return opt, nil
}

type ingestOptions struct {
	read   readOptions
	dryRun bool
	force  bool
	keyFileFlag
}

func newIngestCommand(g *globalOptions) *cobra.Command {
	var o ingestOptions
	cmd := &cobra.Command{
		Use:   "ingest FILE|DIR...",
		Short: "Validate exports and append them to the lake, one commit per file",
		Long: `Read each export (CSV, JSON Lines, Parquet or Excel .xlsx), validate every row against the
schema (outcomes schema show), pseudonymise client and practitioner ids with the workspace key,
and append the file's accepted rows and its quarantined rows to the lake in one atomic commit.

Rows that break a rule are quarantined with the reason, one quarantine row per violation;
rows without research consent are excluded (counted, never stored); rows read = accepted +
quarantined + excluded, checked before every commit. Columns the schema does not know are never
stored. A file whose exact bytes were ingested before is skipped (--force ingests it again; rows
with the same practitioner, client and session number replace the earlier ones).
A directory stands for the files in it, in name order.

EXIT STATUS
  0 every file committed (or already ingested) with no quarantined row above
    quarantine.alert_share; 1 failed (nothing half-written is visible); 2 usage error;
  3 a file was rejected or its quarantined share is above quarantine.alert_share;
  75 another process holds the workspace lock.`,
		Example: `  outcomes ingest visits.csv
  outcomes ingest --delimiter ';' --encoding windows-1252 export.csv
  outcomes ingest --sheet Sessions clinic.xlsx
  outcomes ingest --date-format dd/mm/yyyy export.csv
  outcomes ingest --dry-run --json inbox/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIngest(cmd.Context(), g, &o, args)
		},
	}
	o.read.AddFlags(cmd.Flags())
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *ingestOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.dryRun, "dry-run", false, "validate and report, write nothing")
	f.BoolVar(&o.force, "force", false, "ingest a file again even if its exact bytes were ingested before")
	o.keyFileFlag.AddFlags(f)
}

func runIngest(ctx context.Context, g *globalOptions, o *ingestOptions, args []string) error {
	today, err := g.date()
	if err != nil {
		return err
	}
	opt, err := o.read.ingestOptions(today)
	if err != nil {
		return err
	}
	files, err := expandFiles(args)
	if err != nil {
		return err
	}
	w, log, err := g.openWorkspace()
	if err != nil {
		return err
	}
	key, err := w.Key(o.keyFile)
	if err != nil {
		return err
	}
	if !o.dryRun {
		lk, err := lock.Acquire(ctx, w.LockPath(), 0)
		if err != nil {
			return err
		}
		defer lk.Unlock()
	}
	l, err := lake.Open(ctx, w.LakeDir(), lake.Options{Logger: log})
	if err != nil {
		return err
	}
	defer l.Close()
	opt.Lake, opt.Hasher = l, pseudo.NewHasher(key)
	opt.DryRun, opt.Force, opt.Logger = o.dryRun, o.force, log
	if opt.Validate.DateFormat == "" {
		opt.Validate.DateFormat = w.Config.Ingest.DateFormat
	}
	reports, err := ingestFiles(ctx, g, opt, files, o.read.json)
	if err != nil {
		return err
	}
	return attention(reports, w.Config.Quarantine.AlertShare)
}

// ingestFiles ingests each file in turn with opt, logs and prints its report, and returns
// the reports.
func ingestFiles(ctx context.Context, g *globalOptions, opt ingest.Options, files []string, asJSON bool) ([]*ingest.Report, error) {
	var reports []*ingest.Report
	for _, f := range files {
		opt.Progress = progressFor(g, f)
		rep, err := ingest.File(ctx, f, opt)
		if err != nil {
			return reports, err
		}
		opt.Logger.Info("ingested", "file", f, "status", rep.Status, "rows_read", rep.RowsRead,
			"rows_accepted", rep.RowsAccepted, "rows_quarantined", rep.RowsQuarantined,
			"rows_excluded", rep.RowsExcluded, "snapshot", rep.Snapshot)
		reports = append(reports, rep)
		if err := printReport(g.stdout, rep, asJSON); err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// expandFiles replaces each directory argument by the regular files in it, in name order,
// skipping dotfiles and partial downloads (*.tmp, *.part). A directory with no file to
// ingest is a usage error: the user named it expecting files.
func expandFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, exit.Usagef("%v", err)
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		found, skipped := 0, 0
		for _, e := range entries {
			switch ingest.Classify(e) {
			case ingest.Ready:
				files = append(files, filepath.Join(a, e.Name()))
				found++
			case ingest.Partial, ingest.Hidden:
				if e.Type().IsRegular() { // a hidden directory is not a skipped file
					skipped++
				}
			}
		}
		switch {
		case found == 0 && skipped > 0:
			return nil, exit.Usagef("no files to ingest in %s: only hidden files or partial downloads (*.tmp, *.part), which are skipped", a)
		case found == 0:
			return nil, exit.Usagef("no files to ingest in %s", a)
		}
	}
	return files, nil
}

// attention returns an exit-3 error when a file was rejected or quarantined more than the
// alert share of its rows.
func attention(reports []*ingest.Report, alertShare float64) error {
	var rejected, quarantined []string
	for _, r := range reports {
		switch {
		case r.Status == ingest.Rejected:
			rejected = append(rejected, r.Source)
		case r.QuarantineAlert(alertShare):
			quarantined = append(quarantined, r.Source)
		}
	}
	var msgs []string
	if len(rejected) > 0 {
		msgs = append(msgs, fmt.Sprintf("%d file(s) rejected: %s", len(rejected), strings.Join(rejected, ", ")))
	}
	if len(quarantined) > 0 {
		msgs = append(msgs, fmt.Sprintf("rows quarantined in %s: correct them at the source and send them again", strings.Join(quarantined, ", ")))
	}
	if len(msgs) == 0 {
		return nil
	}
	return exit.Attentionf("%s", strings.Join(msgs, "; "))
}

// maxListedNames is how many column names a report line lists; a sheet can have thousands.
const maxListedNames = 12

// nameList joins names for a report line, listing at most maxListedNames of them and
// counting the rest (--json lists them all).
func nameList(names []string) string {
	if len(names) <= maxListedNames {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more (--json lists them all)", strings.Join(names[:maxListedNames], ", "), len(names)-maxListedNames)
}

// printReport writes one file's report: a summary line and the first violations grouped by
// rule, or one JSON object.
func printReport(w io.Writer, r *ingest.Report, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	switch r.Status {
	case ingest.Rejected:
		fmt.Fprintf(w, "%s: rejected, nothing written: %s\n", r.Source, r.Error)
		return nil
	case ingest.AlreadyIngested:
		fmt.Fprintf(w, "%s: already ingested in snapshot %d (use --force to ingest it again)\n", r.Source, r.Snapshot)
		return nil
	case ingest.Committed:
		fmt.Fprintf(w, "%s: committed as snapshot %d: ", r.Source, r.Snapshot)
	default:
		fmt.Fprintf(w, "%s: checked, nothing written: ", r.Source)
	}
	fmt.Fprintf(w, "%d rows read, %d accepted, %d quarantined, %d excluded (no research consent)\n",
		r.RowsRead, r.RowsAccepted, r.RowsQuarantined, r.RowsExcluded)
	if len(r.UnknownColumns) > 0 {
		fmt.Fprintf(w, "  columns not in the schema, not stored: %s\n", nameList(r.UnknownColumns))
	}
	if len(r.PIIColumns) > 0 {
		fmt.Fprintf(w, "  warning: columns that look like personal data or free text (never stored; remove them from the export): %s\n", nameList(r.PIIColumns))
	}
	printViolations(w, r)
	if r.DateFormatHint != "" {
		fmt.Fprintf(w, "  %s\n", schema.DateHintText(r.DateFormatHint))
	}
	return nil
}

// printViolations prints the report's sample of violations, grouped by rule.
func printViolations(w io.Writer, r *ingest.Report) {
	if len(r.Violations) == 0 {
		return
	}
	var rules []string
	for _, v := range r.Violations {
		if !slices.Contains(rules, string(v.Rule)) {
			rules = append(rules, string(v.Rule))
		}
	}
	slices.Sort(rules)
	shown := 0
	for _, rule := range rules {
		fmt.Fprintf(w, "  rule %s (%d):\n", rule, r.ViolationsByRule[rule])
		for _, v := range r.Violations {
			if string(v.Rule) == rule {
				fmt.Fprintf(w, "    %s\n", v.Error())
				shown++
			}
		}
	}
	var total int64
	for _, n := range r.ViolationsByRule {
		total += n
	}
	if int64(shown) < total {
		fmt.Fprintf(w, "  (and %d more violations: outcomes sql \"SELECT * FROM quarantine WHERE source_sha256 = '%s'\")\n", total-int64(shown), r.SHA256)
	}
}

// progressFor returns a progress callback that draws a bar on a terminal for files over
// 4 MB, and nil otherwise.
func progressFor(g *globalOptions, path string) func(done, total int64) {
	st, err := os.Stat(path)
	if g.quiet || err != nil || st.Size() < 4<<20 || !isTerminal(g.stderr) {
		return nil
	}
	bar := progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(g.stderr),
		progressbar.OptionSetDescription(filepath.Base(path)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
	return func(done, total int64) {
		bar.Set64(done)
		if done >= total {
			bar.Finish()
		}
	}
}
