package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

// lakeWorkspace creates a workspace whose lake has two versions.
func lakeWorkspace(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ws")
	w, err := workspace.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	l, err := lake.Open(ctx, w.LakeDir(), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, name := range []string{"a.csv", "b.csv"} {
		a, err := l.NewAppend(ctx, lake.Source{Name: name, SHA256: strings.Repeat(string(rune('a'+i)), 64), Format: "csv", SchemaVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		rec := lakeTestRecord(t, a.Version(), 3+i)
		err = a.WriteSessions(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		n := int64(3 + i)
		if _, err := a.Commit(ctx, lake.Counts{Read: n + 1, Accepted: n, Excluded: 1}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lakeTestRecord(t *testing.T, version int64, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, lake.SessionsSchema())
	defer b.Release()
	for i := range n {
		for j, f := range lake.SessionsSchema().Fields() {
			switch fb := b.Field(j).(type) {
			case *array.StringBuilder:
				fb.Append(f.Name)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(19000 + i*400))
			case *array.Int32Builder:
				fb.Append(1)
			case *array.Int64Builder:
				fb.Append(version)
			case *array.Float64Builder:
				fb.Append(1.5)
			}
		}
	}
	return b.NewRecordBatch()
}

func runLake(t *testing.T, ws string, args ...string) (stdout string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"--workspace", ws, "lake"}, args...), &out, &errb)
	if code != 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), code
}

func TestLakeCommands(t *testing.T) {
	ws := lakeWorkspace(t)

	out, code := runLake(t, ws, "status")
	if code != 0 || !strings.Contains(out, "version 2") || !strings.Contains(out, "sessions") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	out, code = runLake(t, ws, "status", "--json")
	var st lake.Status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Version != 2 || st.Tables[0].Rows != 7 {
		t.Fatalf("status --json: exit %d\n%s", code, out)
	}

	out, code = runLake(t, ws, "log")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[1], "a.csv") || !strings.Contains(lines[2], "bbbbbbbbbbbb ") {
		t.Fatalf("log: exit %d\n%s", code, out)
	}
	out, code = runLake(t, ws, "log", "--json")
	var log []commitJSON
	if code != 0 || json.Unmarshal([]byte(out), &log) != nil || len(log) != 2 || log[1].Counts.Accepted != 4 {
		t.Fatalf("log --json: exit %d\n%s", code, out)
	}

	if out, code = runLake(t, ws, "verify"); code != 0 || strings.TrimSpace(out) != "ok" {
		t.Fatalf("verify of an intact lake: exit %d\n%s", code, out)
	}
	l, err := lake.Open(context.Background(), filepath.Join(ws, "lake"), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := l.Snapshot(context.Background(), 0)
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	victim := snap.SessionsFiles[0]
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	out, code = runLake(t, ws, "verify")
	if code != 1 || !strings.HasPrefix(out, victim+": missing") {
		t.Fatalf("verify of a lake with a deleted file: exit %d\n%s", code, out)
	}
}
