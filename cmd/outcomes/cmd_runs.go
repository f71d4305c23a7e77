package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cstoutcomes/outcomes/internal/exit"
	nightly "github.com/cstoutcomes/outcomes/pipeline/run"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newRunsCommand) }

func newRunsCommand(g *globalOptions) *cobra.Command {
	o := jsonOption{usage: "print the records as JSON"}
	cmd := &cobra.Command{
		Use:   "runs [list | show [ID]]",
		Short: "List the nightly runs, or show one run's record",
		Long: `List the run records of state/runs (oldest first), or show one: its steps with their
durations and counts, the lake version before and after, each inbox file and what happened to
it, the warnings, the exit code and the error. "show" without an ID shows the latest run.
--json prints the records as stored (a JSON array for list).

A run still marked "running" whose process died is marked "crashed" by the next run.`,
		Example: `  outcomes runs
  outcomes runs show
  outcomes runs show 20261124T021500.000Z --json`,
		Args:      cobra.MaximumNArgs(2),
		ValidArgs: []string{"list", "show"},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := runsDir(g)
			if err != nil {
				return err
			}
			switch {
			case len(args) == 0 || args[0] == "list" && len(args) == 1:
				return listRuns(g.stdout, dir, o.json)
			case args[0] == "show":
				id := ""
				if len(args) == 2 {
					id = args[1]
				}
				return showRun(g.stdout, dir, id, o.json)
			default:
				return exit.Usagef("runs %s: allowed: runs, runs list, runs show [ID]", strings.Join(args, " "))
			}
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runsDir(g *globalOptions) (string, error) {
	w, err := workspace.Find(g.workspace)
	if err != nil {
		return "", err
	}
	return w.RunsDir(), nil
}

func listRuns(out io.Writer, dir string, asJSON bool) error {
	recs, err := nightly.Records(dir)
	if err != nil {
		return err
	}
	if asJSON {
		return printRunsJSON(out, recs)
	}
	if len(recs) == 0 {
		fmt.Fprintln(out, "no runs yet")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tEXIT\tDURATION\tLAKE\tINGESTED\tDUPLICATE\tREJECTED\tWAITING")
	for _, r := range recs {
		c := r.Counts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d→%d\t%d\t%d\t%d\t%d\n", r.ID, r.Status, runExitText(r), runsDash(r.Duration),
			r.SnapshotBefore, r.SnapshotAfter, c.Ingested, c.Duplicates, c.Rejected, c.Waiting)
	}
	return tw.Flush()
}

func showRun(out io.Writer, dir, id string, asJSON bool) error {
	if id == "" {
		ids, err := nightly.IDs(dir)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return exit.Usagef("runs show: no runs yet")
		}
		id = ids[len(ids)-1]
	}
	r, err := nightly.ReadRecord(dir, id)
	if errors.Is(err, nightly.ErrNoRecord) {
		return exit.Usagef("runs show %s: %w (outcomes runs lists them)", id, err)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return printRunsJSON(out, r)
	}
	printRunRecord(out, r)
	return nil
}

func printRunRecord(out io.Writer, r *nightly.Record) {
	fmt.Fprintf(out, "run %s: %s, exit %s\n", r.ID, r.Status, runExitText(r))
	ended := "-"
	if r.Ended != nil {
		ended = r.Ended.Format("2006-01-02 15:04:05Z")
	}
	fmt.Fprintf(out, "  started %s, ended %s, took %s (pid %d, program %s)\n",
		r.Started.Format("2006-01-02 15:04:05Z"), ended, runsDash(r.Duration), r.PID, r.ProgramVersion)
	fmt.Fprintf(out, "  lake version %d → %d\n", r.SnapshotBefore, r.SnapshotAfter)
	if r.Summary != "" {
		fmt.Fprintf(out, "  %s\n", r.Summary)
	}
	if r.Error != "" {
		fmt.Fprintf(out, "  error: %s\n", r.Error)
	}
	fmt.Fprintln(out, "steps:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, s.Status, s.Duration, runStepDetail(s))
	}
	tw.Flush()
	if len(r.Files) > 0 {
		fmt.Fprintln(out, "files:")
		tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, f := range r.Files {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, f.Status, runFileDetail(f))
		}
		tw.Flush()
	}
	for _, a := range r.Alerts {
		fmt.Fprintf(out, "needs attention: %s\n", a)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
}

func runStepDetail(s nightly.StepRecord) string {
	var d []string
	if s.Note != "" {
		d = append(d, s.Note)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Counts)) {
		d = append(d, fmt.Sprintf("%s=%d", k, s.Counts[k]))
	}
	if s.Output != "" {
		d = append(d, "output "+s.Output)
	}
	if s.Error != "" {
		d = append(d, "error: "+s.Error)
	}
	return strings.Join(d, "; ")
}

func runFileDetail(f nightly.FileRecord) string {
	switch f.Status {
	case nightly.FileWaiting:
		return "modified within inbox.settle; left for the next run"
	case nightly.FileRejected:
		return fmt.Sprintf("%s: %s", f.MovedTo, f.Reason)
	}
	return fmt.Sprintf("snapshot %d, %d rows read, %d accepted, %d quarantined, %d excluded → %s",
		f.Snapshot, f.RowsRead, f.RowsAccepted, f.RowsQuarantined, f.RowsExcluded, f.MovedTo)
}

func runExitText(r *nightly.Record) string {
	if r.ExitCode == nil {
		return "-"
	}
	return fmt.Sprint(*r.ExitCode)
}

func runsDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printRunsJSON(out io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}
