package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

var lifecycleToday = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// lifecycleWorkspace creates a workspace with count exports of clients clients each ingested
// (one lake version each) and returns it with the exports' paths (outside the workspace).
func lifecycleWorkspace(t *testing.T, clients, count int) (ws string, exports []string) {
	t.Helper()
	dir := t.TempDir()
	ws = filepath.Join(dir, "ws")
	exports = makeExports(t, dir, clients, count)
	initAndIngest(t, ws, exports)
	return ws, exports
}

// makeExports writes count synthetic CSV exports of clients clients each into dir.
func makeExports(t *testing.T, dir string, clients, count int) []string {
	t.Helper()
	var exports []string
	for i := range count {
		p := filepath.Join(dir, fmt.Sprintf("export%d.csv", i))
		if _, err := synth.WriteFile(t.Context(), p, source.FormatCSV, synth.Config{
			Clients: clients, Seed: uint64(11 + i), BadShare: 0.05, Today: lifecycleToday.AddDate(0, i, 0),
		}); err != nil {
			t.Fatal(err)
		}
		exports = append(exports, p)
	}
	return exports
}

// initAndIngest creates the workspace ws and ingests the exports, one version each.
func initAndIngest(t *testing.T, ws string, exports []string) {
	t.Helper()
	if code, out := runOutcomes("init", ws); code != 0 {
		t.Fatal(out)
	}
	for _, p := range exports {
		if code, out := runOutcomes("--workspace", ws, "ingest", p); code != 0 && code != 3 {
			t.Fatalf("ingest %s: exit %d\n%s", p, code, out)
		}
	}
}

// sourceClients maps each client key of the exports to the (practitioner id, client id) it
// is made of, with the workspace's key.
func sourceClients(t *testing.T, ws string, exports []string) map[string][2]string {
	t.Helper()
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	key, err := w.Key("")
	if err != nil {
		t.Fatal(err)
	}
	h := pseudo.NewHasher(key)
	out := map[string][2]string{}
	for _, p := range exports {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		for i := 0; ; i++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil || i == 0 || len(rec) < 2 || strings.TrimSpace(rec[0]) == "" || strings.TrimSpace(rec[1]) == "" {
				continue
			}
			out[h.Client(rec[0], rec[1])] = [2]string{rec[0], rec[1]}
		}
		f.Close()
	}
	return out
}

// parquetStrings calls fn with every string value of every column of a Parquet file, and
// returns the number of rows.
func parquetStrings(t *testing.T, path string, fn func(col, v string)) int64 {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(t.Context())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer tbl.Release()
	for i := range int(tbl.NumCols()) {
		name := tbl.Schema().Field(i).Name
		for _, ch := range tbl.Column(i).Data().Chunks() {
			if s, ok := ch.(*array.String); ok {
				for j := range s.Len() {
					if s.IsValid(j) {
						fn(name, s.Value(j))
					}
				}
			}
		}
	}
	return tbl.NumRows()
}

// avroPayload returns the decompressed data blocks of an Avro object container file (the
// Iceberg manifests and manifest lists, deflate-compressed), after its header.
func avroPayload(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte("Obj\x01")) {
		return nil, errors.New("not an Avro object container file")
	}
	r := bytes.NewReader(data[4:])
	codec := "null"
	// The header's metadata map: blocks of (count, [size], count × (key, value)).
	for {
		n, err := binary.ReadVarint(r)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		if n < 0 {
			n = -n
			if _, err := binary.ReadVarint(r); err != nil {
				return nil, err
			}
		}
		for range n {
			k, err := avroBytes(r)
			if err != nil {
				return nil, err
			}
			v, err := avroBytes(r)
			if err != nil {
				return nil, err
			}
			if string(k) == "avro.codec" {
				codec = string(v)
			}
		}
	}
	var sync [16]byte
	if _, err := io.ReadFull(r, sync[:]); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for r.Len() > 0 {
		if _, err := binary.ReadVarint(r); err != nil { // objects in the block
			return nil, err
		}
		block, err := avroBytes(r)
		if err != nil {
			return nil, err
		}
		switch codec {
		case "null", "":
			out.Write(block)
		case "deflate":
			b, err := io.ReadAll(flate.NewReader(bytes.NewReader(block)))
			if err != nil {
				return nil, err
			}
			out.Write(b)
		default:
			return nil, fmt.Errorf("avro codec %s", codec)
		}
		if _, err := io.ReadFull(r, sync[:]); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

func avroBytes(r *bytes.Reader) ([]byte, error) {
	n, err := binary.ReadVarint(r)
	if err != nil || n < 0 || n > int64(r.Len()) {
		return nil, fmt.Errorf("bad avro bytes length %d: %v", n, err)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}

// findClient returns where in the workspace the client key (or a row of the client) still
// is: every Parquet file is decoded, every Avro file decompressed, every other file read as
// bytes. Outside Parquet data a 15-character prefix of the key counts too: Iceberg truncates
// the lower and upper bounds of string columns to 16 characters (and the upper bound's last
// one is incremented).
func findClient(t *testing.T, ws, key string) (found []string, rows int64) {
	t.Helper()
	err := filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".parquet"):
			hits := 0
			parquetStrings(t, p, func(col, v string) {
				if strings.Contains(v, key) {
					hits++
				}
			})
			if hits > 0 {
				found = append(found, fmt.Sprintf("%s (%d values)", p, hits))
				rows += int64(hits)
			}
			return nil
		case strings.HasSuffix(p, ".avro"):
			payload, err := avroPayload(data)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			data = payload
		}
		if bytes.Contains(data, []byte(key[:15])) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found, rows
}

// quarantineKeys returns the client keys of the live quarantine rows.
func quarantineKeys(t *testing.T, ws string) map[string]int {
	t.Helper()
	snap, err := openLake(t, ws).Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, p := range snap.QuarantineFiles {
		parquetStrings(t, p, func(col, v string) {
			if col == "client_key" {
				out[v]++
			}
		})
	}
	return out
}

// TestForgetErasesEverywhere erases a client with both session and quarantine rows, through
// the CLI, and checks that after forget and vacuum no file of the workspace (lake data,
// metadata, manifests, checksums, reports) holds the client's key or a row of theirs, that
// earlier versions say they were erased, and that the lake verifies.
func TestForgetErasesEverywhere(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	ws, exports := lifecycleWorkspace(t, 150, 2)
	clients := sourceClients(t, ws, exports)
	qkeys := quarantineKeys(t, ws)
	var victim string
	for k := range qkeys {
		if _, ok := clients[k]; ok && (victim == "" || k < victim) {
			victim = k
		}
	}
	if victim == "" {
		t.Fatal("no quarantined row carries a client key")
	}
	before, rows := findClient(t, ws, victim)
	if rows == 0 {
		t.Fatalf("the client is nowhere before forget: %v", before)
	}
	t.Logf("client %.8s…: %d values in %d files before forget", victim, rows, len(before))
	if code, out := runOutcomes("--workspace", ws, "summarize"); code != 0 {
		t.Fatalf("summarize: exit %d\n%s", code, out)
	}
	_, total := sqlCount(t, ws, 0, "SELECT count(*) FROM sessions")
	_, mine := sqlCount(t, ws, 0, fmt.Sprintf("SELECT count(*) FROM sessions WHERE client_key = '%s'", victim))

	ids := clients[victim]
	code, out := runOutcomes("--workspace", ws, "lake", "forget", "--practitioner", ids[0], "--client", ids[1], "--reason", "consent withdrawn")
	if code != 0 {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	t.Log(out)
	for _, want := range []string{"lake version 3", "can no longer be read", "lake vacuum --older-than 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("forget output lacks %q", want)
		}
	}
	if strings.Contains(out, ids[1]) || strings.Contains(out, victim) {
		t.Errorf("forget output shows the source id or the whole key:\n%s", out)
	}
	code, out = runOutcomes("--workspace", ws, "sql", "--as-of", "1", "SELECT count(*) FROM sessions")
	if code == 0 || !strings.Contains(out, "erased") {
		t.Errorf("sql --as-of 1 after forget: exit %d\n%s", code, out)
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "vacuum", "--older-than", "0"); code != 0 {
		t.Fatalf("vacuum: exit %d\n%s", code, out)
	} else {
		t.Log(out)
	}
	if found, _ := findClient(t, ws, victim); len(found) > 0 {
		t.Errorf("after forget and vacuum the client is still in:\n%s", strings.Join(found, "\n"))
	}
	if _, n := sqlCount(t, ws, 0, "SELECT count(*) FROM sessions"); n != total-mine {
		t.Errorf("sessions after forget: %d rows, want %d - %d", n, total, mine)
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "verify", "--deep"); code != 0 {
		t.Fatalf("verify after forget and vacuum: exit %d\n%s", code, out)
	}
	code, out = runOutcomes("--workspace", ws, "lake", "log")
	if code != 0 || !strings.Contains(out, "forget") || !strings.Contains(out, "[erased]") {
		t.Errorf("log after forget: exit %d\n%s", code, out)
	}
	// The same client again: already forgotten, exit 0. An unknown key: exit 1.
	if code, out := runOutcomes("--workspace", ws, "lake", "forget", "--client-key", victim); code != 0 || !strings.Contains(out, "already forgotten in lake version 3") {
		t.Errorf("second forget: exit %d\n%s", code, out)
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "forget", "--client-key", strings.Repeat("0", 32)); code != 1 {
		t.Errorf("forget of an unknown key: exit %d\n%s", code, out)
	}
	// Re-ingesting an export whose version was erased is still refused as already ingested.
	if code, out := runOutcomes("--workspace", ws, "ingest", exports[0]); !strings.Contains(out, "already") {
		t.Errorf("re-ingest after forget: exit %d\n%s", code, out)
	}
}

// sqlCount runs a count query through outcomes sql (as of version asOf) and returns its exit
// status and the number.
func sqlCount(t *testing.T, ws string, asOf int64, query string) (int, int64) {
	t.Helper()
	code, out := runOutcomes("--workspace", ws, "sql", "--as-of", fmt.Sprint(asOf), "--format", "csv", query)
	if code != 0 {
		t.Fatalf("sql %s: exit %d\n%s", query, code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var n int64
	fmt.Sscan(lines[len(lines)-1], &n)
	return code, n
}

// sessionsView returns the whole sessions view (and the quarantine view) at lake version asOf,
// as CSV, through outcomes sql.
func sessionsView(t *testing.T, ws string, asOf int64) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM sessions ORDER BY practitioner_key, client_key, session_number",
		"SELECT * FROM quarantine ORDER BY source_sha256, source_line, \"column\", rule, message",
	} {
		code, out := runOutcomes("--workspace", ws, "sql", "--as-of", fmt.Sprint(asOf), "--format", "csv", q)
		if code != 0 {
			t.Fatalf("sql: exit %d\n%s", code, out)
		}
		b.WriteString(out)
	}
	return b.String()
}

// summaryFiles runs summarize at version asOf into dir and returns its tables and its
// summary.json without the lines that name the lake version or a time.
func summaryFiles(t *testing.T, ws string, asOf int64, dir string) map[string]string {
	t.Helper()
	if code, out := runOutcomes("--workspace", ws, "summarize", "--as-of", fmt.Sprint(asOf), "--out", dir); code != 0 {
		t.Fatalf("summarize: exit %d\n%s", code, out)
	}
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasSuffix(p, ".json") {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				return err
			}
			data, _ = json.MarshalIndent(withoutLineage(v), "", " ")
			out[rel] = string(data)
			return nil
		}
		var keep []string
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.Contains(line, ",compact,") { // the log lists the compact commit
				keep = append(keep, line)
			}
		}
		out[rel] = strings.Join(keep, "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutLineage drops from a decoded summary.json what names the lake version, a time or
// the log's compact commit: all that compact may change.
func withoutLineage(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			l := strings.ToLower(k)
			if strings.Contains(l, "version") || strings.Contains(l, "time") || strings.Contains(l, "snapshot") ||
				strings.Contains(l, "generated") || strings.Contains(l, "as_of") {
				continue
			}
			out[k] = withoutLineage(x)
		}
		return out
	case []any:
		var out []any
		for _, x := range v {
			if m, ok := x.(map[string]any); ok && m["operation"] == "compact" {
				continue
			}
			out = append(out, withoutLineage(x))
		}
		return out
	}
	return v
}

// TestCompactKeepsResults compacts a lake of several overlapping exports through the CLI and
// checks that the sessions and quarantine views and the summary are the same before and after.
func TestCompactKeepsResults(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	ws, _ := lifecycleWorkspace(t, 120, 4)
	view := sessionsView(t, ws, 0)
	sum := summaryFiles(t, ws, 0, filepath.Join(t.TempDir(), "before"))
	before := openLakeStatus(t, ws)
	code, out := runOutcomes("--workspace", ws, "lake", "compact", "--target-size", "64MB")
	if code != 0 || !strings.Contains(out, "compacted into lake version 5") {
		t.Fatalf("compact: exit %d\n%s", code, out)
	}
	t.Log(out)
	after := openLakeStatus(t, ws)
	if after[0] >= before[0] {
		t.Errorf("%d data files after compact, %d before", after[0], before[0])
	}
	if got := sessionsView(t, ws, 0); got != view {
		t.Fatal("the sessions or quarantine view changed with compact")
	}
	if got := sessionsView(t, ws, 4); got != view {
		t.Fatal("version 4 reads differently after compact")
	}
	sum2 := summaryFiles(t, ws, 0, filepath.Join(t.TempDir(), "after"))
	if len(sum2) != len(sum) || len(sum) == 0 {
		t.Fatalf("summary files: %d before, %d after", len(sum), len(sum2))
	}
	for name, want := range sum {
		if sum2[name] != want {
			t.Errorf("%s differs after compact", name)
		}
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "compact"); code != 0 || !strings.Contains(out, "nothing to compact") {
		t.Errorf("second compact: exit %d\n%s", code, out)
	}
	if code, out := runOutcomes("--workspace", ws, "lake", "verify", "--deep"); code != 0 {
		t.Fatalf("verify after compact: exit %d\n%s", code, out)
	}
	// vacuum keeps version 4's files (no retention given), deletes nothing live.
	if code, out := runOutcomes("--workspace", ws, "lake", "vacuum", "--older-than", "0"); code != 0 {
		t.Fatalf("vacuum: exit %d\n%s", code, out)
	}
	if got := sessionsView(t, ws, 4); got != view {
		t.Fatal("version 4 reads differently after vacuum")
	}
	// Files damaged by hand: verify (and verify --deep) name them and exit 1.
	snap, err := openLake(t, ws).Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	gone, changed := snap.SessionsFiles[0], snap.SessionsFiles[1]
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(changed)
	if err != nil {
		t.Fatal(err)
	}
	clear(data[len(data)/3 : len(data)/3+64])
	if err := os.WriteFile(changed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"lake", "verify"}, {"lake", "verify", "--deep"}} {
		code, out := runOutcomes(append([]string{"--workspace", ws}, args...)...)
		if code != 1 || !strings.Contains(out, gone+": missing") || !strings.Contains(out, changed+": sha256") {
			t.Errorf("%v of damaged files: exit %d\n%s", args, code, out)
		}
	}
}

// openLakeStatus returns the number of live data files and of sessions rows.
func openLakeStatus(t *testing.T, ws string) [2]int64 {
	t.Helper()
	st, err := openLake(t, ws).Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return [2]int64{int64(st.Tables[0].Files + st.Tables[1].Files), st.Tables[0].Rows}
}

var (
	lakeKillSeeds = flag.Int("lake-kill-seeds", 2, "kills per operation in TestLifecycleSIGKILL (seeds 1..N)")
	lakeKillSeed  = flag.Int("lake-kill-seed", 0, "TestLifecycleSIGKILL: run this seed only")
)

// copyTree copies a workspace with cp -a (modes and times kept: the key file is 0600).
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.RemoveAll(to); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v\n%s", err, out)
	}
}

// TestLifecycleSIGKILL kills `outcomes ingest`, `lake compact`, `lake forget` and `lake
// vacuum` with SIGKILL at random moments (seeded; -lake-kill-seeds N for more), and checks
// after each kill that `lake verify --deep` passes and that the sessions and quarantine views
// are those before the operation or those after it, never a mix; then that running the
// operation again finishes it. Each operation starts from the same workspace: the lake's
// metadata holds absolute paths, so a saved copy is put back at the same path each time.
func TestLifecycleSIGKILL(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("kills subprocesses; skipped with -short")
	}
	root := t.TempDir()
	for _, op := range []struct {
		name string
		// prepare brings a fresh workspace (with 3 ingested exports) to the state before the
		// operation and returns its arguments.
		prepare func(t *testing.T, ws string, spare string) []string
		again   []int // exit statuses allowed when the operation is run again
	}{
		{"ingest", func(t *testing.T, ws, spare string) []string { return []string{"ingest", spare} }, []int{0, 3}},
		{"compact", func(t *testing.T, ws, spare string) []string { return []string{"lake", "compact"} }, []int{0}},
		{"forget", func(t *testing.T, ws, spare string) []string {
			key := ""
			for k := range quarantineKeys(t, ws) {
				if key == "" || k < key {
					key = k
				}
			}
			return []string{"lake", "forget", "--client-key", key, "--reason", "kill test"}
		}, []int{0}},
		{"vacuum", func(t *testing.T, ws, spare string) []string {
			if code, out := runOutcomes("--workspace", ws, "lake", "compact"); code != 0 {
				t.Fatal(out)
			}
			return []string{"lake", "vacuum", "--older-than", "0", "--retain", "1ns"}
		}, []int{0}},
	} {
		t.Run(op.name, func(t *testing.T) {
			dir := filepath.Join(root, op.name)
			exports := makeExports(t, t.TempDir(), 150, 4)
			// The workspace lives at one path: it is put back there from a saved copy before
			// each kill (the lake's metadata holds absolute paths).
			fixed, saved := filepath.Join(dir, "ws"), filepath.Join(dir, "saved")
			initAndIngest(t, fixed, exports[:3])
			args := append([]string{"--workspace", fixed}, op.prepare(t, fixed, exports[3])...)
			copyTree(t, fixed, saved)
			before := sessionsView(t, fixed, 0)
			shape0 := lakeShape(t, fixed)
			start := time.Now()
			if out, err := outcomesCommand(args...).CombinedOutput(); err != nil && !slices.Contains(op.again, exitCode(err)) {
				t.Fatalf("undisturbed %s: %v\n%s", op.name, err, out)
			}
			took := time.Since(start)
			after := sessionsView(t, fixed, 0)
			shape1 := lakeShape(t, fixed)
			t.Logf("undisturbed %s: %v; lake before %s, after %s", op.name, took, shape0, shape1)
			var seeds []int
			for seed := 1; seed <= *lakeKillSeeds; seed++ {
				seeds = append(seeds, seed)
			}
			if *lakeKillSeed != 0 {
				seeds = []int{*lakeKillSeed}
			}
			for _, seed := range seeds {
				copyTree(t, saved, fixed)
				r := rand.New(rand.NewPCG(uint64(seed), 1234))
				delay := time.Duration(r.Int64N(int64(took) * 12 / 10))
				cmd := outcomesCommand(args...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(delay)
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				shape := lakeShape(t, fixed)
				if code, out := runOutcomes("--workspace", fixed, "lake", "verify", "--deep"); code != 0 {
					t.Fatalf("%s seed %d (killed after %v): verify --deep exit %d\n%s", op.name, seed, delay, code, out)
				}
				state := "before"
				switch got := sessionsView(t, fixed, 0); got {
				case before:
				case after:
					state = "after"
				default:
					t.Fatalf("%s seed %d (killed after %v): the views are neither those before nor those after", op.name, seed, delay)
				}
				code, out := runOutcomes(args...)
				if !slices.Contains(op.again, code) {
					t.Fatalf("%s seed %d: run again: exit %d\n%s", op.name, seed, code, out)
				}
				if got := sessionsView(t, fixed, 0); got != after {
					t.Fatalf("%s seed %d: the views after running it again are not those of the undisturbed run", op.name, seed)
				}
				if code, out := runOutcomes("--workspace", fixed, "lake", "verify", "--deep"); code != 0 {
					t.Fatalf("%s seed %d: verify --deep after running it again: exit %d\n%s", op.name, seed, code, out)
				}
				t.Logf("%s seed %d (rerun: -run 'TestLifecycleSIGKILL/%s' -lake-kill-seed %d): killed after %v: lake %s, views as %s; finished on a rerun",
					op.name, seed, op.name, seed, delay, shape, state)
			}
		})
	}
}

// lakeShape describes a workspace's lake for the kill logs: its versions and its files.
func lakeShape(t *testing.T, ws string) string {
	t.Helper()
	files := 0
	filepath.WalkDir(filepath.Join(ws, "lake"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	return fmt.Sprintf("%d versions, %d files", len(lakeLog(t, ws)), files)
}

// TestWritersTakeTheLock runs the writing lake commands while another process holds the
// workspace lock (exit 75, with the holder), with --wait, and two writers at once (one waits;
// the log stays linear).
func TestWritersTakeTheLock(t *testing.T) {
	ws, exports := lifecycleWorkspace(t, 80, 2)
	lk := holdLock(t, ws)
	key := ""
	for k := range sourceClients(t, ws, exports) {
		key = k
		break
	}
	for _, args := range [][]string{
		{"lake", "compact"}, {"lake", "vacuum"}, {"lake", "forget", "--client-key", key},
	} {
		code, out := runOutcomes(append([]string{"--workspace", ws}, args...)...)
		if code != 75 || !strings.Contains(out, fmt.Sprintf("held by pid %d", os.Getpid())) {
			t.Errorf("%v while the lock is held: exit %d\n%s", args, code, out)
		}
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		lk.Unlock()
	}()
	if code, out := runOutcomes("--workspace", ws, "lake", "compact", "--wait", "20s"); code != 0 {
		t.Fatalf("compact --wait: exit %d\n%s", code, out)
	}
	// Two writers at once, in two processes: the second waits for the first.
	more := filepath.Join(t.TempDir(), "more.csv")
	if _, err := synth.WriteFile(t.Context(), more, source.FormatCSV, synth.Config{Clients: 80, Seed: 99, BadShare: 0.05, Today: lifecycleToday}); err != nil {
		t.Fatal(err)
	}
	a := outcomesCommand("--workspace", ws, "ingest", more)
	b := outcomesCommand("--workspace", ws, "lake", "forget", "--client-key", key, "--wait", "30s")
	var outA, outB bytes.Buffer
	a.Stdout, a.Stderr, b.Stdout, b.Stderr = &outA, &outA, &outB, &outB
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	errA, errB := a.Wait(), b.Wait()
	if errA != nil && exitCode(errA) != 3 && exitCode(errA) != 75 {
		t.Fatalf("ingest beside forget: %v\n%s", errA, outA.String())
	}
	if errB != nil {
		t.Fatalf("forget --wait beside ingest: %v\n%s", errB, outB.String())
	}
	log := lakeLog(t, ws)
	for i, c := range log {
		if c.Version != int64(i+1) {
			t.Fatalf("log entry %d is version %d: not linear", i, c.Version)
		}
	}
	t.Logf("ingest: %v; forget: %v; %d versions", errA, errB, len(log))
	if code, out := runOutcomes("--workspace", ws, "lake", "verify", "--deep"); code != 0 {
		t.Fatalf("verify --deep: exit %d\n%s", code, out)
	}
}
