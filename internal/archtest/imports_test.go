package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const (
	module  = "github.com/cstoutcomes/outcomes/"
	duckdb  = "github.com/duckdb/duckdb-go"
	iceberg = "github.com/apache/iceberg-go"
)

// listedPackage is what the import rules need of `go list -json`.
type listedPackage struct {
	ImportPath    string
	Imports       []string // direct, of the non-test files
	Deps          []string // transitive, of the non-test files
	TestImports   []string
	XTestImports  []string
	ImportPathRel string `json:"-"` // ImportPath without the module prefix
}

// linksDuckDB are the packages allowed to link DuckDB (DESIGN.md section 11: pipeline/duck
// "and what must call it"), each with why.
var linksDuckDB = map[string]string{
	"pipeline/duck":     "the one place that opens DuckDB",
	"pipeline/analysis": "runs the plan's SQL over the lake views",
	"pipeline/notebook": "runs notebook cells over the lake views",
	"pipeline/run":      "the nightly job runs summarize and the notebooks",
	"cmd/outcomes":      "the binary: sql, summarize, notebook, run, demo",
	"bench/ingest":      "times DuckDB's own CSV -> Parquet COPY as the baseline (STYLE.md section 10)",
	"bench/notebook":    "times notebooks in process",
	"internal/testlake": "test helper: opens DuckDB over the lakes it builds, for tests of analysis and notebooks",
}

// importsDuckDB are the packages allowed to import duckdb-go themselves.
var importsDuckDB = map[string]string{
	"pipeline/duck": "the one place that opens DuckDB",
	"bench/ingest":  "the COPY baseline queries DuckDB directly, not the lake views",
}

// storage are the packages of the storage layer, by import path prefix.
var storage = []string{module + "pipeline/lake", module + "pipeline/duck", duckdb, iceberg}

// TestImportRules checks DESIGN.md section 11's import rules over `go list -json ./...`:
//
//   - only pipeline/duck (and bench/ingest's baseline) imports duckdb-go, and only the
//     packages of linksDuckDB link it: report, publish, summary, ingest and every pure
//     package build without DuckDB;
//   - only pipeline/lake imports iceberg-go;
//   - pipeline/stats and pipeline/source import no storage (lake, duck, duckdb-go,
//     iceberg-go), directly or not;
//   - nothing imports cmd/..., tests included.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, want := range []string{"pipeline/duck", "pipeline/lake", "pipeline/report", "pipeline/publish",
		"pipeline/summary", "pipeline/ingest", "pipeline/stats", "pipeline/source"} {
		if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPathRel == want }) {
			t.Errorf("go list does not list %s: update the import rules", want)
		}
	}
	for _, p := range pkgs {
		checkDuckDB(t, p)
		if d := firstWithPrefix(p.Imports, iceberg); d != "" && p.ImportPathRel != "pipeline/lake" {
			t.Errorf("%s imports %s: only pipeline/lake knows the table format", p.ImportPathRel, d)
		}
		if p.ImportPathRel == "pipeline/stats" || p.ImportPathRel == "pipeline/source" {
			for _, s := range storage {
				if d := firstWithPrefix(p.Deps, s); d != "" {
					t.Errorf("%s depends on %s: it must stay free of storage", p.ImportPathRel, d)
				}
			}
		}
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if strings.HasPrefix(imp, module+"cmd/") {
				t.Errorf("%s imports %s: nothing imports a command", p.ImportPathRel, imp)
			}
		}
	}
}

// checkDuckDB checks who imports and who links duckdb-go.
func checkDuckDB(t *testing.T, p listedPackage) {
	t.Helper()
	if d := firstWithPrefix(p.Imports, duckdb); d != "" {
		if _, ok := importsDuckDB[p.ImportPathRel]; !ok {
			t.Errorf("%s imports %s: only pipeline/duck opens DuckDB", p.ImportPathRel, d)
		}
	}
	if d := firstWithPrefix(p.Deps, duckdb); d != "" {
		if _, ok := linksDuckDB[p.ImportPathRel]; !ok {
			t.Errorf("%s links %s (via %s): keep it free of DuckDB, or add it to linksDuckDB with the reason it must query the lake",
				p.ImportPathRel, d, strings.Join(viaModule(p.Deps), ", "))
		}
	}
}

// listPackages runs `go list -json ./...` at the repository root.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []listedPackage
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		p.ImportPathRel = strings.TrimPrefix(p.ImportPath, module)
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// firstWithPrefix returns the first path of paths that is prefix or below it, or "".
func firstWithPrefix(paths []string, prefix string) string {
	for _, p := range paths {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return p
		}
	}
	return ""
}

// viaModule lists the module's own packages among deps: where a link comes from.
func viaModule(deps []string) []string {
	var out []string
	for _, d := range deps {
		if strings.HasPrefix(d, module) {
			out = append(out, strings.TrimPrefix(d, module))
		}
	}
	return out
}
