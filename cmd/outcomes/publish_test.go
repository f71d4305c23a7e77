package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/publish"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// pubRun runs the command in process and returns its exit code, stdout and stderr.
func pubRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// pubMust runs the command and fails the test unless it exits 0.
func pubMust(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := pubRun(t, args...)
	if code != 0 {
		t.Fatalf("outcomes %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// TestPublishEndToEnd publishes from a demo lake of 300 clients and checks the bundle against
// the lake: no client or practitioner key in any file, verify passes and catches tampering,
// two runs give the same bytes, a stale summary is refused.
func TestPublishEndToEnd(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("builds a demo lake")
	}
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	pubMust(t, "demo", "--clients", "300", "--out", ws)
	w := "--workspace=" + ws

	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	out := pubMust(t, "publish", w, "--out", a)
	if !strings.Contains(out, "published lake snapshot") {
		t.Errorf("publish printed %q", out)
	}
	pubMust(t, "publish", w, "--out", b)
	files := pubFiles(t, a)
	if len(files) < 5 {
		t.Fatalf("bundle %s has %d files", a, len(files))
	}

	t.Run("deterministic", func(t *testing.T) {
		other := pubFiles(t, b)
		for name, data := range files {
			if !bytes.Equal(data, other[name]) {
				t.Errorf("%s differs between two runs", name)
			}
		}
		if len(other) != len(files) {
			t.Errorf("%d files, then %d", len(files), len(other))
		}
	})

	t.Run("no keys", func(t *testing.T) {
		keys := pubLakeKeys(t, w)
		if len(keys) < 300 {
			t.Fatalf("%d keys in the lake", len(keys))
		}
		for name, data := range files {
			for _, k := range keys {
				if bytes.Contains(data, []byte(k)) {
					t.Errorf("%s holds the key %s…", name, k[:6])
				}
			}
		}
	})

	t.Run("default directory", func(t *testing.T) {
		out := pubMust(t, "publish", w)
		m := filepath.Join(ws, "publish", "*", publish.ManifestFile)
		if got, _ := filepath.Glob(m); len(got) != 1 {
			t.Fatalf("publish printed %q; %s: %v", out, m, got)
		}
	})

	t.Run("verify", func(t *testing.T) {
		out := pubMust(t, "publish", "verify", a)
		if !strings.Contains(out, "every table passes the disclosure audit") {
			t.Errorf("verify printed %q", out)
		}
	})

	t.Run("changed byte", func(t *testing.T) {
		c := pubCopy(t, a)
		name := "sessions_by_year.csv"
		data := files[name]
		i := bytes.LastIndexAny(data, "0123456789")
		data = bytes.Clone(data)
		data[i] = '0' + (data[i]-'0'+1)%10
		pubWrite(t, filepath.Join(c, name), data)
		code, _, errs := pubRun(t, "publish", "verify", c)
		if code != 1 || !strings.Contains(errs, name+": changed: sha256") {
			t.Errorf("verify of a changed byte: exit %d, %s", code, errs)
		}
	})

	t.Run("revealed cell", func(t *testing.T) {
		// Put the true value of a small suppressed count back, and fix its hash in the
		// manifest, so only the audit can tell.
		c := pubCopy(t, a)
		name := "adverse_events_by_modality.csv"
		data, cell := pubRevealSmall(t, files[name], ws)
		pubWrite(t, filepath.Join(c, name), data)
		pubRehash(t, c, name, data)
		code, _, errs := pubRun(t, "publish", "verify", c)
		if code != 1 || !strings.Contains(errs, "audit group sessions") || strings.Contains(errs, "sha256") {
			t.Errorf("verify with %s revealed: exit %d, %s", cell, code, errs)
		}
	})

	t.Run("threshold", func(t *testing.T) {
		if code, _, errs := pubRun(t, "publish", w, "--threshold", "2", "--out", filepath.Join(dir, "t2")); code != 2 {
			t.Errorf("--threshold 2: exit %d, %s", code, errs)
		}
	})

	t.Run("stale", func(t *testing.T) {
		more := filepath.Join(dir, "more.csv")
		pubMust(t, "gen", "--clients", "5", "--seed", "99", "--format", "csv", "-o", more)
		pubMust(t, "ingest", w, more)
		s := filepath.Join(dir, "stale")
		code, _, errs := pubRun(t, "publish", w, "--out", s)
		if code != 3 || !strings.Contains(errs, "stale") {
			t.Errorf("stale summary: exit %d, %s", code, errs)
		}
		if _, err := os.Stat(s); !os.IsNotExist(err) {
			t.Errorf("a refused publish wrote %s", s)
		}
		pubMust(t, "publish", w, "--out", s, "--allow-stale")
	})
}

// pubFiles reads every file of a bundle directory.
func pubFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// pubLakeKeys returns every client_key and practitioner_key of the lake's sessions.
func pubLakeKeys(t *testing.T, w string) []string {
	t.Helper()
	out := pubMust(t, "sql", w, "--format", "csv",
		"SELECT DISTINCT client_key AS k FROM sessions UNION SELECT DISTINCT practitioner_key FROM sessions ORDER BY k")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows[1:] {
		if len(r[0]) < 16 {
			t.Fatalf("key %q is too short to search for", r[0])
		}
		keys = append(keys, r[0])
	}
	return keys
}

func pubCopy(t *testing.T, dir string) string {
	t.Helper()
	c := filepath.Join(t.TempDir(), "bundle")
	if err := os.CopyFS(c, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return c
}

func pubWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pubRevealSmall replaces the first suppressed count of adverse_events_by_modality.csv whose true
// value (from the workspace's summary) is below the threshold with that value.
func pubRevealSmall(t *testing.T, data []byte, ws string) ([]byte, string) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(ws, "reports", "*", summary.FileName))
	if len(paths) != 1 {
		t.Fatalf("summaries: %v", paths)
	}
	s, err := summary.Read(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		sev, mod := r[0][strings.LastIndex(r[0], "/")+1:], r[1]
		if r[2] != "*" || strings.Contains(sev, "_") {
			continue
		}
		block := s.Safety.Overall
		if mod != "Total" {
			block, _ = s.Safety.ByModality.Get(mod)
		}
		n, ok := block.BySeverity.Get(sev)
		if !ok || n < 1 || n > 9 {
			continue
		}
		r[2] = strconv.Itoa(n)
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		if err := cw.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		return b.Bytes(), r[0] + "×" + mod
	}
	t.Fatal("no small suppressed count to reveal")
	return nil, ""
}

// pubRehash sets the sha256 and size of one file in a bundle's manifest.
func pubRehash(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, publish.ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for i, f := range m.Files {
		if f.Path == name {
			m.Files[i].SHA256, m.Files[i].Bytes = pubSHA256(data), len(data)
		}
	}
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	pubWrite(t, path, b)
}

func pubSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
