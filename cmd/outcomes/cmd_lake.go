package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/internal/lock"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newLakeCommand) }

func newLakeCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lake",
		Short: "Inspect, check and maintain the lake (status, log, diff, verify, forget, compact, vacuum)",
		Long: `The lake holds the tables sessions and quarantine as Apache Iceberg tables under
<workspace>/lake/warehouse. Each committed batch, and each forget or compact, is a lake
version, numbered 1, 2, 3...

status, log, diff and verify only read the lake: they do not take the workspace lock.
forget, compact and vacuum write it: they take state/lock (exit 75 when another process
holds it, or wait with --wait).`,
		Example: `  outcomes lake status
  outcomes lake log --json
  outcomes lake diff 3 5
  outcomes lake verify --deep
  outcomes lake forget --practitioner P01 --client C0042 --reason "consent withdrawn"
  outcomes lake compact
  outcomes lake vacuum --older-than 0`,
	}
	cmd.AddCommand(newLakeStatusCommand(g), newLakeLogCommand(g), newLakeDiffCommand(g), newLakeVerifyCommand(g),
		newLakeForgetCommand(g), newLakeCompactCommand(g), newLakeVacuumCommand(g))
	return cmd
}

// jsonOption is the --json flag of the commands that can print JSON instead of a table.
type jsonOption struct {
	json  bool
	usage string // what --json prints
}

// AddFlags adds --json to f.
func (o *jsonOption) AddFlags(f *pflag.FlagSet) { f.BoolVar(&o.json, "json", false, o.usage) }

func newLakeStatusCommand(g *globalOptions) *cobra.Command {
	o := jsonOption{usage: "print the status as JSON"}
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
				if o.json {
					return writeLakeJSON(g.stdout, st)
				}
				return printStatus(g.stdout, st)
			})
		},
	}
	o.AddFlags(cmd.Flags())
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
	o := jsonOption{usage: "print the log as a JSON array"}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List the lake versions, oldest first, with their sources and row counts",
		Long: `log prints one line per lake version: the version, its commit time (UTC), the operation,
the source file's name and the first 12 hex digits of its sha256, and the rows read,
accepted, quarantined and excluded. A forget or compact shows the rows it removed from
sessions and quarantine. Any version can be read again with --as-of N, except those marked
[erased] (before a forget) or [expired] (past vacuum's --retain): their records stay, their
data does not.`,
		Example: `  outcomes lake log
  outcomes lake log --json | jq '.[] | select(.counts.quarantined > 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLake(cmd.Context(), g, func(l *lake.Lake) error {
				log, err := l.Log(cmd.Context())
				if err != nil {
					return err
				}
				if o.json {
					return writeLakeJSON(g.stdout, logJSON(log))
				}
				return printLog(g.stdout, log)
			})
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func printLog(w io.Writer, log []lake.Commit) error {
	if len(log) == 0 {
		_, err := fmt.Fprintln(w, "the lake is empty: no version yet (`outcomes ingest FILE` commits the first)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "version\ttime\toperation\tsource\tsha256\tread\taccepted\tquarantined\texcluded")
	for _, c := range log {
		op := c.Operation
		if c.Force {
			op += " (forced)"
		}
		if c.Operation != lake.OpIngest {
			op += fmt.Sprintf(" (-%d rows, -%d violations)", c.RemovedRows, c.RemovedViolations)
		}
		switch {
		case c.Expired && c.ExpiredBy != 0:
			op += " [erased]" // by the forget of version ExpiredBy: no longer readable
		case c.Expired:
			op += " [expired]" // by vacuum's retention
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
	RemovedRows        int64     `json:"removed_rows"`
	RemovedViolations  int64     `json:"removed_violations"`
	Reason             string    `json:"reason,omitempty"`
	ForgetKeySHA256    string    `json:"forget_key_sha256,omitempty"`
	Readable           bool      `json:"readable"`
	ExpiredBy          int64     `json:"expired_by,omitempty"`
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
			RemovedRows: c.RemovedRows, RemovedViolations: c.RemovedViolations, Reason: c.Reason,
			ForgetKeySHA256: c.ForgetKeySHA256, Readable: !c.Expired, ExpiredBy: c.ExpiredBy,
		})
	}
	return out
}

// errVerify is returned when verify finds problems: a plain error, so exit status 1.
var errVerify = errors.New("lake verify failed")

func newLakeVerifyCommand(g *globalOptions) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--deep]",
		Short: "Re-read every live data file and check it against the metadata and checksums",
		Long: `verify re-reads every data file of the latest lake version and checks that it exists, that its
size and row count are those in the Iceberg manifest, that its Parquet footer is readable and
that its sha256 is the one recorded when it was written; and that each version's checksum
file exists and its row counts match the version's counts.

With --deep it also decodes every row of every live file (required columns hold no null, a
session's date is in its file's year partition, each row's commit_version is a version of
the log) and checks the counts invariant of every commit: rows read = accepted +
quarantined + excluded; each version's table totals follow from the previous version's
(plus the rows an ingest added, minus those a forget or compact removed) and match its
files; and the live rows of each ingest no later rewrite touched are exactly its counts.

Each problem is printed on its own line as FILE: PROBLEM (or version N: PROBLEM).

EXIT STATUS
  0 the lake is intact; 1 a problem was found (or the lake could not be read).`,
		Example: `  outcomes lake verify
  outcomes lake verify --deep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLake(cmd.Context(), g, func(l *lake.Lake) error {
				verify := l.Verify
				if o.deep {
					verify = l.VerifyDeep
				}
				problems, err := verify(cmd.Context())
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
	o.AddFlags(cmd.Flags())
	return cmd
}

// verifyOptions are the flags of `outcomes lake verify`.
type verifyOptions struct{ deep bool }

// AddFlags adds the flags of the command to f.
func (o *verifyOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.deep, "deep", false, "also decode every row and check the counts of every commit")
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
	w, log, err := g.openWorkspace()
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

// withLakeLocked is withLake for the commands that write the lake: it takes the workspace
// lock first (exit 75 if held, unless wait allows for it to be released). Its callers have
// --wait, which the held-lock message suggests.
func withLakeLocked(ctx context.Context, g *globalOptions, wait time.Duration, f func(*workspace.Workspace, *lake.Lake) error) (err error) {
	w, log, err := g.openWorkspace()
	if err != nil {
		return err
	}
	lk, err := lock.Acquire(ctx, w.LockPath(), wait)
	if err != nil {
		return withWaitHint(err)
	}
	defer func() {
		if uerr := lk.Unlock(); err == nil {
			err = uerr
		}
	}()
	l, err := lake.Open(ctx, w.LakeDir(), lake.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := l.Close(); err == nil {
			err = cerr
		}
	}()
	return f(w, l)
}

type forgetOptions struct {
	client, practitioner, clientKey, reason string
	keyFileFlag
	waitFlag
}

func newLakeForgetCommand(g *globalOptions) *cobra.Command {
	var o forgetOptions
	cmd := &cobra.Command{
		Use:   "forget (--practitioner ID --client ID | --client-key KEY) [--reason TEXT]",
		Short: "Erase every row of one client from the lake (right to erasure)",
		Long: `forget removes every row of one client from the tables sessions and quarantine: each live
data file that holds a row of the client is replaced by a copy without it, in one new lake
version (operation forget). The client is named by the ids as they appear in the source
(--practitioner and --client, hashed with the workspace key as ingest does), or by the
client key a report or query shows (--client-key). The log records the erasure: the sha256
of the client key and --reason, never the source ids nor the key itself.

Old snapshots still name the old files, so forget then expires every snapshot before the
erasure: versions before it can no longer be read (--as-of gives an error saying they were
erased), and their log entries stay. The old files stay on disk until vacuum deletes them:
run 'outcomes lake vacuum --older-than 0' next to finish the erasure.

Quarantined rows are found by their client_key column, recorded for rows whose practitioner
and client ids were valid. Rows quarantined before that column existed, or with an invalid
id, carry no key (their identifier values are masked) and are not removed. Source files
kept in archive/ are not changed: delete them by hand if they must go too.

EXIT STATUS
  0 done, or already forgotten; 1 no row of the client in the lake, or an error;
  2 usage; 75 another process holds the workspace lock.`,
		Example: `  outcomes lake forget --practitioner P01 --client C0042 --reason "consent withdrawn 2026-11-20"
  outcomes lake forget --client-key 3f9a0c... && outcomes lake vacuum --older-than 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runForget(cmd.Context(), g, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *forgetOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.practitioner, "practitioner", "", "the practitioner id, as in the source")
	f.StringVar(&o.client, "client", "", "the client id, as in the source (with --practitioner)")
	f.StringVar(&o.clientKey, "client-key", "", "the client key (instead of --practitioner and --client)")
	f.StringVar(&o.reason, "reason", "", "why the client is erased, recorded in the log (no personal data)")
	o.keyFileFlag.AddFlags(f)
	o.waitFlag.AddFlags(f)
}

func runForget(ctx context.Context, g *globalOptions, o forgetOptions) error {
	byIDs := o.client != "" || o.practitioner != ""
	switch {
	case byIDs && o.clientKey != "":
		return exit.Usagef("give either --practitioner and --client, or --client-key, not both")
	case byIDs && (strings.TrimSpace(o.client) == "" || strings.TrimSpace(o.practitioner) == ""):
		return exit.Usagef("--client and --practitioner go together: a client id is only unique within its practitioner")
	case !byIDs && o.clientKey == "":
		return exit.Usagef("name the client: --practitioner ID --client ID, or --client-key KEY")
	case o.clientKey != "" && !isClientKey(o.clientKey):
		return exit.Usagef("--client-key: want the 32 hex digits of a client_key")
	}
	return withLakeLocked(ctx, g, o.wait, func(w *workspace.Workspace, l *lake.Lake) error {
		key := strings.ToLower(o.clientKey)
		if byIDs {
			k, err := w.Key(o.keyFile)
			if err != nil {
				return err
			}
			key = pseudo.NewHasher(k).Client(o.practitioner, o.client)
		}
		res, err := l.Forget(ctx, key, o.reason)
		if errors.Is(err, lake.ErrNoSuchClient) {
			return fmt.Errorf("forget: no row of client key %.8s… in the lake (a wrong id or key? ids are as in the source, and the key file must be the one ingest used)", key)
		}
		if err != nil {
			return err
		}
		out := g.stdout
		if res.Commit == nil {
			fmt.Fprintf(out, "client key %.8s… was already forgotten in lake version %d; nothing to remove\n", key, res.AlreadyForgotten)
		} else {
			fmt.Fprintf(out, "forgot client key %.8s… in lake version %d: %d session rows and %d quarantine rows removed, %d data files rewritten\n",
				key, res.Commit.Version, res.Commit.RemovedRows, res.Commit.RemovedViolations, res.FilesRewritten)
		}
		if res.ExpiredVersions > 0 {
			fmt.Fprintf(out, "expired the snapshots of %d earlier version%s: they can no longer be read with --as-of\n",
				res.ExpiredVersions, lakePlural(res.ExpiredVersions))
		}
		fmt.Fprintln(out, "the old data files are still on disk: run 'outcomes lake vacuum --older-than 0' to delete them")
		return nil
	})
}

func isClientKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

type vacuumOptions struct {
	olderThan, retain time.Duration
	waitFlag
	dryRun, asJSON bool
}

func newLakeVacuumCommand(g *globalOptions) *cobra.Command {
	var o vacuumOptions
	cmd := &cobra.Command{
		Use:   "vacuum [--older-than DURATION] [--retain DURATION] [--dry-run]",
		Short: "Delete the files no kept snapshot uses, and expire snapshots past retention",
		Long: `vacuum expires snapshots and then deletes every file of the lake that no kept snapshot
refers to: data files and manifests of expired snapshots (those before a forget, whose
erasure vacuum completes), files left by crashed writers, and old metadata files.

Snapshots are expired when they come before the latest forget (normally forget already
did), when their version was committed more than --retain ago (default: keep every
version, so any --as-of can be re-run), and when a crash left a quarantine snapshot that no
version names. The latest version is always kept.

A file is deleted only if it was last modified more than --older-than ago (default 1h), so
that the files of a writer that ignores the lock are safe; vacuum itself holds the
workspace lock. After a forget, run it with --older-than 0 to delete the client's old files
at once. --dry-run lists what would be expired and deleted and changes nothing.

EXIT STATUS
  0 done; 1 an error; 2 usage; 75 another process holds the workspace lock.`,
		Example: `  outcomes lake vacuum --dry-run
  outcomes lake vacuum --older-than 0
  outcomes lake vacuum --retain 8760h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.olderThan < 0 || o.retain < 0 {
				return exit.Usagef("--older-than and --retain must not be negative")
			}
			return withLakeLocked(cmd.Context(), g, o.wait, func(_ *workspace.Workspace, l *lake.Lake) error {
				res, err := l.Vacuum(cmd.Context(), lake.VacuumOptions{OlderThan: o.olderThan, Retain: o.retain, DryRun: o.dryRun})
				if err != nil {
					return err
				}
				if o.asJSON {
					return writeLakeJSON(g.stdout, res)
				}
				return printVacuum(g.stdout, res)
			})
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *vacuumOptions) AddFlags(f *pflag.FlagSet) {
	f.DurationVar(&o.olderThan, "older-than", time.Hour, "delete only unreferenced files last modified longer ago than this")
	f.DurationVar(&o.retain, "retain", 0, "expire the versions committed longer ago than this (0: keep every version)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be expired and deleted; change nothing")
	f.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	o.waitFlag.AddFlags(f)
}

func printVacuum(w io.Writer, r *lake.VacuumResult) error {
	verb, expired := "deleted", "expired"
	if r.DryRun {
		verb, expired = "would delete", "would expire"
	}
	for _, p := range r.Deleted {
		fmt.Fprintf(w, "%s %s\n", verb, p)
	}
	if len(r.ExpiredVersions) > 0 {
		fmt.Fprintf(w, "%s the snapshots of versions %d to %d: they can no longer be read with --as-of\n",
			expired, r.ExpiredVersions[0], r.ExpiredVersions[len(r.ExpiredVersions)-1])
	}
	fmt.Fprintf(w, "%s %d snapshots; %s %d files (%d bytes); kept %d sessions and %d quarantine snapshots",
		expired, r.ExpiredSnapshots, verb, len(r.Deleted), r.DeletedBytes, r.SessionsSnapshots, r.QuarantineSnapshots)
	if r.Young > 0 {
		fmt.Fprintf(w, "; %d unreferenced files younger than --older-than kept", r.Young)
	}
	_, err := fmt.Fprintln(w)
	return err
}

func newLakeCompactCommand(g *globalOptions) *cobra.Command {
	o := compactOptions{target: 128 << 20}
	cmd := &cobra.Command{
		Use:   "compact [--target-size 128MB]",
		Short: "Rewrite many small data files into few, dropping superseded rows",
		Long: `compact rewrites the small files of each year partition of sessions into files of about
--target-size, keeping exactly the rows the sessions view shows: a row superseded by a newer
row of the same (practitioner_key, client_key, session_number) is dropped. The small
quarantine files are merged too, with every row kept. It is one new lake version (operation
compact) that changes no query result; earlier versions stay readable with --as-of until
vacuum expires them, and vacuum deletes the replaced files once no kept snapshot uses them.
With nothing to compact it commits nothing.

EXIT STATUS
  0 done (or nothing to do); 1 an error; 2 usage; 75 another process holds the workspace lock.`,
		Example: `  outcomes lake compact
  outcomes lake compact --target-size 256MB`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLakeLocked(cmd.Context(), g, o.wait, func(_ *workspace.Workspace, l *lake.Lake) error {
				res, err := l.Compact(cmd.Context(), lake.CompactOptions{TargetSize: int64(o.target)})
				if err != nil {
					return err
				}
				if res.Commit == nil {
					fmt.Fprintf(g.stdout, "nothing to compact: %d data files\n", res.FilesBefore)
					return nil
				}
				fmt.Fprintf(g.stdout, "compacted into lake version %d: %d data files → %d, %d superseded rows dropped\n",
					res.Commit.Version, res.FilesBefore, res.FilesAfter, res.Superseded)
				return nil
			})
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// compactOptions are the flags of `outcomes lake compact`.
type compactOptions struct {
	target byteSize
	waitFlag
}

// AddFlags adds the flags of the command to f.
func (o *compactOptions) AddFlags(f *pflag.FlagSet) {
	f.Var(&o.target, "target-size", "size of the files written, e.g. 64MB, 1GB")
	o.waitFlag.AddFlags(f)
}

// byteSize is a flag value such as 128MB, 64MiB, 1GB or a plain number of bytes.
type byteSize int64

func (b *byteSize) String() string {
	switch n := int64(*b); {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprint(int64(*b))
}

func (b *byteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a positive size such as 128MB, got %q", s)
	}
	*b = byteSize(n * mult)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// diffOptions are the flags of `outcomes lake diff`.
type diffOptions struct{ rows, json bool }

// AddFlags adds the flags of the command to f.
func (o *diffOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.rows, "rows", false, "list the keys of the sessions that changed")
	f.BoolVar(&o.json, "json", false, "print the result as JSON")
}

func newLakeDiffCommand(g *globalOptions) *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff N M",
		Short: "Show the sessions added, superseded and removed between two lake versions",
		Long: `diff compares the sessions view of lake versions N and M (0: the latest): a session (its
practitioner_key, client_key and session_number) is added when it is in M's view only,
superseded when a newer row replaced its row, and removed when it is in N's view only. With
--rows it lists the keys (pseudonymous keys, never source ids).

Versions before a forget were erased and cannot be compared.

EXIT STATUS
  0 done; 1 an error; 2 usage, or a version that does not exist or was erased.`,
		Example: `  outcomes lake diff 3 4
  outcomes lake diff 3 0 --rows`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLakeDiff(cmd.Context(), g, o, args)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// runLakeDiff compares the two versions args name and prints the result.
func runLakeDiff(ctx context.Context, g *globalOptions, o diffOptions, args []string) error {
	var v [2]int64
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return exit.Usagef("%q: want a lake version (1, 2, ... as lake log lists them), or 0 for the latest", a)
		}
		v[i] = n
	}
	return withLake(ctx, g, func(l *lake.Lake) error {
		d, err := l.Diff(ctx, v[0], v[1])
		switch {
		case errors.Is(err, lake.ErrUnknownVersion):
			return exit.Usagef("%w", err)
		case err != nil:
			return err
		case o.json:
			return writeLakeJSON(g.stdout, diffJSONOf(d, o.rows))
		}
		return printDiff(g.stdout, d, o.rows)
	})
}

// diffJSON is the --json form of a diff: counts, and with --rows the keys.
type diffJSON struct {
	From       int64      `json:"from"`
	To         int64      `json:"to"`
	Added      int        `json:"added"`
	Superseded int        `json:"superseded"`
	Removed    int        `json:"removed"`
	Rows       *lake.Diff `json:"rows,omitempty"`
}

func diffJSONOf(d *lake.Diff, rows bool) diffJSON {
	out := diffJSON{From: d.From, To: d.To, Added: len(d.Added), Superseded: len(d.Superseded), Removed: len(d.Removed)}
	if rows {
		out.Rows = d
	}
	return out
}

// printDiff prints the counts of d and, with rows, the keys of each change.
func printDiff(w io.Writer, d *lake.Diff, rows bool) error {
	fmt.Fprintf(w, "lake version %d → %d: %d added, %d superseded, %d removed\n",
		d.From, d.To, len(d.Added), len(d.Superseded), len(d.Removed))
	if !rows {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "change\tpractitioner_key\tclient_key\tsession_number")
	for _, c := range []struct {
		name string
		keys []lake.Key
	}{{"added", d.Added}, {"superseded", d.Superseded}, {"removed", d.Removed}} {
		for _, k := range c.keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.name, k.PractitionerKey, k.ClientKey, k.SessionNumber)
		}
	}
	return tw.Flush()
}
