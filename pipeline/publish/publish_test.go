package publish

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

const testSummary = "testdata/summary/summary.json"

// publishTest publishes the test summary into a new directory and returns it.
func publishTest(t *testing.T, minCell int) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := Run(t.Context(), Options{Summary: testSummary, Out: out, MinCell: minCell, ProgramVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunVerify(t *testing.T) {
	dir := publishTest(t, 0)
	if err := Verify(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ManifestFile, ReadmeFile, ReportFile, "course_pain_by_complaint.csv", "adverse_events_by_modality.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	// No practitioner key of the summary's tables reaches the bundle.
	keys, err := os.ReadFile("testdata/summary/tables/meta_practitioners.csv")
	if err != nil {
		t.Fatal(err)
	}
	hex := regexp.MustCompile(`[0-9a-f]{32,}`).FindAll(keys, -1)
	if len(hex) == 0 {
		t.Fatal("no keys in the test tables")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, k := range hex {
			if bytes.Contains(b, k) {
				t.Errorf("%s holds a practitioner key", e.Name())
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := publishTest(t, 0), publishTest(t, 0)
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (%v)", e.Name(), err)
		}
	}
}

func TestVerifyTampered(t *testing.T) {
	dir := publishTest(t, 0)
	name := filepath.Join(dir, "course_pain_by_complaint.csv")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// Reveal one suppressed count (the first row whose count, the third field, is "*"): the
	// hash and the audit both fail.
	i := regexp.MustCompile(`(?m)^[^,\n]*,[^,\n]*,\*`).FindIndex(b)
	if i == nil {
		t.Fatal("nothing suppressed in course_pain_by_complaint.csv")
	}
	b = slices.Concat(b[:i[1]-1], []byte("3"), b[i[1]:])
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Verify(t.Context(), dir)
	if !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "changed: sha256") || !strings.Contains(err.Error(), "audit group course_pain") {
		t.Fatalf("Verify = %v", err)
	}
	t.Log(err)
}

func TestThreshold(t *testing.T) {
	_, err := Run(t.Context(), Options{Summary: testSummary, Out: filepath.Join(t.TempDir(), "b"), MinCell: 2})
	if !errors.Is(err, disclosure.ErrConfig) {
		t.Fatalf("threshold 2: %v", err)
	}
}

func TestStale(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b")
	_, err := Run(t.Context(), Options{Summary: testSummary, Out: out, LatestSnapshot: 1 << 40})
	if !errors.Is(err, ErrStale) {
		t.Fatalf("stale: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a stale summary wrote %s", out)
	}
	if _, err := Run(t.Context(), Options{Summary: testSummary, Out: out, LatestSnapshot: 1 << 40, AllowStale: true}); err != nil {
		t.Fatal(err)
	}
}

// writeSummary writes a changed copy of the test summary, with its tables, into a new
// directory and returns the summary's path.
func writeSummary(t *testing.T, change func(s *summary.Summary)) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/summary")); err != nil {
		t.Fatal(err)
	}
	s, err := summary.Read(testSummary)
	if err != nil {
		t.Fatal(err)
	}
	change(s)
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, summary.FileName)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSubgroupsLeftOut(t *testing.T) {
	sum := writeSummary(t, func(s *summary.Summary) {
		for _, e := range s.Outcomes {
			if e.Value.Course != nil {
				e.Value.Course.ByComplaint = nil
			}
		}
		s.Safety.ByComplaint = nil
	})
	out := filepath.Join(t.TempDir(), "b")
	if _, err := Run(t.Context(), Options{Summary: sum, Out: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "course_pain_by_complaint.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a table of a subgroup the plan left out: %v", err)
	}
	if err := Verify(t.Context(), out); err != nil {
		t.Fatal(err)
	}
}

func TestRefuseKeys(t *testing.T) {
	key := strings.Repeat("ab", 16)
	sum := writeSummary(t, func(s *summary.Summary) {
		s.Safety.ByModality[0].Key = key
	})
	out := filepath.Join(t.TempDir(), "b")
	_, err := Run(t.Context(), Options{Summary: sum, Out: out})
	if !errors.Is(err, ErrRefused) || !errors.Is(err, disclosure.ErrForbidden) || strings.Contains(err.Error(), key) {
		t.Fatalf("a key as a level: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused bundle was written")
	}
}

func TestPublicReport(t *testing.T) {
	dir := publishTest(t, 0)
	html, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="public-note"`, "suppressed: fewer than 10 clients", `id="headline"`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report-public.html lacks %q", want)
		}
	}
	// Dates are published by year: no YYYY-MM anywhere in the bundle's text.
	month := regexp.MustCompile(`\b20\d\d-[01]\d\b`)
	for _, name := range []string{ReportFile, ReadmeFile, ManifestFile} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if m := month.Find(b); m != nil {
			t.Errorf("%s holds the month %s", name, m)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden compares the bundle of the test summary, but for the report (the report
// package's own tests cover its HTML), with testdata/golden; -update rewrites it.
func TestGolden(t *testing.T) {
	dir := publishTest(t, 0)
	golden := filepath.Join("testdata", "golden")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == ReportFile || e.Name() == ManifestFile {
			continue // the manifest holds the report's hash
		}
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(golden, e.Name())
		if *update {
			if err := os.MkdirAll(golden, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update and review the diff)", e.Name(), path)
		}
	}
}

// TestReplace publishes twice into the same directory: the second bundle replaces the first
// and nothing is left beside it.
func TestReplace(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "2026-11-24")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "old.txt"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), Options{Summary: testSummary, Out: out}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(t.Context(), out); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("beside the bundle: %v", entries)
	}
}
