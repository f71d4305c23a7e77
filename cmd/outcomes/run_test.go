package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/lock"
	nightly "github.com/cstoutcomes/outcomes/pipeline/run"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

var (
	runSeeds = flag.Int("run-seeds", 12, "number of random kills in TestRunSIGKILL")
	runSeed0 = flag.Int("run-seed", 0, "run only this seed of TestRunSIGKILL (0: seeds 1..run-seeds)")
)

// In a subprocess started by runCommand, OUTCOMES_TEST_RUN_HOOK sets pipeline/run's test
// hook: "kill POINT" SIGKILLs the process at POINT; "pause DURATION POINT" waits there (until
// the run is cancelled, or DURATION), keeping the lock held.
func init() {
	spec := os.Getenv("OUTCOMES_TEST_RUN_HOOK")
	if os.Getenv("OUTCOMES_TEST_MAIN") != "1" || spec == "" {
		return
	}
	action, point, _ := strings.Cut(spec, " ")
	pause := 30 * time.Second
	if action == "pause" {
		d, rest, _ := strings.Cut(point, " ")
		pause, _ = time.ParseDuration(d)
		point = rest
	}
	runHook = func(ctx context.Context, p string) {
		if p != point {
			return
		}
		switch action {
		case "kill":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		case "pause":
			fmt.Fprintf(os.Stderr, "test hook: paused at %s\n", p)
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	}
}

// runCommand returns `outcomes --workspace ws run args...` as a subprocess with a test hook
// ("" for none); its stderr goes to the returned buffer.
func runCommand(ws, hook string, args ...string) (*exec.Cmd, *syncBuffer) {
	cmd := outcomesCommand(append([]string{"--workspace", ws, "run"}, args...)...)
	cmd.Env = append(cmd.Env, "OUTCOMES_TEST_RUN_HOOK="+hook)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	return cmd, stderr
}

// syncBuffer is a bytes.Buffer that a test may read while a subprocess writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var runToday = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// newRunWorkspace makes a workspace whose inbox.settle is 0 and copies files into its inbox.
func newRunWorkspace(t *testing.T, dir string, files ...string) string {
	t.Helper()
	ws := filepath.Join(dir, "ws")
	if code, out := runOutcomes("init", ws); code != 0 {
		t.Fatal(out)
	}
	if err := os.WriteFile(filepath.Join(ws, workspace.ConfigFile), []byte("inbox:\n  settle: 0s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, "inbox", filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// genExport writes a synthetic clean CSV export.
func genExport(t *testing.T, path string, clients int, seed uint64) {
	t.Helper()
	if _, err := synth.WriteFile(t.Context(), path, source.FormatCSV, synth.Config{Clients: clients, Seed: seed, Today: runToday}); err != nil {
		t.Fatal(err)
	}
}

var heldRE = regexp.MustCompile(`held by pid (\d+) since \d{4}-\d{2}-\d{2}T`)

// TestRunTwoAtOnce starts two runs together: exactly one works, the other exits 75 naming
// the first's pid; a third with --wait waits for the lock and finds nothing new.
func TestRunTwoAtOnce(t *testing.T) {
	dir := t.TempDir()
	genExport(t, filepath.Join(dir, "a.csv"), 100, 1)
	ws := newRunWorkspace(t, dir, filepath.Join(dir, "a.csv"))
	// Each holds the lock for a while at "locked" (a test hook), so the other surely finds it held.
	var cmds [2]*exec.Cmd
	var errs [2]*syncBuffer
	for i := range cmds {
		cmds[i], errs[i] = runCommand(ws, "pause 3s locked")
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	waiter, waitErr := runCommand(ws, "", "--wait", "1m")
	codes := make([]int, 2)
	done := make(chan int, 2)
	for i, c := range cmds {
		go func() { c.Wait(); done <- i }()
	}
	// The loser exits at once; then the third starts while the winner still pauses.
	loser := <-done
	if err := waiter.Start(); err != nil {
		t.Fatal(err)
	}
	winner := 1 - loser
	<-done
	waiter.Wait()
	for i, c := range cmds {
		codes[i] = c.ProcessState.ExitCode()
	}
	t.Logf("exit codes %v; loser's stderr: %s", codes, errs[loser])
	if codes[loser] != 75 || codes[winner] != 0 {
		t.Fatalf("exit codes %v, want one 0 and one 75\nwinner's stderr:\n%s", codes, errs[winner])
	}
	m := heldRE.FindStringSubmatch(errs[loser].String())
	if m == nil || m[1] != strconv.Itoa(cmds[winner].Process.Pid) {
		t.Errorf("the loser's message does not name the winner's pid %d:\n%s", cmds[winner].Process.Pid, errs[loser])
	}
	if code := waiter.ProcessState.ExitCode(); code != 0 || !strings.Contains(waitErr.String(), "no new files") {
		t.Errorf("run --wait: exit %d, want 0 with no new files:\n%s", code, waitErr)
	}
	if n := len(lakeLog(t, ws)); n != 1 {
		t.Errorf("%d lake versions, want 1", n)
	}
	if ids, _ := nightly.IDs(filepath.Join(ws, "state", "runs")); len(ids) != 2 {
		t.Errorf("run records %v, want two (the run that did not get the lock writes none)", ids)
	}
}

// killCase is one way TestRunSIGKILL kills a run: at a named point of pipeline/run's hook,
// or after a delay.
type killCase struct {
	point string
	delay time.Duration
}

func (k killCase) String() string {
	if k.point != "" {
		return "at " + strconv.Quote(k.point)
	}
	return "after " + k.delay.String()
}

// TestRunSIGKILL kills `outcomes run` with SIGKILL at random points (while ingesting, between
// a commit and its move, while moving, while summarizing, before the final record), then lets
// the next run finish. Every inbox file must end up ingested exactly once (one lake version
// per distinct sha256) and archived or rejected exactly once, with no run left "running".
// Print the seeds; -run-seed N reruns one.
func TestRunSIGKILL(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("kills subprocesses; skipped with -short")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.Mkdir(src, 0o755)
	var files []string
	for i, clients := range []int{1500, 300, 2500, 200} {
		f := filepath.Join(src, fmt.Sprintf("export-%d.csv", i+1))
		genExport(t, f, clients, uint64(i+1))
		files = append(files, f)
	}
	// The same bytes under another name (a duplicate) and an unreadable file.
	dup := filepath.Join(src, "export-2-again.csv")
	copyFile(t, files[1], dup)
	bad := filepath.Join(src, "export-5.xlsx")
	os.WriteFile(bad, []byte("not a spreadsheet"), 0o644)
	files = append(files, dup, bad)
	slices.Sort(files)

	// An undisturbed run, to spread the random kills over it.
	start := time.Now()
	ref := newRunWorkspace(t, filepath.Join(dir, "ref"), files...)
	cmd, stderr := runCommand(ref, "")
	if err := cmd.Run(); exitCode(err) != 3 {
		t.Fatalf("undisturbed run: %v\n%s", err, stderr)
	}
	took := time.Since(start)
	t.Logf("undisturbed run: %v", took)

	seeds := make([]int, 0, *runSeeds)
	for s := 1; s <= *runSeeds; s++ {
		seeds = append(seeds, s)
	}
	if *runSeed0 != 0 {
		seeds = []int{*runSeed0}
	}
	for _, seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 8))
		// One or two kills in a row, each at a named point still ahead (even draws) or after
		// a random delay.
		ws := newRunWorkspace(t, filepath.Join(dir, fmt.Sprintf("seed%d", seed)), files...)
		atPoints := 0 // runs killed at a named point: each left a record that must be marked crashed
		for range 1 + r.IntN(2) {
			k := killCase{delay: time.Duration(r.Int64N(int64(took) * 12 / 10))}
			if r.IntN(2) == 0 {
				points := killPoints(t, ws)
				k = killCase{point: points[r.IntN(len(points))]}
			}
			t.Logf("seed %d: kill %v", seed, k)
			if killRun(t, ws, k) && k.point != "" {
				atPoints++
			}
		}
		code, out := runOutcomes("--workspace", ws, "run")
		if code != 0 && code != 3 {
			t.Fatalf("seed %d: the run after the kills: exit %d\n%s", seed, code, out)
		}
		checkExactlyOnce(t, seed, ws, files, bad, atPoints)
	}
}

// killPoints returns the hook points a run of ws will pass: the steps', and each inbox
// file's.
func killPoints(t *testing.T, ws string) []string {
	t.Helper()
	points := []string{"locked", "step summarize", "done summarize", "step report", "done report", "step retention", "final"}
	entries, err := os.ReadDir(filepath.Join(ws, "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		points = append(points, "ingest "+e.Name(), "committed "+e.Name(), "moved "+e.Name())
	}
	return points
}

// killRun runs outcomes run in ws and SIGKILLs it as k says; it reports whether the kill
// landed (the run may have finished first).
func killRun(t *testing.T, ws string, k killCase) bool {
	t.Helper()
	hook := ""
	if k.point != "" {
		hook = "kill " + k.point
	}
	cmd, stderr := runCommand(ws, hook)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if k.point == "" {
		time.Sleep(k.delay)
		cmd.Process.Signal(syscall.SIGKILL)
	}
	err := cmd.Wait()
	t.Logf("  killed %v: %v; last line: %s", k, err, lastLine(stderr.String()))
	st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && st.Signaled() && st.Signal() == syscall.SIGKILL
}

// checkExactlyOnce checks the invariant of a finished run: each distinct file's sha256 in
// exactly one lake version, each inbox file once in archive/ or rejected/ (the unreadable
// one in rejected/ with its reason), an empty inbox, no run still "running" (at least
// crashed runs marked crashed), no temporaries, a verified lake, and a current summary and
// report.
func checkExactlyOnce(t *testing.T, seed int, ws string, files []string, bad string, crashed int) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d: %s", seed, fmt.Sprintf(format, args...))
	}
	want := map[string]bool{} // sha256 of the readable files
	for _, f := range files {
		if f != bad {
			want[sha256File(t, f)] = true
		}
	}
	log := lakeLog(t, ws)
	got := map[string]int{}
	for _, c := range log {
		got[c.Source.SHA256]++
	}
	for sum := range want {
		if got[sum] != 1 {
			fail("sha256 %s… is in %d lake versions, want 1", sum[:12], got[sum])
		}
	}
	if len(log) != len(want) {
		fail("%d lake versions for %d distinct files", len(log), len(want))
	}
	placed := map[string][]string{}
	for _, top := range []string{"archive", "rejected", "inbox"} {
		filepath.WalkDir(filepath.Join(ws, top), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".reason.txt") {
				rel, _ := filepath.Rel(ws, p)
				placed[filepath.Base(p)] = append(placed[filepath.Base(p)], rel)
			}
			return nil
		})
	}
	for _, f := range files {
		name := filepath.Base(f)
		where := placed[name]
		wantDir := "archive"
		if f == bad {
			wantDir = "rejected"
		}
		if len(where) != 1 || !strings.HasPrefix(where[0], wantDir+string(filepath.Separator)) {
			fail("%s is at %v, want once in %s/", name, where, wantDir)
		}
		if f == bad && !exists(filepath.Join(ws, where[0]+".reason.txt")) {
			fail("%s has no reason.txt", where[0])
		}
		delete(placed, name)
	}
	if len(placed) != 0 {
		fail("unexpected files %v", placed)
	}
	recs, err := nightly.Records(filepath.Join(ws, "state", "runs"))
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, r := range recs {
		switch {
		case r.Status == nightly.Running:
			fail("run %s is still marked running", r.ID)
		case r.Status == nightly.Crashed && r.CrashedFound == "":
			fail("run %s is crashed, found by no run", r.ID)
		case r.Status == nightly.Crashed:
			marked++
		}
	}
	if marked < crashed {
		fail("%d runs marked crashed, want at least %d", marked, crashed)
	}
	last := recs[len(recs)-1]
	if last.Status != nightly.OK && last.Status != nightly.Attention {
		fail("the last run is %s: %s", last.Status, last.Error)
	}
	// Some finished run told a person of the rejected file, even when the run that rejected
	// it was killed: the next run carries a crashed run's alerts.
	told := false
	for _, r := range recs {
		for _, a := range r.Alerts {
			told = told || r.Status == nightly.Attention && strings.Contains(a, "inbox/"+filepath.Base(bad)+" rejected")
		}
	}
	if !told {
		fail("no finished run asked a person to look at the rejected %s", filepath.Base(bad))
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "verify"); code != 0 {
		fail("lake verify: exit %d\n%s", code, out)
	}
	sum := summaryOf(t, last)
	if sum == nil || sum.Snapshot != int64(len(log)) {
		fail("the summary is not of the latest lake version %d: %+v", len(log), sum)
	}
	if rep := stepOutput(last, "report"); rep == "" || !exists(rep) {
		fail("no report.html: report step output %q", rep)
	}
	var tmp []string
	filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		inReports := strings.Contains(p, string(filepath.Separator)+"reports"+string(filepath.Separator))
		if err == nil && (strings.HasPrefix(d.Name(), ".outcomes-tmp-") || inReports && strings.HasPrefix(d.Name(), ".")) {
			tmp = append(tmp, p)
		}
		return nil
	})
	if len(tmp) > 0 {
		fail("temporary files left: %v", tmp)
	}
}

// stepOutput returns the output of step name in rec ("" if none).
func stepOutput(rec *nightly.Record, name string) string {
	for _, s := range rec.Steps {
		if s.Name == name {
			return s.Output
		}
	}
	return ""
}

// summaryOf reads the summary.json that the newest ok summarize step of rec (or of an earlier
// run, when rec found it up to date) points to.
func summaryOf(t *testing.T, rec *nightly.Record) *summary.Summary {
	t.Helper()
	for _, s := range rec.Steps {
		if s.Name == "summarize" && s.Output != "" {
			sum, err := summary.Read(s.Output)
			if err != nil {
				t.Fatal(err)
			}
			return sum
		}
	}
	return nil
}

// TestRunSIGTERM stops runs with SIGTERM and SIGINT between two files and in the middle of
// an ingest: exit 143 or 130, the record says interrupted, the file being ingested is
// finished (in the lake and archived), no later file is started, and the lock is released
// for the next run.
func TestRunSIGTERM(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("signals subprocesses; skipped with -short")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	genExport(t, a, 200, 1)
	genExport(t, b, 20000, 2)
	cases := []struct {
		name  string
		sig   syscall.Signal
		hook  string
		after string        // signal once stderr says this,
		delay time.Duration // and this much later
		code  int
	}{
		{"SIGTERM between files", syscall.SIGTERM, "pause 30s ingest b.csv", "test hook: paused", 0, 143},
		{"SIGINT between files", syscall.SIGINT, "pause 30s ingest b.csv", "test hook: paused", 0, 130},
		{"SIGTERM while ingesting", syscall.SIGTERM, "", "file=a.csv status=ingested", 30 * time.Millisecond, 143},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := newRunWorkspace(t, filepath.Join(dir, strconv.Itoa(i)), a, b)
			cmd, stderr := runCommand(ws, tc.hook)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, stderr, tc.after)
			time.Sleep(tc.delay)
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			if exitCode(err) != tc.code {
				t.Fatalf("exit %d, want %d\n%s", exitCode(err), tc.code, stderr)
			}
			line := lastLine(stderr.String())
			if !strings.Contains(line, fmt.Sprintf("interrupted (exit %d)", tc.code)) {
				t.Errorf("last line %q does not say interrupted", line)
			}
			recs, _ := nightly.Records(filepath.Join(ws, "state", "runs"))
			if len(recs) != 1 || recs[0].Status != nightly.Interrupted || recs[0].ExitCode == nil || *recs[0].ExitCode != tc.code {
				t.Fatalf("records %+v, want one interrupted with exit %d", recs, tc.code)
			}
			t.Logf("%s: %s", tc.name, recs[0].Summary)
			// Whatever was committed is archived, and the rest is still in the inbox.
			committed := map[string]bool{}
			for _, c := range lakeLog(t, ws) {
				committed[c.Source.Name] = true
			}
			for _, n := range []string{"a.csv", "b.csv"} {
				inInbox := exists(filepath.Join(ws, "inbox", n))
				if committed[n] == inInbox {
					t.Errorf("%s: committed %v, still in the inbox %v", n, committed[n], inInbox)
				}
			}
			if tc.hook != "" && (!committed["a.csv"] || committed["b.csv"]) {
				t.Errorf("stopped before b.csv: commits %v, want a.csv only", committed)
			}
			if tc.hook == "" && !committed["b.csv"] {
				t.Errorf("stopped while ingesting b.csv: commits %v, want b.csv finished", committed)
			}
			// The lock is free, and the next run finishes the job.
			if code, out := runOutcomes("--workspace", ws, "run"); code != 0 {
				t.Fatalf("the next run: exit %d\n%s", code, out)
			}
			if n := len(lakeLog(t, ws)); n != 2 {
				t.Errorf("%d lake versions after the next run, want 2", n)
			}
		})
	}
}

// TestRunSettle leaves a file modified within inbox.settle for the next run.
func TestRunSettle(t *testing.T) {
	dir := t.TempDir()
	ws := newRunWorkspace(t, dir)
	os.WriteFile(filepath.Join(ws, workspace.ConfigFile), []byte("inbox:\n  settle: 2s\n"), 0o644)
	genExport(t, filepath.Join(ws, "inbox", "fresh.csv"), 50, 1)
	code, out := runOutcomes("--workspace", ws, "run")
	if code != 0 || !strings.Contains(out, "1 waiting for the next run") || len(lakeLog(t, ws)) != 0 {
		t.Fatalf("run with a fresh file: exit %d\n%s", code, out)
	}
	old := time.Now().Add(-3 * time.Second)
	os.Chtimes(filepath.Join(ws, "inbox", "fresh.csv"), old, old)
	code, out = runOutcomes("--workspace", ws, "run")
	if code != 0 || !strings.Contains(out, "1 file ingested") || len(lakeLog(t, ws)) != 1 {
		t.Fatalf("run once settled: exit %d\n%s", code, out)
	}
}

// TestRunSIGKILLCarriesAlerts kills a run right after it rejected a file and before it saved
// its record: the next run exits 3 for the crashed run's rejection, and runs lists the crashed
// run with the file it rejected and the lake version it committed.
func TestRunSIGKILLCarriesAlerts(t *testing.T) {
	dir := t.TempDir()
	genExport(t, filepath.Join(dir, "a.csv"), 50, 1)
	os.WriteFile(filepath.Join(dir, "b.xlsx"), []byte("not a spreadsheet"), 0o644)
	ws := newRunWorkspace(t, dir, filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.xlsx"))
	if !killRun(t, ws, killCase{point: "moved b.xlsx"}) {
		t.Fatal("the run was not killed")
	}
	code, out := runOutcomes("--workspace", ws, "run")
	if code != 3 || !regexp.MustCompile(`needs attention: run \S+ \(crashed\): inbox/b\.xlsx rejected: see rejected/\S+/b\.xlsx\.reason\.txt`).MatchString(lastLine(out)) {
		t.Fatalf("the run after the kill: exit %d, want 3 naming the crashed run's rejection\n%s", code, out)
	}
	code, out = runOutcomes("--workspace", ws, "runs")
	if code != 0 || !regexp.MustCompile(`(?m)^\S+\s+crashed\s+-\s+-\s+0→1\s+1\s+0\s+1\s+0$`).MatchString(out) {
		t.Errorf("runs: exit %d; want the crashed run with lake 0→1, 1 ingested, 1 rejected\n%s", code, out)
	}
	if code, out := runOutcomes("--workspace", ws, "run"); code != 0 {
		t.Errorf("the run after that: exit %d, want 0\n%s", code, out)
	}
}

// TestLockedWaitHint: a command refused for a held lock suggests --wait only if it has it.
func TestLockedWaitHint(t *testing.T) {
	dir := t.TempDir()
	ws := newRunWorkspace(t, dir)
	genExport(t, filepath.Join(dir, "a.csv"), 20, 1)
	defer holdLock(t, ws).Unlock()
	for _, c := range []struct {
		args []string
		hint bool
	}{
		{[]string{"ingest", filepath.Join(dir, "a.csv")}, false},
		{[]string{"run"}, true},
		{[]string{"lake", "vacuum"}, true},
	} {
		code, out := runOutcomes(append([]string{"--workspace", ws}, c.args...)...)
		if code != 75 || !strings.Contains(out, "held by pid") || strings.Contains(out, "(or use --wait)") != c.hint {
			t.Errorf("%v with the lock held: exit %d, want 75 and --wait suggested: %v\n%s", c.args, code, c.hint, out)
		}
	}
}

// TestRunInboxSymlink: a symbolic link in the inbox is left alone, but the run exits 3 and
// says what it is and what to do, in the summary line and in runs show, until it is gone.
func TestRunInboxSymlink(t *testing.T) {
	dir := t.TempDir()
	ws := newRunWorkspace(t, dir)
	genExport(t, filepath.Join(dir, "real.csv"), 50, 1)
	link := filepath.Join(ws, "inbox", "link.csv")
	if err := os.Symlink(filepath.Join(dir, "real.csv"), link); err != nil {
		t.Fatal(err)
	}
	const msg = "inbox/link.csv is a symbolic link: the run takes only regular files; move the file itself into inbox/"
	for i := range 2 {
		code, out := runOutcomes("--workspace", ws, "run")
		if code != 3 || !strings.Contains(lastLine(out), "needs attention: "+msg) || len(lakeLog(t, ws)) != 0 {
			t.Fatalf("run %d with a link in the inbox: exit %d, want 3 naming it\n%s", i+1, code, out)
		}
		if _, err := os.Lstat(link); err != nil {
			t.Fatalf("run %d moved the link: %v", i+1, err)
		}
	}
	if code, out := runOutcomes("--workspace", ws, "runs", "show"); code != 0 || !strings.Contains(out, "needs attention: "+msg) {
		t.Errorf("runs show: exit %d\n%s", code, out)
	}
	os.Remove(link)
	os.Rename(filepath.Join(dir, "real.csv"), filepath.Join(ws, "inbox", "real.csv"))
	if code, out := runOutcomes("--workspace", ws, "run"); code != 0 || !strings.Contains(out, "1 file ingested") {
		t.Fatalf("run once the file itself is in the inbox: exit %d\n%s", code, out)
	}
}

func waitFor(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(buf.String(), s) {
			return
		}
	}
	t.Fatalf("no %q in:\n%s", s, buf)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// holdLock takes the lock of workspace ws, as another process holding it would; the caller
// unlocks it.
func holdLock(t *testing.T, ws string) *lock.Lock {
	t.Helper()
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	lk, err := lock.Acquire(t.Context(), w.LockPath(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return lk
}
