package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// TestUsageErrors: every mistake on the command line exits 2 with one line that names what
// was wrong and what is expected, before anything is opened.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sumarize"}, `unknown command "sumarize" for "outcomes": did you mean outcomes summarize?`},
		{[]string{"lake", "compcat"}, `unknown command "compcat" for "outcomes lake": did you mean outcomes lake compact?`},
		{[]string{"publish", "verfy", "x"}, `unknown command "verfy" for "outcomes publish": did you mean outcomes publish verify?`},
		{[]string{"xyzzy"}, `unknown command "xyzzy" for "outcomes": see 'outcomes --help' for the commands`},
		{[]string{"help", "sumarize"}, `unknown command "sumarize" for "outcomes": did you mean outcomes summarize?`},
		{[]string{"help", "lake", "compcat"}, `unknown command "compcat" for "outcomes lake": did you mean outcomes lake compact?`},
		{[]string{"run", "--wiat", "1m"}, `outcomes run: unknown flag --wiat: did you mean --wait?`},
		{[]string{"ingest", "--nosuchflag", "x.csv"}, `outcomes ingest: unknown flag --nosuchflag: see 'outcomes ingest --help' for its flags`},
		{[]string{"summarize", "--as-of", "abc"}, `--as-of "abc": want a whole number, e.g. 3`},
		{[]string{"run", "--wait", "soon"}, `--wait "soon": want a duration such as 30s, 10m or 1h30m`},
		{[]string{"summarize", "--as-of"}, `--as-of needs a value: a whole number, e.g. 3`},
		{[]string{"summarize", "extra"}, `outcomes summarize: takes no arguments, got "extra" (usage: outcomes summarize [flags])`},
		{[]string{"ingest"}, `outcomes ingest: requires at least 1 arg(s), only received 0 (usage: outcomes ingest FILE|DIR... [flags])`},
		{[]string{"lake", "diff", "1"}, `outcomes lake diff: accepts 2 arg(s), received 1`},
		{[]string{"--today", "1/2/2026", "summarize"}, `--today "1/2/2026": want a date as YYYY-MM-DD`},
		{[]string{"--log-format", "xml", "lake", "status"}, `--log-format "xml"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"--workspace", t.TempDir()}, tt.args...), &stdout, &stderr)
			if code != exit.Usage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exit.Usage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr.String()), "\n"); n != 0 {
				t.Errorf("stderr has %d lines, want one: %q", n+1, stderr.String())
			}
		})
	}
}

// TestGroupHelp: a command group without a subcommand prints its help and exits 0.
func TestGroupHelp(t *testing.T) {
	for _, args := range [][]string{{"lake"}, {"help", "lake"}, {"lake", "--help"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "compact") {
			t.Errorf("%v: the help of lake does not list compact:\n%s", args, stdout.String())
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		if want := "outcomes " + programVersion() + "\n"; !strings.HasPrefix(stdout.String(), want) {
			t.Errorf("%v: stdout %q, want it to start with %q", args, stdout.String(), want)
		}
	}
}

// TestVersionOf: the version string comes from what the go command stamped.
func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202113000-0123456789ab+dirty"}, Settings: rev}, "v0.0.0-20261202113000-0123456789ab+dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel-0123456789ab+dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev[:1]}, "devel-0123456789ab"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	}
	for _, tt := range tests {
		if got := versionOf(&tt.bi); got != tt.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tt.bi, got, tt.want)
		}
	}
}

// TestVersionFromCheckout builds the binary from this checkout with VCS stamping, as a user
// who runs go build in a clone gets it, and checks that --version, summary.json, the report's
// footer and the bundle's manifest all carry the same version, with the checkout's revision,
// never "dev".
func TestVersionFromCheckout(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): no revision to stamp", err)
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		t.Skip("a git worktree or submodule (.git is a file): the go command stamps VCS information only in a clone")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "outcomes")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "outcomes ")
	if v == "dev" || !strings.Contains(v, string(head[:12])) {
		t.Fatalf("--version says %q, want a version with the revision %s", v, head[:12])
	}
	demo := filepath.Join(dir, "demo")
	if out, err := exec.Command(bin, "--today", testToday, "demo", "--clients", "60", "--out", demo).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--workspace", demo, "--today", testToday, "publish", "--threshold", "3").CombinedOutput(); err != nil && exitCode(err) != exit.Attention {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	for _, pattern := range []string{"reports/*/summary.json", "reports/*/report.html", "publish/*/manifest.json"} {
		files, _ := filepath.Glob(filepath.Join(demo, pattern))
		if len(files) != 1 {
			t.Errorf("%s: %d files, want 1", pattern, len(files))
			continue
		}
		b, _ := os.ReadFile(files[0])
		want := v
		if strings.HasSuffix(pattern, ".html") {
			want = strings.ReplaceAll(v, "+", "&#43;") // as html/template writes it
		}
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("%s does not name the version %s", files[0], v)
		}
	}
}
