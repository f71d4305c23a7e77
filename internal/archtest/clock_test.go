package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository's top folder, from this package's folder.
const repoRoot = "../.."

// clockReaders are the functions allowed to read the wall clock (time.Now, time.Since,
// time.Until), by file and function, each with why it is not a rule.
var clockReaders = map[string]string{
	"cmd/outcomes/root.go:date":                "the one default of --today: the system clock's date when neither --today nor $OUTCOMES_TODAY is set",
	"internal/lock/lock.go:writeHolder":        "the lock file records when it was taken, for the person who finds it",
	"pipeline/duck/create.go:CreateTable":      "duration of a statement, for the debug log",
	"pipeline/duck/duck.go:Open":               "duration of opening a snapshot, for the debug log",
	"pipeline/duck/duck.go:Query":              "duration of a query, for the debug log",
	"pipeline/lake/lake.go:Open":               "the default of Options.Now: the time a commit records",
	"pipeline/lake/lake.go:clearCreationClaim": "the age of a half-created lake's files, compared with file modification times",
	"pipeline/lake/vacuum.go:Vacuum":           "the age of unreferenced files, compared with file modification times",
	"pipeline/notebook/run.go:Run":             "duration of a notebook cell, for the debug log",
	"pipeline/run/ingest.go:ingestFile":        "duration of a file's ingest, for the run record",
	"pipeline/run/run.go:withDefaults":         "the default of Options.Now: the times a run record records and the inbox's settle rule (file modification times)",
}

// TestClockIsAnInput: outside tests and benchmarks, only the functions of clockReaders read
// the wall clock, so no rule (future dates, folder names, retention, synthetic data) depends
// on the day the program happens to run.
func TestClockIsAnInput(t *testing.T) {
	seen := map[string]bool{}
	walkGo(t, func(path string, f *ast.File) {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || !isPkg(sel.X, "time") || !slices.Contains([]string{"Now", "Since", "Until"}, sel.Sel.Name) {
					return true
				}
				key := path + ":" + fn.Name.Name
				seen[key] = true
				if _, ok := clockReaders[key]; !ok {
					t.Errorf("%s reads the wall clock (time.%s): take the date from --today (globalOptions.date) or an Options field, or add it to clockReaders with the reason it is not a rule", key, sel.Sel.Name)
				}
				return true
			})
		}
	})
	for key := range clockReaders {
		if !seen[key] {
			t.Errorf("clockReaders lists %s, which no longer reads the clock: remove it", key)
		}
	}
}

// walkGo parses every non-test Go file of the repository outside bench/ and testdata/ and
// calls fn with its slash-separated path from the repository root.
func walkGo(t *testing.T, fn func(path string, f *ast.File)) {
	t.Helper()
	walkGoFset(t, func(_ *token.FileSet, path string, f *ast.File) { fn(path, f) })
}

// walkGoFset is walkGo that also passes the file set, for positions.
func walkGoFset(t *testing.T, fn func(fset *token.FileSet, path string, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "bench" || d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && rel != ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		fn(fset, rel, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isPkg reports whether x is the identifier of an imported package named name.
func isPkg(x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == name
}
