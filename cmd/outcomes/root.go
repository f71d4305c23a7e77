package main

import (
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

// terminated records that the cancellation came from SIGTERM (exit 143) rather than SIGINT.
var terminated atomic.Bool

// globalOptions are the flags every command accepts (DESIGN.md section 10).
type globalOptions struct {
	workspace string
	logFormat string
	quiet     bool
	verbose   bool
	today     string // --today, else $OUTCOMES_TODAY; see [globalOptions.date]
	// infoByDefault makes a command log at info level without --verbose (the nightly run,
	// whose operators read its log rather than its output).
	infoByDefault bool

	stdout, stderr io.Writer
}

// AddFlags adds the global flags to f (the root's persistent flags).
func (o *globalOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.workspace, "workspace", "", "workspace directory (default $OUTCOMES_HOME, else ./outcomes-data)")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "log only errors; no progress bars")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log each file and step (info level) to stderr")
	f.StringVar(&o.today, "today", "", "the date every date rule uses, `YYYY-MM-DD` (default $OUTCOMES_TODAY, else the system clock's UTC date)")
}

// todayEnv names the environment variable that sets the date when --today is not given.
const todayEnv = "OUTCOMES_TODAY"

// date returns the date every rule that depends on the day uses: the ingest's future-date
// rule, report and bundle folder names, archive retention and synthetic data. It is --today,
// else $OUTCOMES_TODAY, else the system clock's UTC date: the only place where a command reads
// the wall clock for a rule. The result is midnight UTC of that date.
func (o *globalOptions) date() (time.Time, error) {
	s, from := o.today, "--today"
	if s == "" {
		s, from = os.Getenv(todayEnv), "$"+todayEnv
	}
	if s == "" {
		now := time.Now().UTC()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, exit.Usagef("%s %q: want a date as YYYY-MM-DD, e.g. 2026-11-24", from, s)
	}
	return t, nil
}

// logger returns the slog logger the flags ask for, writing to stderr.
func (o *globalOptions) logger() (*slog.Logger, error) {
	level := slog.LevelWarn
	switch {
	case o.quiet:
		level = slog.LevelError
	case o.verbose || o.infoByDefault:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text", "":
		return slog.New(slog.NewTextHandler(o.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(o.stderr, opts)), nil
	default:
		return nil, exit.Usagef("--log-format %q: allowed: text, json", o.logFormat)
	}
}

// openWorkspace opens the workspace the flags name (--workspace, else $OUTCOMES_HOME, else
// ./outcomes-data) and the logger they ask for.
func (o *globalOptions) openWorkspace() (*workspace.Workspace, *slog.Logger, error) {
	w, err := workspace.Find(o.workspace)
	if err != nil {
		return nil, nil, err
	}
	log, err := o.logger()
	if err != nil {
		return nil, nil, err
	}
	return w, log, nil
}

// isTerminal reports whether w is a terminal (progress bars only go to terminals).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	g := &globalOptions{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "outcomes",
		Short: "Outcomes research pipeline for craniosacral therapy and somato-emotional release",
		Long: `outcomes turns practitioners' session records into defensible evidence:
ingest exports into a validated, pseudonymised lake; summarize it with an analysis plan;
report and publish the results.

EXIT STATUS
  0 done; 1 failed; 2 usage or configuration error; 3 done, but a person must look
  (rows quarantined, files rejected); 75 another process holds the lock.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	g.AddFlags(root.PersistentFlags())
	var prof profileFlags
	prof.AddFlags(root.PersistentFlags())
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		// The global flags are checked before a command opens anything.
		if _, err := g.date(); err != nil {
			return err
		}
		if _, err := g.logger(); err != nil {
			return err
		}
		return prof.start()
	}
	root.PersistentPostRunE = func(*cobra.Command, []string) error { return prof.stop() }
	for _, add := range commands {
		root.AddCommand(add(g))
	}
	root.Version = programVersion()
	root.SetVersionTemplate("outcomes {{.Version}}\n")
	markUsageErrors(root)
	return root
}

// commands are the subcommands; each cmd_*.go file registers its constructor in init.
var commands []func(*globalOptions) *cobra.Command

func register(c func(*globalOptions) *cobra.Command) { commands = append(commands, c) }
