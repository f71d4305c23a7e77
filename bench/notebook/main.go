// Command notebook is the notebook benchmark of issue 10: a notebook of 50 cells
// (bench/notebook/fifty.md: trajectories, caseload scatters, safety bars, histograms, named
// tables, window functions, 5,000-row results) over a lake of about a million sessions. It
// builds the lake with `outcomes gen --clients N` and `outcomes ingest` (a fixed seed), then
//
//	(a) times `outcomes notebook run fifty.md -o fifty.html` end to end, several runs,
//	(b) runs the notebook in process over the lake views and over materialised views
//	    (duck.Options.Materialize), and prints each mode's total and its slowest cells,
//
// and prints the medians and the size of the HTML. It is a benchmark, not a test: nothing
// asserts on time.
//
//	go run ./bench/notebook -clients 190000 -runs 3
//	go run ./bench/notebook -dir /tmp/nbbench   # keeps and reuses the lake
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/notebook"
)

func main() {
	clients := flag.Int("clients", 190_000, "synthetic clients (about 5.2 sessions each)")
	runs := flag.Int("runs", 3, "timed runs of each kind")
	bin := flag.String("bin", "", "outcomes binary (default: build ./cmd/outcomes)")
	dir := flag.String("dir", "", "working directory (default: a temporary one, removed at the end); an existing lake there is reused")
	nbPath := flag.String("notebook", "bench/notebook/fifty.md", "the notebook")
	flag.Parse()
	log.SetFlags(0)
	if err := run(context.Background(), *clients, *runs, *bin, *dir, *nbPath); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, clients, runs int, bin, dir, nbPath string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "outcomes-bench-notebook-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if bin == "" {
		bin = filepath.Join(dir, "outcomes")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/outcomes").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	ws := filepath.Join(dir, "ws")
	if err := buildLake(bin, ws, dir, clients); err != nil {
		return err
	}
	out := filepath.Join(dir, "fifty.html")
	var cli []time.Duration
	for range runs {
		start := time.Now()
		if err := outcomes(bin, ws, "notebook", "run", nbPath, "-o", out); err != nil {
			return err
		}
		cli = append(cli, time.Since(start))
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("outcomes notebook run: median %.2f s over %d runs; HTML %d bytes\n", median(cli).Seconds(), runs, st.Size())
	snap, err := snapshot(ctx, filepath.Join(ws, "lake"))
	if err != nil {
		return err
	}
	for _, materialize := range []bool{false, true} {
		if err := inProcess(ctx, snap, nbPath, materialize, runs); err != nil {
			return err
		}
	}
	return nil
}

// buildLake creates the workspace and ingests a generated export, unless a lake is there.
func buildLake(bin, ws, dir string, clients int) error {
	if _, err := os.Stat(filepath.Join(ws, "lake")); err == nil {
		return nil
	}
	export := filepath.Join(dir, "export.csv")
	start := time.Now()
	for _, args := range [][]string{
		{"init"},
		{"gen", "--clients", fmt.Sprint(clients), "--seed", "1", "--format", "csv", "--today", "2025-06-30", "-o", export},
		{"ingest", "--quiet", export},
	} {
		if err := outcomes(bin, ws, args...); err != nil {
			return err
		}
	}
	fmt.Printf("lake built in %.1f s\n", time.Since(start).Seconds())
	return os.Remove(export)
}

// outcomes runs the binary in workspace ws; exit 3 (rows quarantined) is not a failure.
func outcomes(bin, ws string, args ...string) error {
	cmd := exec.Command(bin, append([]string{"--workspace", ws}, args...)...)
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outcomes %v: %w", args, err)
	}
	return nil
}

// snapshot reads the latest lake version as duck reads it.
func snapshot(ctx context.Context, dir string) (duck.Snapshot, error) {
	var snap duck.Snapshot
	l, err := lake.Open(ctx, dir, lake.Options{})
	if err != nil {
		return snap, err
	}
	defer l.Close()
	if snap, err = duck.SnapshotOf(ctx, l, 0); err != nil {
		return snap, err
	}
	return snap, l.Close()
}

// inProcess runs the notebook runs times over one DB and prints the total and the slowest
// cells of the last run.
func inProcess(ctx context.Context, snap duck.Snapshot, nbPath string, materialize bool, runs int) error {
	start := time.Now()
	db, err := duck.Open(ctx, snap, duck.Options{Materialize: materialize})
	if err != nil {
		return err
	}
	defer db.Close()
	open := time.Since(start)
	var totals []time.Duration
	var cells cellTimes
	for range runs {
		cells = nil
		logger := slog.New(&cells)
		start := time.Now()
		res, err := notebook.RunFile(ctx, db, nbPath, nil, notebook.Options{Logger: logger})
		if err != nil {
			return err
		}
		if err := res.Write(discard{}, notebook.HTML); err != nil {
			return err
		}
		totals = append(totals, time.Since(start))
	}
	fmt.Printf("in process, materialize=%v: open %.2f s, run and render median %.2f s; slowest cells:",
		materialize, open.Seconds(), median(totals).Seconds())
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].d > cells[j].d })
	for _, c := range cells[:min(5, len(cells))] {
		fmt.Printf(" line %d %.2f s;", c.line, c.d.Seconds())
	}
	fmt.Println()
	return db.Close()
}

// cellTimes is a slog handler that keeps the "notebook cell" records' line and duration.
type cellTimes []struct {
	line int64
	d    time.Duration
}

func (c *cellTimes) Enabled(context.Context, slog.Level) bool { return true }
func (c *cellTimes) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *cellTimes) WithGroup(string) slog.Handler            { return c }
func (c *cellTimes) Handle(_ context.Context, r slog.Record) error {
	var e struct {
		line int64
		d    time.Duration
	}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "line":
			e.line = a.Value.Int64()
		case "duration":
			e.d = a.Value.Duration()
		}
		return true
	})
	*c = append(*c, e)
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
