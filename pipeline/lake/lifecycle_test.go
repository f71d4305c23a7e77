package lake

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// clientOf counts the rows of client in the live sessions files.
func clientRows(t *testing.T, l *Lake, version int64, client string) (n, total int) {
	t.Helper()
	snap, err := l.Snapshot(t.Context(), version)
	must(t, err)
	for _, r := range readSessions(t, l.mem, snap.SessionsFiles) {
		total++
		if r.client == client {
			n++
		}
	}
	return n, total
}

func TestForgetVacuum(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3 {
		appendBatch(t, l, "sha"+string(rune('a'+i)), randomRows(rng, 2000, 2019, 2020, 2024), 3)
	}
	const victim = "c00007"
	before, total := clientRows(t, l, 0, victim)
	if before == 0 {
		t.Fatal("the test client has no rows")
	}
	res, err := l.Forget(t.Context(), victim, "consent withdrawn")
	must(t, err)
	if res.Commit.Version != 4 || res.Commit.RemovedRows != int64(before) || res.ExpiredVersions != 3 {
		t.Fatalf("forget: %+v %+v", res, res.Commit)
	}
	if n, tot := clientRows(t, l, 0, victim); n != 0 || tot != total-before {
		t.Fatalf("after forget: %d rows of the client, %d in all; want 0, %d", n, tot, total-before)
	}
	_, err = l.Snapshot(t.Context(), 2)
	var ee *ErasedError
	if !errors.As(err, &ee) || !errors.Is(err, ErrUnknownVersion) || ee.By != 4 {
		t.Fatalf("snapshot of an erased version: %v", err)
	}
	t.Log(err)
	log, err := l.Log(t.Context())
	must(t, err)
	if len(log) != 4 || !log[0].Expired || log[3].Expired || log[3].ForgetKeySHA256 != KeySHA256(victim) {
		t.Fatalf("log after forget: %+v", log)
	}
	if _, ok, _ := l.Ingested(t.Context(), "shab"); !ok {
		t.Fatal("an erased version's source is no longer known as ingested")
	}
	// Forgetting again finds nothing and says so.
	res, err = l.Forget(t.Context(), victim, "")
	must(t, err)
	if res.Commit != nil || res.AlreadyForgotten != 4 {
		t.Fatalf("second forget: %+v", res)
	}
	if _, err := l.Forget(t.Context(), "nobody", ""); !errors.Is(err, ErrNoSuchClient) {
		t.Fatalf("forget of an unknown key: %v", err)
	}
	vr, err := l.Vacuum(t.Context(), VacuumOptions{})
	must(t, err)
	if len(vr.Deleted) == 0 {
		t.Fatal("vacuum deleted nothing")
	}
	problems, err := l.Verify(t.Context())
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// No file holds the client's rows or the key's bytes.
	must(t, filepath.WalkDir(l.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".parquet") {
			if strings.Contains(p, "/sessions/") {
				for _, r := range readSessions(t, l.mem, []string{p}) {
					if r.client == victim {
						t.Errorf("%s holds a row of the forgotten client", p)
					}
				}
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(victim)) {
			t.Errorf("%s holds the forgotten key", p)
		}
		return nil
	}))
	if n, tot := clientRows(t, reopen(t, l), 0, victim); n != 0 || tot != total-before {
		t.Fatalf("after vacuum: %d, %d", n, tot)
	}
}

// TestOpenUpgradesQuarantine opens a lake whose quarantine table was created before the
// client_key column and the metrics settings: Open adds both.
func TestOpenUpgradesQuarantine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	saved, savedProps := quarantineColumns, tableProperties
	quarantineColumns = quarantineColumns[:8]
	tableProperties = iceberg.Properties{}
	for k, v := range savedProps {
		if !strings.HasPrefix(k, table.MetricsModeColumnConfPrefix) {
			tableProperties[k] = v
		}
	}
	l, err := Open(t.Context(), dir, Options{})
	quarantineColumns, tableProperties = saved, savedProps
	must(t, err)
	must(t, l.Close())
	l, err = Open(t.Context(), dir, Options{})
	must(t, err)
	defer l.Close()
	q, err := l.load(t.Context(), quarantineIdent)
	must(t, err)
	f, ok := q.Schema().FindFieldByName("client_key")
	if !ok || f.ID != 9 || f.Required {
		t.Fatalf("quarantine client_key after the upgrade: %+v %v", f, ok)
	}
	if q.Properties()[table.MetricsModeColumnConfPrefix+".client_key"] != "counts" {
		t.Fatalf("properties after the upgrade: %v", q.Properties())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	appendBatch(t, l, "after-upgrade", randomRows(rng, 10, 2020), 2)
}

// viewOf returns the rows the sessions view shows at a version: natural key → (version,
// line, sha).
func viewOf(t *testing.T, l *Lake, version int64) (map[string]rank, int) {
	t.Helper()
	snap, err := l.Snapshot(t.Context(), version)
	must(t, err)
	w, err := l.winners(t.Context(), snap.SessionsFiles)
	must(t, err)
	for k, r := range w {
		r.at = rowID{}
		w[k] = r
	}
	return w, len(snap.SessionsFiles) + len(snap.QuarantineFiles)
}

func TestCompact(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 6 {
		appendBatch(t, l, fmt.Sprint("sha", i), randomRows(rng, 500, 2019, 2020, 2024), 2)
	}
	before, files := viewOf(t, l, 0)
	st0, err := l.Status(t.Context())
	must(t, err)
	res, err := l.Compact(t.Context(), CompactOptions{})
	must(t, err)
	if res.Commit == nil || res.Superseded == 0 || res.FilesAfter >= files || res.FilesBefore != files {
		t.Fatalf("compact: %+v", res)
	}
	after, files2 := viewOf(t, l, 0)
	if !maps.Equal(before, after) {
		t.Fatalf("the sessions view changed: %d keys before, %d after", len(before), len(after))
	}
	if files2 != res.FilesAfter || files2 != 4 { // one per year, one quarantine file
		t.Fatalf("%d files after compact, result says %d", files2, res.FilesAfter)
	}
	st, err := l.Status(t.Context())
	must(t, err)
	if st.Tables[0].Rows != int64(len(after)) || st.Tables[1].Rows != st0.Tables[1].Rows {
		t.Fatalf("after compact: %+v; want %d sessions rows, %d quarantine rows", st.Tables, len(after), st0.Tables[1].Rows)
	}
	if c := res.Commit; c.RemovedRows != res.Superseded || c.Rows != st.Tables[0].Rows || c.Violations != st.Tables[1].Rows {
		t.Fatalf("compact commit %+v", c)
	}
	// The version before is still readable and unchanged.
	if old, _ := viewOf(t, l, 6); !maps.Equal(old, before) {
		t.Fatal("version 6 changed")
	}
	problems, err := l.Verify(t.Context())
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// Nothing left to do: no commit.
	res, err = l.Compact(t.Context(), CompactOptions{})
	must(t, err)
	if res.Commit != nil {
		t.Fatalf("second compact committed version %d", res.Commit.Version)
	}
}

func TestVerifyDeep(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(8, 9))
	for i := range 4 {
		appendBatch(t, l, fmt.Sprint("deep", i), randomRows(rng, 800, 2020, 2022), 3)
	}
	check := func(when string) {
		t.Helper()
		problems, err := l.VerifyDeep(ctx)
		must(t, err)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", when, problems)
		}
	}
	check("after ingest")
	_, err := l.Compact(ctx, CompactOptions{})
	must(t, err)
	check("after compact")
	_, err = l.Forget(ctx, "c00003", "test")
	must(t, err)
	check("after forget")
	appendBatch(t, l, "deep-after", randomRows(rng, 100, 2021), 1)
	check("after another ingest")

	// Bytes zeroed in the middle of a data file: the pages no longer decode.
	snap, err := l.Snapshot(ctx, 0)
	must(t, err)
	victim := snap.SessionsFiles[0]
	data, err := os.ReadFile(victim)
	must(t, err)
	clear(data[len(data)/3 : len(data)/3+256])
	must(t, os.WriteFile(victim, data, 0o644))
	problems, err := l.VerifyDeep(ctx)
	must(t, err)
	text := fmt.Sprint(problems)
	if !strings.Contains(text, "sha256") || !strings.Contains(text, "decode") {
		t.Fatalf("deep verify of a damaged file: %s", text)
	}
	t.Log(text)
}

func TestDiff(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(10, 11))
	appendBatch(t, l, "d1", randomRows(rng, 300, 2020), 0)
	appendBatch(t, l, "d2", randomRows(rng, 300, 2021), 0)
	v1, _ := viewOf(t, l, 1)
	v2, _ := viewOf(t, l, 2)
	var added, superseded int
	for k, r := range v2 {
		if old, ok := v1[k]; !ok {
			added++
		} else if old != r {
			superseded++
		}
	}
	d, err := l.Diff(ctx, 1, 2)
	must(t, err)
	if len(d.Added) != added || len(d.Superseded) != superseded || len(d.Removed) != 0 || added == 0 || superseded == 0 {
		t.Fatalf("diff 1 2: %d added, %d superseded, %d removed; want %d, %d, 0",
			len(d.Added), len(d.Superseded), len(d.Removed), added, superseded)
	}
	var victim string
	for k := range v2 {
		victim = parseKey(k).ClientKey
		break
	}
	_, err = l.Forget(ctx, victim, "")
	must(t, err)
	appendBatch(t, l, "d4", randomRows(rng, 10, 2022), 0)
	d, err = l.Diff(ctx, 3, 0)
	must(t, err)
	if d.To != 4 || len(d.Removed) != 0 || len(d.Added) == 0 {
		t.Fatalf("diff 3 4: %+v", d)
	}
	for _, k := range d.Added {
		if k.ClientKey == victim {
			t.Fatal("diff shows the forgotten client")
		}
	}
	// Versions before the forget cannot be compared: they were erased.
	if _, err := l.Diff(ctx, 1, 3); !errors.Is(err, ErrErased) {
		t.Fatalf("diff of an erased version: %v", err)
	}
	if d, err = l.Diff(ctx, 4, 4); err != nil || len(d.Added)+len(d.Removed)+len(d.Superseded) != 0 {
		t.Fatalf("diff of a version with itself: %+v %v", d, err)
	}
}
