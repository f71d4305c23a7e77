// Command ingest is the ingest benchmark of DESIGN.md section 12 and the ingest issue: it
// generates a session CSV with `outcomes gen`, then in the same run times
//
//	(a) DuckDB's own COPY (SELECT * FROM read_csv('f.csv')) TO 'x.parquet', through duckdb-go,
//	(b) `outcomes ingest` of the same file into a fresh workspace,
//
// several runs each, and prints the medians, the ratio (b)/(a) and the peak RSS of (b).
// Targets: ratio ≤ 2.0 at 1M and 10M rows; peak RSS ≤ 300 MB at 1M and ≤ 600 MB at 10M.
//
//	go run ./bench/ingest -rows 1000000 -runs 5
//	go run ./bench/ingest -rows 10000000 -runs 3
//
// It is a benchmark, not a test: no test asserts on time.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "approximate number of session rows to generate")
	runs := flag.Int("runs", 5, "timed runs of each side")
	bin := flag.String("bin", "", "outcomes binary (default: build ./cmd/outcomes)")
	dir := flag.String("dir", "", "working directory (default: a temporary one, removed at the end)")
	copyCSV := flag.String("copy", "", "internal: run DuckDB's COPY of this CSV to -copy-to and exit")
	copyTo := flag.String("copy-to", "", "internal: the Parquet file of -copy")
	flag.Parse()
	log.SetFlags(0)
	if *copyCSV != "" {
		if err := duckCopyHere(*copyCSV, *copyTo); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*rows, *runs, *bin, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(rows, runs int, bin, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "outcomes-bench-ingest-")
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
	csv := filepath.Join(dir, "sessions.csv")
	n, err := generate(bin, csv, rows)
	if err != nil {
		return err
	}
	st, _ := os.Stat(csv)
	fmt.Printf("input: %d rows, %.1f MB (%.0f bytes/row)\n", n, float64(st.Size())/1e6, float64(st.Size())/float64(n))

	var duck, ours []time.Duration
	var rss []int64
	for i := range runs {
		d, err := duckCopy(csv, filepath.Join(dir, "x.parquet"))
		if err != nil {
			return err
		}
		o, r, err := ingest(bin, csv, filepath.Join(dir, fmt.Sprintf("ws%d", i)))
		if err != nil {
			return err
		}
		duck, ours, rss = append(duck, d), append(ours, o), append(rss, r)
		fmt.Printf("run %d: duckdb COPY %.3fs, outcomes ingest %.3fs (%.2fx), peak RSS %d MB\n",
			i+1, d.Seconds(), o.Seconds(), o.Seconds()/d.Seconds(), r>>20)
	}
	md, mo := median(duck), median(ours)
	fmt.Printf("median: duckdb COPY %.3fs, outcomes ingest %.3fs, ratio %.2f (target <= 2.0); peak RSS %d MB; %.0f rows/s\n",
		md.Seconds(), mo.Seconds(), mo.Seconds()/md.Seconds(), slices.Max(rss)>>20, float64(n)/mo.Seconds())
	return nil
}

// generate writes about rows session rows with `outcomes gen` (about 5.3 sessions a client)
// and returns the number it wrote.
func generate(bin, path string, rows int) (int, error) {
	clients := max(rows*10/53, 10)
	out, err := exec.Command(bin, "gen", "--clients", strconv.Itoa(clients), "--seed", "1", "--format", "csv", "-o", path).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("gen: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(\d+) rows`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("gen printed no row count: %s", out)
	}
	return strconv.Atoi(string(m[1]))
}

// duckCopy times DuckDB's CSV → Parquet COPY of the file in a child process (this program
// with -copy), so that both sides pay for starting a process and the parent stays small: a
// child's peak RSS as the kernel reports it includes its parent's at the fork.
func duckCopy(csv, parquet string) (time.Duration, error) {
	os.Remove(parquet)
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if out, err := exec.Command(self, "-copy", csv, "-copy-to", parquet).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("duckdb copy: %v\n%s", err, out)
	}
	return time.Since(start), nil
}

// duckCopyHere runs the COPY in a fresh in-memory DuckDB in this process.
func duckCopyHere(csv, parquet string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf("COPY (SELECT * FROM read_csv('%s')) TO '%s' (FORMAT parquet)", csv, parquet)
	_, err = db.ExecContext(context.Background(), q)
	return err
}

// ingest times `outcomes ingest` of csv into a new workspace and returns its peak RSS in bytes.
// It reaps the process with wait4 itself: os/exec's rusage can be the maximum over every child
// the benchmark has run, not this one's.
func ingest(bin, csv, ws string) (time.Duration, int64, error) {
	if out, err := exec.Command(bin, "init", ws).CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("init: %v\n%s", err, out)
	}
	defer os.RemoveAll(ws)
	out, err := os.CreateTemp("", "ingest-out-")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command(bin, "--workspace", ws, "ingest", "-q", csv)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	var status syscall.WaitStatus
	var ru syscall.Rusage
	if _, err := syscall.Wait4(cmd.Process.Pid, &status, 0, &ru); err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	if code := status.ExitStatus(); code != 0 {
		b, _ := os.ReadFile(out.Name())
		return 0, 0, fmt.Errorf("ingest: exit %d\n%s", code, b)
	}
	return d, ru.Maxrss * 1024, nil // Maxrss is in kilobytes on Linux
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
