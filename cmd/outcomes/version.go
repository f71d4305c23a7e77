package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCommand) }

// version is the program version. Release builds may set it with
// -ldflags "-X main.version=v1.2.3"; otherwise [programVersion] takes it from the build info.
var version = ""

// programVersion returns the version that summary.json, the report footer, the publish
// manifest and --version show: the -X main.version of a release build; else the main
// module's version as the go command stamped it (a tag, or a pseudo-version made of the
// commit's time and revision, "+dirty" for uncommitted changes), else "devel" with the VCS
// revision; else "dev" (test binaries, builds without VCS information).
func programVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionOf(bi)
}

// versionOf is programVersion for the given build info.
func versionOf(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "devel-" + rev[:min(12, len(rev))]
	if modified == "true" {
		v += "+dirty"
	}
	return v
}

// buildInfo describes the binary for `outcomes version`: module, version, VCS revision and
// time, and the Go release.
func buildInfo() string {
	var b strings.Builder
	fmt.Fprintf(&b, "outcomes %s\n", programVersion())
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b.String()
	}
	fmt.Fprintf(&b, "module    %s\n", bi.Main.Path)
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time", "vcs.modified":
			fmt.Fprintf(&b, "%-9s %s\n", strings.TrimPrefix(s.Key, "vcs."), s.Value)
		}
	}
	fmt.Fprintf(&b, "go        %s\n", bi.GoVersion)
	return b.String()
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the program version, VCS revision and Go release",
		Long: `Print the version that summary.json, reports and public bundles record: the module version
the go command stamped from version control (a tag, or a pseudo-version with the commit's
time and revision; "+dirty" when the checkout had uncommitted changes), then the revision,
its time and the Go release. outcomes --version prints the first line only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(g.stdout, buildInfo())
			return err
		},
	}
}
