package lake

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCommitSyncs records every fsync of a commit and checks that each file the new version
// depends on was synced, and its directory, before the metadata that names it.
func TestCommitSyncs(t *testing.T) {
	l, _ := openTestLake(t)
	var synced []string
	l.fs.onSync = func(p string) { synced = append(synced, p) }
	appendBatch(t, l, "s1", randomRows(rand.New(rand.NewPCG(12, 12)), 500, 2019, 2024), 3)
	l.fs.onSync = nil

	index := func(pred func(string) bool) int {
		return slices.IndexFunc(synced, pred)
	}
	snap, err := l.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	firstMeta := map[string]int{}
	for _, name := range []string{SessionsTable, QuarantineTable} {
		dir := filepath.Join(l.tableDir(name), "metadata")
		firstMeta[name] = index(func(p string) bool { return filepath.Dir(p) == dir && strings.HasSuffix(p, ".metadata.json") })
		if firstMeta[name] < 0 {
			t.Errorf("no metadata file of %s synced", name)
		}
		if index(func(p string) bool { return p == dir }) < 0 {
			t.Errorf("metadata directory of %s not synced", name)
		}
		if index(func(p string) bool { return strings.HasSuffix(p, "-version-hint.temp") && filepath.Dir(p) == dir }) < 0 {
			t.Errorf("version hint of %s not synced", name)
		}
		// Every manifest and manifest list written by the commit.
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if p := filepath.Join(dir, e.Name()); strings.HasSuffix(p, ".avro") {
				if i := index(func(s string) bool { return s == p }); i < 0 || i > firstMeta[name] {
					t.Errorf("%s not synced", p)
				}
			}
		}
	}
	for _, p := range append(slices.Clone(snap.SessionsFiles), snap.QuarantineFiles...) {
		i := index(func(s string) bool { return s == p })
		if i < 0 {
			t.Errorf("data file %s not synced", p)
			continue
		}
		if i > firstMeta[QuarantineTable] || i > firstMeta[SessionsTable] {
			t.Errorf("data file %s synced after the metadata naming it", p)
		}
		if d := index(func(s string) bool { return s == filepath.Dir(p) }); d < 0 || d > firstMeta[SessionsTable] {
			t.Errorf("directory of %s not synced before the commit", p)
		}
	}
	if index(func(p string) bool { return p == filepath.Join(l.dir, checksumsDir) }) < 0 {
		t.Error("checksums directory not synced")
	}
	if t.Failed() {
		t.Logf("synced:\n%s", strings.Join(synced, "\n"))
	}
}
