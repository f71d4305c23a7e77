package atomicfile

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles returns a fill function that writes files (name → content) with mode 0644.
func writeFiles(files map[string]string) func(*Dir) error {
	return func(d *Dir) error {
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if err := d.WriteFile(name, []byte(files[name]), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

// readDir returns the files of dir, name → content; nil if dir does not exist.
func readDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// entries returns the names in dir.
func entries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// hook replaces *v with h for the rest of the test.
func hook[T any](t *testing.T, v *T, h T) {
	old := *v
	*v = h
	t.Cleanup(func() { *v = old })
}

// equal reports whether two directories' files are the same; nil (no directory) is not
// an empty directory.
func equal(a, b map[string]string) bool {
	return (a == nil) == (b == nil) && maps.Equal(a, b)
}

func TestWriteDir(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  map[string]string // the directory before; nil: none
	}{
		{"new", nil},
		{"replace", map[string]string{"a.csv": "old a", "stale.csv": "gone after"}},
		{"replace empty", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "tables")
			if tc.old != nil {
				if err := WriteDir(dir, writeFiles(tc.old)); err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]string{"a.csv": "new a", "b.csv": "new b"}
			if err := WriteDir(dir, writeFiles(want)); err != nil {
				t.Fatal(err)
			}
			if got := readDir(t, dir); !equal(got, want) {
				t.Errorf("directory holds %v, want %v", got, want)
			}
			if got := entries(t, parent); !slices.Equal(got, []string{"tables"}) {
				t.Errorf("parent holds %v, want only the target (no temporary or old directory)", got)
			}
			checkMode(t, dir, 0o755|os.ModeDir)
			checkMode(t, filepath.Join(dir, "a.csv"), 0o644)
		})
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), st.Mode(), want)
	}
}

func TestWriteDirCreatesParent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "publish", "2025-01-01")
	if err := WriteDir(dir, writeFiles(map[string]string{"x": "y"})); err != nil {
		t.Fatal(err)
	}
	if got := readDir(t, dir); got["x"] != "y" {
		t.Errorf("directory holds %v", got)
	}
}

var errFail = errors.New("injected failure")

// rollbackCases fail WriteDir at each step before the commit point: in fill, or through the
// hooks that setup installs.
var rollbackCases = []struct {
	name  string
	fill  func(*Dir) error // nil: write a.csv
	setup func(t *testing.T, dir string)
}{
	{name: "fill fails", fill: func(d *Dir) error {
		if err := d.WriteFile("a.csv", []byte("half"), 0o644); err != nil {
			return err
		}
		return errFail
	}},
	{name: "name written twice", fill: func(d *Dir) error {
		if err := d.WriteFile("a.csv", []byte("1"), 0o644); err != nil {
			return err
		}
		return d.WriteFile("a.csv", []byte("2"), 0o644)
	}},
	{name: "file sync fails", setup: func(t *testing.T, dir string) {
		hook(t, &syncFile, func(f *os.File) error {
			if filepath.Base(f.Name()) == "a.csv" {
				return errFail
			}
			return f.Sync()
		})
	}},
	{name: "directory sync fails", setup: func(t *testing.T, dir string) {
		hook(t, &syncFile, func(f *os.File) error {
			if strings.HasPrefix(filepath.Base(f.Name()), TempPrefix) {
				return errFail
			}
			return f.Sync()
		})
	}},
	{name: "swap fails after moving the old directory aside", setup: func(t *testing.T, dir string) {
		hook(t, &rename, func(from, to string) error {
			if to == dir && !strings.HasSuffix(from, ".old") {
				return errFail
			}
			return os.Rename(from, to)
		})
	}},
}

// TestWriteDirRollback fails each step before the commit point in turn, with and without an
// old directory: the old directory (or its absence) must be as it was, and no temporary
// directory left.
func TestWriteDirRollback(t *testing.T) {
	for _, tc := range rollbackCases {
		for _, exists := range []bool{true, false} {
			name := tc.name + "/new"
			if exists {
				name = tc.name + "/replace"
			}
			t.Run(name, func(t *testing.T) {
				parent := t.TempDir()
				dir := filepath.Join(parent, "plots")
				var old map[string]string
				if exists {
					old = map[string]string{"a.csv": "old a", "b.csv": "old b"}
					if err := WriteDir(dir, writeFiles(old)); err != nil {
						t.Fatal(err)
					}
				}
				if tc.setup != nil {
					tc.setup(t, dir)
				}
				fill := tc.fill
				if fill == nil {
					fill = writeFiles(map[string]string{"a.csv": "new a"})
				}
				err := WriteDir(dir, fill)
				if err == nil {
					t.Fatal("WriteDir succeeded")
				}
				if tc.fill == nil && !errors.Is(err, errFail) {
					t.Errorf("error %v does not wrap the injected failure", err)
				}
				checkUnchanged(t, parent, dir, old)
			})
		}
	}
}

// checkUnchanged checks that dir holds old (nil: does not exist) and parent nothing else.
func checkUnchanged(t *testing.T, parent, dir string, old map[string]string) {
	t.Helper()
	if got := readDir(t, dir); !equal(got, old) {
		t.Errorf("after a failed write the directory holds %v, want %v", got, old)
	}
	var want []string
	if old != nil {
		want = []string{filepath.Base(dir)}
	}
	if got := entries(t, parent); !slices.Equal(got, want) {
		t.Errorf("parent holds %v, want %v (no temporary directory)", got, want)
	}
}

// TestWriteDirSyncs checks that every file, the new directory and its parent are synced, and
// the parent only after the swap.
func TestWriteDirSyncs(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "bundle")
	if err := WriteDir(dir, writeFiles(map[string]string{"old": "x"})); err != nil {
		t.Fatal(err)
	}
	var synced []string
	hook(t, &syncFile, func(f *os.File) error {
		name := f.Name()
		if name == parent {
			if _, err := os.Stat(filepath.Join(dir, "b.csv")); err != nil {
				t.Errorf("parent synced before the swap: %v", err)
			}
		}
		synced = append(synced, name)
		return f.Sync()
	})
	if err := WriteDir(dir, writeFiles(map[string]string{"a.csv": "a", "b.csv": "b"})); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 4 {
		t.Fatalf("synced %v, want the two files, the temporary directory and the parent", synced)
	}
	tmp := filepath.Dir(synced[0])
	if !strings.HasPrefix(filepath.Base(tmp), TempPrefix+"bundle-") {
		t.Errorf("files written in %s, want a temporary directory beside the target named %s*", tmp, TempPrefix+"bundle-")
	}
	want := []string{filepath.Join(tmp, "a.csv"), filepath.Join(tmp, "b.csv"), tmp, parent}
	if !slices.Equal(synced, want) {
		t.Errorf("synced %v, want %v", synced, want)
	}
}

// TestWriteDirCrashLeftovers looks at the parent at every point a crash could stop WriteDir
// (each sync and rename): besides the target, it holds only names that start with TempPrefix,
// which the nightly run's cleanup removes.
func TestWriteDirCrashLeftovers(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "tables")
	if err := WriteDir(dir, writeFiles(map[string]string{"a.csv": "old"})); err != nil {
		t.Fatal(err)
	}
	points := 0
	look := func() {
		points++
		for _, name := range entries(t, parent) {
			if name != "tables" && !strings.HasPrefix(name, TempPrefix) {
				t.Errorf("a crash here would leave %s, which the cleanup does not recognise", name)
			}
		}
	}
	hook(t, &syncFile, func(f *os.File) error { look(); return f.Sync() })
	hook(t, &rename, func(from, to string) error { look(); return os.Rename(from, to) })
	if err := WriteDir(dir, func(d *Dir) error { look(); return writeFiles(map[string]string{"a.csv": "new"})(d) }); err != nil {
		t.Fatal(err)
	}
	if points < 5 {
		t.Errorf("looked at %d points, want every sync and rename", points)
	}
}
