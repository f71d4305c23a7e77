package run

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/internal/lock"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

// Options configure a run.
type Options struct {
	Workspace *workspace.Workspace
	// Wait is how long to wait for the workspace lock; 0 fails at once when it is held.
	Wait time.Duration
	// Steps run in order; see [Step]. [IngestStep] is usually first.
	Steps []Step
	// ProgramVersion and PlanSHA256 are inputs of every derived step.
	ProgramVersion string
	PlanSHA256     string
	Logger         *slog.Logger // nil: discard
	// Now gives the wall-clock times of the run record and of the inbox's settle rule (file
	// times are wall-clock times); nil: time.Now.
	Now func() time.Time
	// Today is the calendar date of every rule that depends on the date: the ingest's
	// future-date rule, the archive/<date>/ and rejected/<date>/ folders, the public bundle's
	// name and archive retention. Zero: the UTC date of Now() when the run starts.
	Today time.Time
	// Terminated reports whether the context was cancelled by SIGTERM (exit 143) rather than
	// SIGINT (exit 130); nil: never.
	Terminated func() bool
	// Hook, if set, is called at named points of the run ("locked", "ingest NAME",
	// "committed NAME", "moved NAME", "step NAME", "done NAME", "final"): the crash tests
	// kill or pause the process there. nil in production.
	Hook func(ctx context.Context, point string)
}

// Step is one step of a run: a name and a function. Steps run in order; after a step fails
// or the run is interrupted, the rest are recorded as skipped.
type Step struct {
	Name string
	// Product names what a derived step makes ("summary", "report"), for the final line.
	Product string
	// Derived steps compute their output from the lake snapshot, the plan and the program:
	// they run only when one of those (or Key) changed since the step last succeeded and its
	// output is still there, and not at all while the lake is empty.
	Derived bool
	// Key, if set, returns the step's own input (a notebook's sha256), part of its Inputs.
	Key func() (string, error)
	// Do runs the step. nil means the step is not available in this build: it is recorded as
	// not_available ("skipped: not available in this build"). An error marked
	// exit.ErrAttention (a refusal that wrote nothing) does not stop the run: the step is
	// recorded as attention and the run exits 3; any other error fails the run.
	Do func(ctx context.Context, e *Env) error
}

// Env is what a step sees of its run, and how it reports counts, outputs and findings.
type Env struct {
	Workspace *workspace.Workspace
	Lake      *lake.Lake
	Logger    *slog.Logger
	RunID     string
	Start     time.Time // the run's start (wall clock): the inbox's settle rule
	Today     time.Time // the run's date (Options.Today): the ingest date, archive/<date>/, retention
	Inputs    Inputs    // for a derived step, what it must use (Inputs.Snapshot: the lake version)

	r    *runner
	step int // index into r.rec.Steps
}

// Count adds n to the step's counter name.
func (e *Env) Count(name string, n int64) {
	s := &e.r.rec.Steps[e.step]
	if s.Counts == nil {
		s.Counts = map[string]int64{}
	}
	s.Counts[name] += n
}

// SetOutput records the file or directory the step wrote (a derived step whose output is
// gone runs again).
func (e *Env) SetOutput(path string) { e.r.rec.Steps[e.step].Output = path }

// OutputOf returns the output an earlier step of this run wrote or found current ("" if
// none): the report step reads the summary that summarize left.
func (e *Env) OutputOf(step string) string {
	for _, s := range e.r.rec.Steps[:e.step] {
		if s.Name == step && (s.Status == StepOK || s.Status == StepUpToDate) {
			return s.Output
		}
	}
	return ""
}

// Note records a short remark about the step.
func (e *Env) Note(msg string) { e.r.rec.Steps[e.step].Note = msg }

// Warn records a warning in the run record and logs it.
func (e *Env) Warn(msg string) {
	e.r.rec.Warnings = append(e.r.rec.Warnings, msg)
	e.Logger.Warn("run warning", "warning", msg)
}

// Attention records a finding that needs a person: the run exits 3.
func (e *Env) Attention(msg string) { e.r.alert(msg) }

// Hook calls the test hook, if any, at point.
func (e *Env) Hook(ctx context.Context, point string) { e.r.hook(ctx, point) }

// Save writes the run record as it stands (status running), so that a crash leaves it
// current; the ingest step saves after each file.
func (e *Env) Save() error { return e.r.save() }

// addFile records what happened to an inbox file and counts it.
func (e *Env) addFile(f FileRecord) {
	rec := e.r.rec
	rec.Files = append(rec.Files, f)
	c := &rec.Counts
	switch f.Status {
	case FileIngested:
		c.Ingested++
		c.Archived++
	case FileDuplicate:
		c.Duplicates++
		c.Archived++
	case FileRejected:
		c.Rejected++
	case FileWaiting:
		c.Waiting++
	}
	c.RowsRead += f.RowsRead
	c.RowsAccepted += f.RowsAccepted
	c.RowsQuarantined += f.RowsQuarantined
	c.RowsExcluded += f.RowsExcluded
	e.Count("files_"+string(f.Status), 1)
	if f.Status == FileIngested {
		e.Count("rows_read", f.RowsRead)
		e.Count("rows_accepted", f.RowsAccepted)
		e.Count("rows_quarantined", f.RowsQuarantined)
		e.Count("rows_excluded", f.RowsExcluded)
	}
}

// runner is one run in progress.
type runner struct {
	opt     Options
	w       *workspace.Workspace
	log     *slog.Logger
	rec     *Record
	prev    []*Record // earlier records, oldest first
	lake    *lake.Lake
	crashed []*Record // earlier runs found crashed: their lake files may be orphans
	err     error     // the first failure; context.Canceled when interrupted
}

// alert records a finding that needs a person (the run exits 3) in the record, so that a
// crash after it still leaves it for the next run to carry (see recover).
func (r *runner) alert(msg string) { r.rec.Alerts = append(r.rec.Alerts, msg) }

// Run runs the steps under the workspace lock and returns the final run record. The error
// carries the exit status (exit.Code): nil (0), needs attention (3), failed (1), lock held
// (75, no record is written), interrupted (130) or terminated (143). Its text is the final
// one-line summary, also in Record.Summary.
func Run(ctx context.Context, opt Options) (*Record, error) {
	opt = opt.withDefaults()
	lk, err := lock.Acquire(ctx, opt.Workspace.LockPath(), opt.Wait)
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	r, err := begin(ctx, opt)
	if err != nil {
		return nil, err
	}
	if r.lake != nil {
		defer r.lake.Close()
	}
	for _, s := range opt.Steps {
		r.runStep(ctx, s)
	}
	r.runStep(ctx, r.retentionStep())
	return r.finish(ctx)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Terminated == nil {
		o.Terminated = func() bool { return false }
	}
	return o
}

// begin recovers what a crashed run left, writes the new run record (status running) and
// opens the lake. An error here leaves no record of this run.
func begin(ctx context.Context, opt Options) (*runner, error) {
	w := opt.Workspace
	start := opt.Now().UTC()
	if opt.Today.IsZero() {
		opt.Today = start
	}
	r := &runner{opt: opt, w: w, log: opt.Logger}
	if err := mkdirAllSync(w.RunsDir()); err != nil {
		return nil, err
	}
	r.rec = &Record{
		ID: newID(w.RunsDir(), start), Status: Running, PID: os.Getpid(),
		ProgramVersion: opt.ProgramVersion, Started: start, PlanSHA256: opt.PlanSHA256,
		Steps: []StepRecord{}, Files: []FileRecord{}, Warnings: []string{},
	}
	r.log = r.log.With("run", r.rec.ID)
	// The lake is opened before recovery, which reads a crashed run's commits from its log.
	l, lerr := lake.Open(ctx, w.LakeDir(), lake.Options{Logger: slog.New(lakeHandler{r.log.Handler(), r})})
	r.lake = l
	r.recover(ctx, start)
	if err := r.save(); err != nil {
		if l != nil {
			l.Close()
		}
		return nil, fmt.Errorf("write run record: %w", err)
	}
	r.markCrashed()
	r.log.Info("run started", "workspace", w.Dir, "pid", r.rec.PID)
	r.hook(ctx, "locked")
	if lerr != nil {
		r.fail(fmt.Errorf("open lake: %w", lerr))
		return r, nil
	}
	if len(r.crashed) > 0 {
		r.vacuumOrphans(ctx)
	}
	var err error
	if r.rec.SnapshotBefore, err = r.version(ctx); err != nil {
		r.fail(err)
	}
	r.rec.SnapshotAfter = r.rec.SnapshotBefore
	return r, nil
}

// vacuumOrphans deletes the lake files a crashed run's writer left, which no version refers
// to. The run holds the lock, so no writer is at work and no file is too young to delete;
// every version stays readable (no retention is applied here).
func (r *runner) vacuumOrphans(ctx context.Context) {
	res, err := r.lake.Vacuum(ctx, lake.VacuumOptions{})
	if err != nil {
		r.warn(fmt.Sprintf("remove lake files left by a crashed run: %v", err))
		return
	}
	if n := len(res.Deleted); n > 0 {
		r.log.Info("removed lake files left by a crashed run", "files", n, "bytes", res.DeletedBytes)
	}
}

// fail records the first failure of the run.
func (r *runner) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// version returns the lake's latest version (0: empty).
func (r *runner) version(ctx context.Context) (int64, error) {
	s, err := r.lake.Snapshot(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("read lake version: %w", err)
	}
	return s.Version, nil
}

func (r *runner) hook(ctx context.Context, point string) {
	if r.opt.Hook != nil {
		r.opt.Hook(ctx, point)
	}
}

// save writes the record as it stands.
func (r *runner) save() error { return writeRecord(r.w.RunsDir(), r.rec) }

// runStep runs one step (or records why it did not run) and saves the record.
func (r *runner) runStep(ctx context.Context, s Step) {
	r.rec.Steps = append(r.rec.Steps, StepRecord{Name: s.Name, Started: r.opt.Now().UTC()})
	i := len(r.rec.Steps) - 1
	e := &Env{Workspace: r.w, Lake: r.lake, Logger: r.log.With("step", s.Name), RunID: r.rec.ID,
		Start: r.rec.Started, Today: r.opt.Today, r: r, step: i}
	status, err := r.doStep(ctx, s, e)
	sr := &r.rec.Steps[i]
	sr.Status, sr.Ended = status, r.opt.Now().UTC()
	sr.Duration = sr.Ended.Sub(sr.Started).Round(time.Millisecond).String()
	switch {
	case err != nil && status == StepAttention:
		sr.Error = err.Error()
		r.alert(s.Name + ": " + err.Error())
	case err != nil:
		sr.Error = err.Error()
		r.fail(err)
	}
	attrs := []any{"status", status, "duration", sr.Duration}
	if sr.Note != "" {
		attrs = append(attrs, "note", sr.Note)
	}
	switch {
	case status == StepFailed:
		r.log.Error("step", append([]any{"step", s.Name, "error", err}, attrs...)...)
	case err != nil:
		r.log.Warn("step", append([]any{"step", s.Name, "error", err}, attrs...)...)
	default:
		r.log.Info("step", append([]any{"step", s.Name}, attrs...)...)
	}
	if err := r.save(); err != nil {
		r.fail(fmt.Errorf("write run record: %w", err))
	}
}

// doStep decides whether s runs and runs it.
func (r *runner) doStep(ctx context.Context, s Step, e *Env) (StepStatus, error) {
	switch {
	case r.err != nil && (errors.Is(r.err, context.Canceled) || ctx.Err() != nil):
		e.Note("interrupted before this step")
		return StepSkipped, nil
	case r.err != nil:
		e.Note("an earlier step failed")
		return StepSkipped, nil
	case ctx.Err() != nil:
		r.fail(ctx.Err())
		e.Note("interrupted before this step")
		return StepSkipped, nil
	case s.Do == nil:
		e.Note("skipped: not available in this build")
		return StepNotAvailable, nil
	}
	if s.Derived {
		if st, done, err := r.gate(ctx, s, e); done || err != nil {
			return st, err
		}
	}
	r.hook(ctx, "step "+s.Name)
	err := s.Do(ctx, e)
	switch {
	case err != nil && ctx.Err() != nil:
		return StepInterrupted, ctx.Err()
	case errors.Is(err, exit.ErrAttention):
		return StepAttention, err
	case err != nil:
		return StepFailed, err
	}
	r.hook(ctx, "done "+s.Name)
	return StepOK, nil
}

// gate fills a derived step's inputs and decides whether it must run: done is true when it
// need not (the lake is empty, or its inputs did not change since it last succeeded and its
// output is still there).
func (r *runner) gate(ctx context.Context, s Step, e *Env) (StepStatus, bool, error) {
	v, err := r.version(ctx)
	if err != nil {
		return StepFailed, true, err
	}
	in := Inputs{Snapshot: v, PlanSHA256: r.opt.PlanSHA256, ProgramVersion: r.opt.ProgramVersion}
	if s.Key != nil {
		if in.Key, err = s.Key(); err != nil {
			return StepFailed, true, err
		}
	}
	e.Inputs = in
	r.rec.Steps[e.step].Inputs = &in
	if v == 0 {
		e.Note("the lake is empty")
		return StepSkipped, true, nil
	}
	last := lastSuccess(r.prev, s.Name)
	if last == nil || last.Inputs == nil || *last.Inputs != in || !exists(last.Output) {
		return "", false, nil
	}
	e.SetOutput(last.Output)
	e.Note(fmt.Sprintf("nothing new: %s of snapshot %d is current", s.product(), v))
	return StepUpToDate, true, nil
}

func (s Step) product() string {
	if s.Product != "" {
		return s.Product
	}
	return s.Name
}

func exists(path string) bool {
	if path == "" {
		return true
	}
	_, err := os.Stat(path)
	return err == nil
}

// finish decides the run's status and exit code, writes the final record and returns it
// with the error that carries the exit code.
func (r *runner) finish(ctx context.Context) (*Record, error) {
	rec := r.rec
	if r.lake != nil && r.err == nil {
		if v, err := r.version(context.WithoutCancel(ctx)); err == nil {
			rec.SnapshotAfter = v
		}
	} else if r.lake != nil {
		rec.SnapshotAfter = r.lastSnapshot()
	}
	err := r.outcome(ctx)
	code := exit.Code(err)
	rec.ExitCode = &code
	end := r.opt.Now().UTC()
	rec.Ended = &end
	rec.Duration = end.Sub(rec.Started).Round(time.Millisecond).String()
	switch {
	case rec.Status == Interrupted:
		rec.Error = r.interruption()
	case r.err != nil:
		rec.Error = r.err.Error()
	}
	rec.Summary = summaryLine(rec)
	r.hook(ctx, "final")
	if werr := r.save(); werr != nil {
		return rec, fmt.Errorf("write run record: %w", werr)
	}
	r.log.Info("run finished", "status", rec.Status, "exit_code", code, "duration", rec.Duration)
	if err == nil {
		return rec, nil
	}
	return rec, &Error{Summary: rec.Summary, err: err}
}

// interruption says which signal stopped the run, and in which step.
func (r *runner) interruption() string {
	sig := "SIGINT"
	if r.opt.Terminated() {
		sig = "SIGTERM"
	}
	for _, s := range r.rec.Steps {
		if s.Status == StepInterrupted {
			return fmt.Sprintf("interrupted by %s during %s", sig, s.Name)
		}
	}
	return "interrupted by " + sig
}

// lastSnapshot is the newest lake version the run's files reached (after a failure, when the
// lake may not be readable).
func (r *runner) lastSnapshot() int64 {
	v := r.rec.SnapshotBefore
	for _, f := range r.rec.Files {
		v = max(v, f.Snapshot)
	}
	return v
}

// outcome sets the record's status and returns the error that carries the exit code.
func (r *runner) outcome(ctx context.Context) error {
	rec := r.rec
	switch {
	case errors.Is(r.err, context.Canceled) || (r.err != nil && ctx.Err() != nil):
		rec.Status = Interrupted
		err := fmt.Errorf("interrupted: %w", context.Canceled)
		if r.opt.Terminated() {
			err = exit.Mark(err, exit.ErrTerminated)
		}
		return err
	case r.err != nil:
		rec.Status = Failed
		return r.err
	case len(rec.Alerts) > 0:
		rec.Status = Attention
		return exit.ErrAttention
	default:
		rec.Status = OK
		return nil
	}
}

// Error is a run's failure, interruption or finding that needs a person. Its text is the
// run's one-line summary; errors.Is sees the exit status's sentinel through it.
type Error struct {
	Summary string
	err     error
}

func (e *Error) Error() string { return e.Summary }
func (e *Error) Unwrap() error { return e.err }

// lakeHandler passes only the lake's warnings and errors to the run's log (its "committed"
// line at info level would double the run's one line per file), and also records each in
// the run record's warnings: a commit whose version hint could not be written is committed,
// but not a plain success.
type lakeHandler struct {
	slog.Handler
	r *runner
}

// Enabled is true for warnings and errors even when the run's log leaves them out (--quiet):
// the record keeps them.
func (h lakeHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h lakeHandler) Handle(ctx context.Context, rec slog.Record) error {
	msg := "lake: " + rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key != "run" && a.Key != "step" {
			msg += fmt.Sprintf("; %s: %v", a.Key, a.Value)
		}
		return true
	})
	h.r.rec.Warnings = append(h.r.rec.Warnings, msg)
	if !h.Handler.Enabled(ctx, rec.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, rec)
}

func (h lakeHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return lakeHandler{h.Handler.WithAttrs(a), h.r}
}

func (h lakeHandler) WithGroup(name string) slog.Handler {
	return lakeHandler{h.Handler.WithGroup(name), h.r}
}
