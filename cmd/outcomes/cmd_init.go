package main

import (
	"fmt"

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

An existing workspace is left as it is; its key is never replaced. Back the key up: without it,
new batches cannot be linked to the clients and practitioners of earlier ones.

DIR defaults to --workspace, else $OUTCOMES_HOME, else ./outcomes-data.`,
		Example: `  outcomes init /srv/outcomes
  OUTCOMES_HOME=/srv/outcomes outcomes init`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := workspace.Resolve(g.workspace)
			if len(args) == 1 {
				dir = args[0]
			}
			w, err := workspace.Init(dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "workspace ready at %s\nkey: %s (back it up; never share it)\n", w.Dir, w.KeyPath())
			return nil
		},
	}
}
