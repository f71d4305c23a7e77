package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// This file is the one place where cobra's own errors (a flag it cannot parse, an unknown
// command, the wrong number of arguments) become usage errors: exit 2, with a message that
// names what was wrong and what is expected (DESIGN.md section 8). Without it they exit 1,
// which a cron job reads as "failed, retry next night".

// markUsageErrors makes every command of the tree report its usage errors as [exit.ErrUsage].
func markUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(flagError)
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			switch {
			case err != nil:
				return exit.Usagef("%v", err)
			case len(rest) > 0:
				return unknownCommand(cmd, rest[0])
			}
			return cmd.Help()
		},
	})
	// The root and the command groups (lake, schema, ...) run: with no argument they print
	// their help, with an unknown one they fail with a suggestion.
	root.Args = cobra.ArbitraryArgs
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.SuggestionsMinimumDistance = 2
		switch {
		case c.HasSubCommands() && !c.Runnable():
			c.Args = cobra.ArbitraryArgs
			c.RunE = runGroup
		case c.Args != nil:
			c.Args = usageArgs(c.Args)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// runGroup runs a command that only groups others: its help, or an unknown-command error.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return unknownCommand(cmd, args[0])
}

// unknownCommand is the error for a word that names no subcommand of cmd, with the
// subcommands it is close to.
func unknownCommand(cmd *cobra.Command, name string) error {
	hint := fmt.Sprintf("see '%s --help' for the commands", cmd.CommandPath())
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		hint = fmt.Sprintf("did you mean %s?", orList(prefixAll(cmd.CommandPath()+" ", s)))
	}
	return exit.Usagef("unknown command %q for %q: %s", name, cmd.CommandPath(), hint)
}

// usageArgs wraps a command's argument check so that its error is a usage error that shows
// the command's usage line.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		switch {
		case err == nil || errors.Is(err, exit.ErrUsage):
			return err
		case cmd.HasSubCommands() && len(args) > 0: // publish verfy
			return unknownCommand(cmd, args[0])
		}
		msg := err.Error()
		if strings.HasPrefix(msg, "unknown command ") { // cobra.NoArgs
			msg = fmt.Sprintf("takes no arguments, got %q", args[0])
		}
		return exit.Usagef("%s: %s (usage: %s)", cmd.CommandPath(), msg, cmd.UseLine())
	}
}

// flagError turns pflag's parse errors into usage errors that name the flag and the form
// its value takes.
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		required *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return exit.Usagef("--%s %q: want %s", f.Name, invalid.GetValue(), valueForm(f))
	case errors.As(err, &required):
		f := required.GetFlag()
		return exit.Usagef("--%s needs a value: %s", f.Name, valueForm(f))
	case errors.As(err, &notExist) && notExist.GetSpecifiedName() != "":
		name := notExist.GetSpecifiedName()
		hint := fmt.Sprintf("see '%s --help' for its flags", cmd.CommandPath())
		if s := similarFlags(cmd, name); len(s) > 0 {
			hint = fmt.Sprintf("did you mean %s?", orList(prefixAll("--", s)))
		}
		return exit.Usagef("%s: unknown flag --%s: %s", cmd.CommandPath(), name, hint)
	}
	return exit.Usagef("%s: %v (see '%s --help')", cmd.CommandPath(), err, cmd.CommandPath())
}

// valueForm says in words what a flag's value must look like.
func valueForm(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64", "int32":
		return "a whole number, e.g. 3"
	case "uint", "uint64", "uint32":
		return "a whole number of 0 or more, e.g. 3"
	case "float64", "float32":
		return "a number, e.g. 0.5"
	case "duration":
		return "a duration such as 30s, 10m or 1h30m"
	case "bool":
		return "true or false"
	}
	return "a " + f.Value.Type()
}

// similarFlags returns the names of cmd's flags (its own and inherited) within two edits of
// name, or that start with it.
func similarFlags(cmd *cobra.Command, name string) []string {
	var out []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if editDistance(name, f.Name) <= 2 || (len(name) >= 3 && strings.HasPrefix(f.Name, name)) {
			out = append(out, f.Name)
		}
	})
	return out
}

// editDistance is the Levenshtein distance of a and b (insertions, deletions and
// substitutions of bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func prefixAll(prefix string, s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = prefix + v
	}
	return out
}

// orList joins words as "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
