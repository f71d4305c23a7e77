package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

func init() { register(newInitCommand) }

func newInitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a workspace with a new pseudonymisation key",
		Long: `Create a workspace: its directories, a commented outcomes.yaml with every default,
and state/key, 32 random bytes (mode 0600) that pseudonymise client and practitioner ids.

An existing workspace is left as it is (init only adds what is missing) and init says so; its
key is never replaced. Back the key up: without it, new batches cannot be linked to the clients
and practitioners of earlier ones.

DIR defaults to --workspace, else $OUTCOMES_HOME, else ./outcomes-data.

EXIT STATUS
  0 the workspace is ready, new or as it was; 1 failed; 2 DIR is a file, or outcomes.yaml has
  an error.`,
		Example: `  outcomes init /srv/outcomes
  OUTCOMES_HOME=/srv/outcomes outcomes init`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := workspace.Resolve(g.workspace)
			if len(args) == 1 {
				dir = args[0]
			}
			// An existing workspace is not an error: init is safe to repeat, as its help
			// promises, and it only adds what is missing. Its key is never replaced.
			kept := false
			if old, err := workspace.Open(dir); err == nil {
				_, err := os.Stat(old.KeyPath())
				kept = err == nil
			}
			w, err := workspace.Init(dir)
			if err != nil {
				return err
			}
			head := "workspace ready at %s"
			if kept {
				head = "workspace %s already exists: nothing was replaced, and its key was kept"
			}
			fmt.Fprintf(g.stdout, head+"\nkey: %s (back it up; never share it)\n", w.Dir, w.KeyPath())
			return nil
		},
	}
}
