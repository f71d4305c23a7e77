package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	nightly "github.com/cstoutcomes/outcomes/pipeline/run"
)

func init() { register(newRunCommand) }

// runHook is pipeline/run's test hook (Options.Hook); only the tests set it.
var runHook func(ctx context.Context, point string)

type runOptions struct {
	waitFlag
	keyFileFlag
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: ingest the inbox, then summarize and report what changed",
		Long: `Take the workspace lock, ingest each stable file of inbox/ (name order, one lake commit each,
then moved to archive/<date>/, or to rejected/<date>/ with FILE.reason.txt), then summarize,
report, publish (if publish.enabled) and run the notebooks listed in outcomes.yaml: each of
these only when the lake version, the plan or the program changed since it last succeeded.

Files named *.tmp or *.part, dotfiles, and files modified within inbox.settle wait for the next
run. A file whose exact bytes are already in the lake is archived as a duplicate, not ingested
again. A run killed at any point leaves nothing the next run trips over: it marks the killed
run crashed, removes temporary files, and finishes the job.

Each run writes state/runs/<id>.json (see outcomes runs), logs one line per file and step to
stderr, and ends with a one-line summary on stderr (for cron mail). Retention (archive.keep_days,
runs.keep) is applied at the end.

EXIT STATUS
  0 done, nothing needs a person; 1 failed (see the record's error); 2 configuration error;
  3 done, but a person must look (a file rejected, quarantined rows above
  quarantine.alert_share, an inbox entry that is not a regular file (a symbolic link, a
  directory, a FIFO: never read or moved), a file modified more than an hour (or
  inbox.settle, if longer) in the future: a wrong clock, not ingested, a public bundle
  refused); 75 another process holds the lock (try
  later, or --wait); 130 interrupted (SIGINT), 143 terminated (SIGTERM): the file being
  ingested is finished, no other is started, and the record says interrupted.`,
		Example: `  outcomes run
  outcomes --workspace /srv/outcomes run --wait 10m
  outcomes --log-format json run 2>>/var/log/outcomes.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), g, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags adds the flags of the command to f.
func (o *runOptions) AddFlags(f *pflag.FlagSet) {
	o.waitFlag.AddFlags(f)
	o.keyFileFlag.AddFlags(f)
}

func runRun(ctx context.Context, g *globalOptions, o runOptions) error {
	g.infoByDefault = true
	w, log, err := g.openWorkspace()
	if err != nil {
		return err
	}
	key, err := w.Key(o.keyFile)
	if err != nil {
		return err
	}
	plan, err := loadPlan(w, "")
	if err != nil {
		return err
	}
	today, err := g.date()
	if err != nil {
		return err
	}
	rec, err := nightly.Run(ctx, nightly.Options{
		Today:          today,
		Workspace:      w,
		Wait:           o.wait,
		Steps:          nightly.Steps(w, plan, pseudo.NewHasher(key)),
		ProgramVersion: programVersion(),
		PlanSHA256:     plan.SHA256,
		Logger:         log,
		Terminated:     terminated.Load,
		Hook:           runHook,
	})
	if err == nil {
		fmt.Fprintln(g.stderr, rec.Summary)
	}
	return withWaitHint(err)
}
