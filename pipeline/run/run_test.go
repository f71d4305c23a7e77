package run

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/internal/lock"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

var testToday = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func TestScanInbox(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	files := []struct {
		name string
		age  time.Duration
	}{
		{"b.csv", time.Hour}, {"a.csv", time.Hour}, {"fresh.csv", time.Second},
		{".hidden.csv", time.Hour}, {"up.csv.part", time.Hour}, {"x.tmp", 48 * time.Hour},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, now.Add(-f.age), now.Add(-f.age))
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	s, err := scanInbox(dir, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	names := func(fs []inboxFile) []string {
		var n []string
		for _, f := range fs {
			n = append(n, f.Name)
		}
		return n
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"stable", names(s.Stable), []string{"a.csv", "b.csv"}},
		{"waiting", names(s.Waiting), []string{"fresh.csv"}},
		{"partial", names(s.Partial), []string{"up.csv.part", "x.tmp"}},
		{"other", others(s.Other), []string{"sub"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

func others(o []otherEntry) []string {
	var n []string
	for _, e := range o {
		n = append(n, e.Name)
	}
	return n
}

// TestRunInboxNotRegular: a symbolic link, a directory and a FIFO in the inbox are never read
// or moved, and each asks a person to look (exit 3, named in the record's alerts) in every
// run until a person removes it.
func TestRunInboxNotRegular(t *testing.T) {
	w := testWorkspace(t, "a.csv")
	inbox := w.InboxDir()
	target := filepath.Join(t.TempDir(), "real.csv")
	os.WriteFile(target, []byte("x"), 0o644)
	odd := map[string]string{
		"link.csv": "inbox/link.csv is a symbolic link: the run takes only regular files; move the file itself into inbox/",
		"more":     "inbox/more is a directory: the run takes only regular files; move its files into inbox/ itself and remove the directory",
		"pipe.csv": "inbox/pipe.csv is a named pipe (FIFO): the run takes only regular files; remove it and put the exported file itself into inbox/",
	}
	if err := os.Symlink(target, filepath.Join(inbox, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(inbox, "more"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(inbox, "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second run again: nobody acted yet
		rec, err := Run(t.Context(), testOptions(t, w))
		if exit.Code(err) != exit.Attention || rec.Status != Attention || *rec.ExitCode != exit.Attention {
			t.Fatalf("run %d: %v (exit %d), status %s; want attention, exit 3", i+1, err, exit.Code(err), rec.Status)
		}
		for _, name := range slices.Sorted(maps.Keys(odd)) {
			if !slices.Contains(rec.Alerts, odd[name]) || !strings.Contains(rec.Summary, odd[name]) {
				t.Errorf("run %d: alerts %q, summary %q; want %q", i+1, rec.Alerts, rec.Summary, odd[name])
			}
			if _, err := os.Lstat(filepath.Join(inbox, name)); err != nil {
				t.Errorf("run %d: inbox/%s was touched: %v", i+1, name, err)
			}
		}
		saved, err := ReadRecord(w.RunsDir(), rec.ID)
		if err != nil || len(saved.Alerts) != len(odd) {
			t.Errorf("run %d: saved record alerts %v, %v", i+1, saved.Alerts, err)
		}
		if i == 0 && rec.Counts.Ingested != 1 {
			t.Errorf("the regular file beside them: %+v, want ingested", rec.Counts)
		}
	}
	for name := range odd {
		os.RemoveAll(filepath.Join(inbox, name))
	}
	if rec, err := Run(t.Context(), testOptions(t, w)); err != nil || len(rec.Alerts) != 0 {
		t.Errorf("after a person removed them: %v, alerts %q", err, rec.Alerts)
	}
}

// TestRunInboxFuture: a file modified further in the future than the tolerance (an hour, or
// inbox.settle if longer) is not ingested and asks a person to look (exit 3); one within it
// waits to settle as any fresh file does.
func TestRunInboxFuture(t *testing.T) {
	now := time.Date(2025, 6, 30, 2, 15, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		settle time.Duration
		ahead  time.Duration
		alert  bool
	}{
		{"30m ahead, settle 0", 0, 30 * time.Minute, false},
		{"2h ahead, settle 0", 0, 2 * time.Hour, true},
		{"2h ahead, settle 3h", 3 * time.Hour, 2 * time.Hour, false},
		{"4h ahead, settle 3h", 3 * time.Hour, 4 * time.Hour, true},
		{"in 2099", 0, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).Sub(now), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := testWorkspace(t, "a.csv", "b.csv")
			w.Config.Inbox.Settle = workspace.Duration(c.settle)
			a, b := filepath.Join(w.InboxDir(), "a.csv"), filepath.Join(w.InboxDir(), "b.csv")
			old, future := now.Add(-24*time.Hour), now.Add(c.ahead)
			os.Chtimes(a, old, old)
			os.Chtimes(b, future, future)
			opt := testOptions(t, w)
			opt.Now = func() time.Time { return now }
			rec, err := Run(t.Context(), opt)
			want := "inbox/b.csv was modified at " + future.Format(time.RFC3339) + ", " + c.ahead.String() +
				" ahead of this run's clock: a clock is wrong, and the file would wait to settle until then; " +
				"it was not ingested. Check the clock of the machine that wrote it, then touch the file"
			switch {
			case c.alert && (exit.Code(err) != exit.Attention || !slices.Equal(rec.Alerts, []string{want})):
				t.Errorf("Run: %v (exit %d), alerts %q; want exit 3 and %q", err, exit.Code(err), rec.Alerts, want)
			case !c.alert && (err != nil || rec.Counts.Waiting != 1):
				t.Errorf("Run: %v, %+v; want exit 0, b.csv waiting", err, rec.Counts)
			}
			if rec.Counts.Ingested != 1 || !exists(b) {
				t.Errorf("%+v; want a.csv ingested, b.csv left in the inbox", rec.Counts)
			}
		})
	}
}

func TestFreeName(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "a~2.csv"), nil, 0o644)
	got, err := freeName(dir, "a.csv")
	if err != nil || filepath.Base(got) != "a~3.csv" {
		t.Errorf("freeName = %q, %v; want a~3.csv", got, err)
	}
}

// testWorkspace makes a workspace with settle 0 and the given files in its inbox.
func testWorkspace(t *testing.T, inbox ...string) *workspace.Workspace {
	t.Helper()
	w, err := workspace.Init(filepath.Join(t.TempDir(), "ws"))
	if err != nil {
		t.Fatal(err)
	}
	w.Config.Inbox.Settle = 0
	for i, name := range inbox {
		_, err := synth.WriteFile(t.Context(), filepath.Join(w.InboxDir(), name), source.FormatCSV,
			synth.Config{Clients: 30, Seed: uint64(i + 1), Today: testToday})
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// testWorkspaceFile writes a synthetic export into w's inbox.
func testWorkspaceFile(t *testing.T, w *workspace.Workspace, name string, seed uint64) {
	t.Helper()
	_, err := synth.WriteFile(t.Context(), filepath.Join(w.InboxDir(), name), source.FormatCSV,
		synth.Config{Clients: 30, Seed: seed, Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeStep is a derived step that counts its calls and writes an output file.
type fakeStep struct {
	calls int
	fail  error
	out   string
}

func (f *fakeStep) step(name string) Step {
	return Step{Name: name, Derived: true, Do: func(ctx context.Context, e *Env) error {
		f.calls++
		if f.fail != nil {
			return f.fail
		}
		f.out = filepath.Join(e.Workspace.ReportsDir(), name+".txt")
		e.SetOutput(f.out)
		return os.WriteFile(f.out, []byte("done"), 0o644)
	}}
}

func testOptions(t *testing.T, w *workspace.Workspace, steps ...Step) Options {
	key, err := w.Key("")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Workspace: w, Today: testToday, ProgramVersion: "test", PlanSHA256: "plan1",
		Steps: append([]Step{IngestStep(pseudo.NewHasher(key))}, steps...)}
}

func TestRunGating(t *testing.T) {
	w := testWorkspace(t, "a.csv", "b.csv")
	var sum fakeStep
	opt := testOptions(t, w, sum.step("summarize"), Step{Name: "report", Derived: true})
	rec, err := Run(t.Context(), opt)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if rec.Status != OK || rec.Counts.Ingested != 2 || rec.SnapshotAfter != 2 || sum.calls != 1 {
		t.Fatalf("first run: %s, %+v, snapshot %d, summarize called %d times", rec.Status, rec.Counts, rec.SnapshotAfter, sum.calls)
	}
	if c := rec.Steps[0].Counts; c["files_ingested"] != 2 || c["rows_read"] != rec.Counts.RowsRead {
		t.Errorf("ingest step counts %v, record counts %+v", c, rec.Counts)
	}
	if got := stepStatus(rec, "report"); got != StepNotAvailable {
		t.Errorf("report: %s, want not_available", got)
	}
	if !strings.Contains(rec.Summary, "report: not available in this build") {
		t.Errorf("summary %q does not say report is not available", rec.Summary)
	}

	// Nothing new: no work.
	rec, err = Run(t.Context(), opt)
	if err != nil || sum.calls != 1 || stepStatus(rec, "summarize") != StepUpToDate {
		t.Fatalf("second run: %v, summarize %s, called %d times", err, stepStatus(rec, "summarize"), sum.calls)
	}
	if !strings.Contains(rec.Summary, "nothing new: summarize of snapshot 2 is current") {
		t.Errorf("summary %q", rec.Summary)
	}

	// A new plan, a new program, a removed output: each runs the step again.
	for i, change := range []func(){
		func() { opt.PlanSHA256 = "plan2" },
		func() { opt.ProgramVersion = "test2" },
		func() { os.Remove(sum.out) },
	} {
		change()
		if _, err := Run(t.Context(), opt); err != nil || sum.calls != i+2 {
			t.Fatalf("change %d: %v, summarize called %d times, want %d", i, err, sum.calls, i+2)
		}
	}
}

func TestRunFailedStep(t *testing.T) {
	w := testWorkspace(t, "a.csv")
	bad := fakeStep{fail: errors.New("disk on fire")}
	var later fakeStep
	rec, err := Run(t.Context(), testOptions(t, w, bad.step("summarize"), later.step("report")))
	if exit.Code(err) != exit.Failed || rec.Status != Failed || *rec.ExitCode != exit.Failed {
		t.Fatalf("Run: %v (exit %d), status %s; want failed, exit 1", err, exit.Code(err), rec.Status)
	}
	if later.calls != 0 || stepStatus(rec, "report") != StepSkipped || !strings.Contains(rec.Error, "disk on fire") {
		t.Errorf("after a failed step: report %s, called %d; error %q", stepStatus(rec, "report"), later.calls, rec.Error)
	}
	// The failed step has no ok record: the next run retries it.
	bad.fail = nil
	if _, err := Run(t.Context(), testOptions(t, w, bad.step("summarize"))); err != nil || bad.calls != 2 {
		t.Fatalf("retry: %v, calls %d", err, bad.calls)
	}
}

func TestRunAttentionStep(t *testing.T) {
	w := testWorkspace(t, "a.csv")
	refuse := fakeStep{fail: exit.Attentionf("nothing published: too few clients")}
	var later fakeStep
	rec, err := Run(t.Context(), testOptions(t, w, refuse.step("publish"), later.step("notebook")))
	if exit.Code(err) != exit.Attention || rec.Status != Attention || stepStatus(rec, "publish") != StepAttention {
		t.Fatalf("Run: %v (exit %d), status %s, publish %s; want attention, exit 3", err, exit.Code(err), rec.Status, stepStatus(rec, "publish"))
	}
	if later.calls != 1 || !strings.Contains(rec.Summary, "needs attention: publish: nothing published: too few clients") {
		t.Errorf("later step called %d times; summary %q", later.calls, rec.Summary)
	}
	// A refusal is not a success: the next run tries again.
	if _, err := Run(t.Context(), testOptions(t, w, refuse.step("publish"))); exit.Code(err) != exit.Attention || refuse.calls != 2 {
		t.Errorf("second run: %v, publish called %d times", err, refuse.calls)
	}
}

func TestRunLocked(t *testing.T) {
	w := testWorkspace(t)
	lk, err := lock.Acquire(t.Context(), w.LockPath(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	_, err = Run(t.Context(), testOptions(t, w))
	var held *lock.HeldError
	if exit.Code(err) != exit.Locked || !errors.As(err, &held) || held.PID != os.Getpid() {
		t.Fatalf("Run with the lock held: %v, want exit 75 naming pid %d", err, os.Getpid())
	}
	if ids, _ := IDs(w.RunsDir()); len(ids) != 0 {
		t.Errorf("a run without the lock wrote records %v", ids)
	}
}

func TestRunInterrupted(t *testing.T) {
	for _, term := range []bool{false, true} {
		w := testWorkspace(t, "a.csv", "b.csv")
		ctx, cancel := context.WithCancel(t.Context())
		opt := testOptions(t, w)
		opt.Terminated = func() bool { return term }
		opt.Hook = func(_ context.Context, point string) {
			if point == "moved a.csv" {
				cancel()
			}
		}
		rec, err := Run(ctx, opt)
		want := map[bool]int{false: exit.Interrupted, true: exit.Terminated}[term]
		if exit.Code(err) != want || rec.Status != Interrupted || *rec.ExitCode != want {
			t.Fatalf("terminated=%v: %v (exit %d), status %s; want interrupted, exit %d", term, err, exit.Code(err), rec.Status, want)
		}
		if rec.Counts.Ingested != 1 || !exists(filepath.Join(w.InboxDir(), "b.csv")) {
			t.Errorf("terminated=%v: %d files ingested; b.csv must stay in the inbox", term, rec.Counts.Ingested)
		}
		cancel()
	}
}

func TestRunRecovers(t *testing.T) {
	w := testWorkspace(t, "a.csv")
	w.Config.Runs.Keep = 2
	stale := &Record{ID: "20200101T000000.000Z", Status: Running, Steps: []StepRecord{}}
	if err := writeRecord(w.RunsDir(), stale); err != nil {
		t.Fatal(err)
	}
	orphans := []string{
		filepath.Join(w.RunsDir(), tmpPrefix+"123"),
		filepath.Join(w.ArchiveDir(), "2025-01-01", tmpPrefix+"9"),
		filepath.Join(w.ReportsDir(), "2025-01-01", ".summary.json-42"),
	}
	for _, p := range orphans {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	old := filepath.Join(w.ArchiveDir(), "2000-01-01")
	os.MkdirAll(old, 0o755)
	// A data file a crashed writer left: no lake version refers to it.
	lakeOrphan := filepath.Join(w.LakeDir(), "warehouse", "cst", "sessions", "data",
		"session_date_year=2024", "v000099-0badf00d-00001.parquet")
	os.MkdirAll(filepath.Dir(lakeOrphan), 0o755)
	os.WriteFile(lakeOrphan, []byte("PAR1"), 0o644)
	rec, err := Run(t.Context(), testOptions(t, w))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Summary, "1 warning (outcomes runs show "+rec.ID+")") {
		t.Errorf("summary %q does not mention the crashed run's warning", rec.Summary)
	}
	got, err := ReadRecord(w.RunsDir(), stale.ID)
	if err != nil || got.Status != Crashed || got.CrashedFound != rec.ID {
		t.Fatalf("stale record: %+v, %v; want crashed, found by %s", got, err, rec.ID)
	}
	for _, p := range append(orphans, old, lakeOrphan) {
		if exists(p) {
			t.Errorf("%s was not removed", p)
		}
	}
	// runs.keep = 2: after two more runs, only the newest two records remain.
	Run(t.Context(), testOptions(t, w))
	last, _ := Run(t.Context(), testOptions(t, w))
	ids, _ := IDs(w.RunsDir())
	if len(ids) != 2 || ids[1] != last.ID {
		t.Errorf("records after retention: %v", ids)
	}
}

// crashAt runs opt until the hook point, where it panics: as for SIGKILL, the record says
// running with what was saved so far (the lock and the lake are released by the panic).
func crashAt(t *testing.T, opt Options, point string) {
	t.Helper()
	type crash struct{}
	opt.Hook = func(_ context.Context, p string) {
		if p == point {
			panic(crash{})
		}
	}
	defer func() {
		if v := recover(); v != (crash{}) {
			t.Fatalf("run did not crash at %q: %v", point, v)
		}
	}()
	Run(t.Context(), opt)
}

// TestRunCarriesCrashedAlerts: the alerts of a crashed run, those saved in its record and
// those of work it did after its last save (a commit, a rejection), are completed in its
// record and carried into the next run, which exits 3 for them; the run after that does not.
func TestRunCarriesCrashedAlerts(t *testing.T) {
	const quarantined = "inbox/a.csv: 7 of 50 rows quarantined (above quarantine.alert_share 0)"
	for _, c := range []struct {
		point      string
		wantAlerts []string // the crashed run's, as the next run completes them
		wantFiles  FileCounts
	}{
		{"committed a.csv", []string{quarantined}, FileCounts{Ingested: 1}},
		{"moved b.xlsx", []string{quarantined, "inbox/b.xlsx rejected: see rejected/2025-06-30/b.xlsx.reason.txt"},
			FileCounts{Ingested: 1, Archived: 1, Rejected: 1}},
	} {
		t.Run(c.point, func(t *testing.T) {
			w := testWorkspace(t)
			_, err := synth.WriteFile(t.Context(), filepath.Join(w.InboxDir(), "a.csv"), source.FormatCSV,
				synth.Config{Clients: 10, Seed: 1, Today: testToday, BadShare: 0.2})
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(w.InboxDir(), "b.xlsx"), []byte("not a spreadsheet"), 0o644)
			crashAt(t, testOptions(t, w), c.point)
			ids, _ := IDs(w.RunsDir())

			rec, err := Run(t.Context(), testOptions(t, w))
			if exit.Code(err) != exit.Attention {
				t.Fatalf("the next run: %v (exit %d), want exit 3", err, exit.Code(err))
			}
			crashed, err := ReadRecord(w.RunsDir(), ids[0])
			if err != nil || crashed.Status != Crashed {
				t.Fatalf("crashed record: %+v, %v", crashed, err)
			}
			if !slices.Equal(crashed.Alerts, c.wantAlerts) || crashed.SnapshotBefore != 0 || crashed.SnapshotAfter != 1 {
				t.Errorf("crashed record: alerts %q, lake %d → %d; want %q, 0 → 1", crashed.Alerts,
					crashed.SnapshotBefore, crashed.SnapshotAfter, c.wantAlerts)
			}
			if k := crashed.Counts; k.Ingested != c.wantFiles.Ingested || k.Archived != c.wantFiles.Archived || k.Rejected != c.wantFiles.Rejected || k.RowsRead != 50 {
				t.Errorf("crashed record counts %+v, want %+v and 50 rows read", k, c.wantFiles)
			}
			for _, a := range c.wantAlerts {
				if want := "run " + crashed.ID + " (crashed): " + a; !slices.Contains(rec.Alerts, want) {
					t.Errorf("the next run's alerts %q lack %q", rec.Alerts, want)
				}
			}
			if _, err := Run(t.Context(), testOptions(t, w)); err != nil {
				t.Errorf("the run after: %v, want exit 0: the alerts were told once", err)
			}
		})
	}
}

// TestRunHintWarning: a commit whose version hint (version-hint.text) cannot be replaced is
// committed, and the run record says so with a warning rather than as a plain success.
func TestRunHintWarning(t *testing.T) {
	w := testWorkspace(t, "a.csv")
	if _, err := Run(t.Context(), testOptions(t, w)); err != nil {
		t.Fatal(err)
	}
	// A directory in the hint's place: the catalog's rename onto it fails.
	hint := filepath.Join(w.LakeDir(), "warehouse", "cst", "sessions", "metadata", "version-hint.text")
	if err := os.Remove(hint); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(hint, "x"), 0o755)
	testWorkspaceFile(t, w, "b.csv", 2)
	rec, err := Run(t.Context(), testOptions(t, w))
	if err != nil || rec.Counts.Ingested != 1 || rec.SnapshotAfter != 2 {
		t.Fatalf("Run: %v, %+v, lake version %d; want b.csv committed as version 2", err, rec.Counts, rec.SnapshotAfter)
	}
	want := "lake: committed lake version, but its version hint (version-hint.text) was not updated: " +
		"outcomes is not affected; other engines may see an older version until the next commit; version: 2; error: "
	if !slices.ContainsFunc(rec.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) ||
		!strings.Contains(rec.Summary, "1 warning") {
		t.Errorf("warnings %q, summary %q; want one starting %q", rec.Warnings, rec.Summary, want)
	}
}

func stepStatus(rec *Record, name string) StepStatus {
	for _, s := range rec.Steps {
		if s.Name == name {
			return s.Status
		}
	}
	return ""
}
