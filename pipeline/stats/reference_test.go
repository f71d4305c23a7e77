package stats

// Reference harness: TestReference runs every case in the R reference folder
// (README.md there specifies each method, the case format and the tolerances).
//
// Where the cases are: testdata/reference in this package (the R scripts that compute them,
// make_reference*.R, are there too), or the folder $OUTCOMES_REFERENCE_DIR names when it is
// set, e.g. a fresh run of the scripts (the value "skip" skips the test). A folder without
// cases/ FAILS the test.
//
// How a case runs: the case's "method" selects a caseRunner from runners; the runner reads the
// input through the helpers below, calls the package and returns the values it computed under
// the README's expected-key names (float64, []float64, int, bool). Every expected key must be
// produced and agree within the case's tolerance; an expected {"error": ...} requires the
// runner to return an error. A method without a runner fails, unless futureRunners names it:
// then its cases are skipped with the reason, by name.
//
// Adding runners from another _test.go file of this package (e.g. lmm_reference_test.go):
//
//	func init() {
//		registerRunner("lmm_reml", func(t *testing.T, c *refCase) (map[string]any, error) {
//			tab := c.loadTable(t)                 // input.data with input.filter applied
//			y := tab.floats(t, "pain_before")     // NaN for empty cells
//			g := tab.strings(t, "client_key")
//			formula := c.paramString(t, "formula", "")
//			...
//			return map[string]any{"beta_intercept": b0, "nobs": n}, nil
//		})
//	}
//
// Helpers for runners: c.loadTable(t) (*refTable: header, rows; floats, strings, column),
// c.role(t, "x") (the column name of a role in input.columns), c.pairs(t) (x, y with incomplete
// pairs dropped, from data or inline values), c.groupChanges(t) (change scores x - y of the two
// input.groups), c.valueFloat / c.valueFloats / c.valueInt (input.values), c.paramString /
// c.paramFloat / c.paramBool (input.params).

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// caseRunner computes the values of one reference case. Values are float64, []float64, int
// or bool, keyed by the README's expected-key names.
type caseRunner func(t *testing.T, c *refCase) (map[string]any, error)

// runners maps a case's method to its runner. Other test files add theirs with registerRunner
// in an init function.
var runners = map[string]caseRunner{}

// registerRunner adds the runner of a method; registering a method twice is a bug.
func registerRunner(method string, r caseRunner) {
	if _, dup := runners[method]; dup {
		panic("stats reference: runner registered twice for method " + method)
	}
	runners[method] = r
}

// refCase is one cases/*.json file.
type refCase struct {
	ID        string                     `json:"id"`
	Method    string                     `json:"method"`
	Title     string                     `json:"title"`
	RSetup    string                     `json:"r_setup"`
	RCall     string                     `json:"r_call"`
	Input     refInput                   `json:"input"`
	Expected  map[string]json.RawMessage `json:"expected"`
	Tolerance refTolerance               `json:"tolerance"`
	RWarnings []string                   `json:"r_warnings"`
	RMessages []string                   `json:"r_messages"`
	Notes     string                     `json:"notes"`

	dir  string // the reference folder (parent of cases/ and data/)
	file string // path of the case file
}

type refInput struct {
	Data        string                     `json:"data"`
	Filter      map[string]json.RawMessage `json:"filter"`
	Columns     map[string]string          `json:"columns"`
	Groups      []string                   `json:"groups"`
	Values      map[string]json.RawMessage `json:"values"`
	Params      map[string]json.RawMessage `json:"params"`
	DerivedFrom string                     `json:"derived_from"`
}

type refTol struct {
	Rel float64 `json:"rel"`
	Abs float64 `json:"abs"`
}

type refTolerance struct {
	refTol
	Fields map[string]refTol `json:"fields"`
}

func (tol refTolerance) forKey(key string) refTol {
	if f, ok := tol.Fields[key]; ok {
		return f
	}
	return tol.refTol
}

// futureRunners lists the methods of the reference (README "Methods added in version 2") that
// pipeline/stats does not implement yet, with the reason. TestReference skips their cases and
// says so; a method that has no runner and is not listed here fails. Remove a method from
// this list when its runner is registered (TestReference fails while both exist).
var futureRunners = map[string]string{
	"lmm_blup":        "FitLMM does not return conditional modes (ranef) or their conditional SDs",
	"rubin_pool":      "Rubin's rules (mice::pool.scalar) are not implemented in pipeline/stats",
	"funnel_normal":   "the over-dispersed normal funnel (Spiegelhalter 2005) is not implemented",
	"funnel_binomial": "exact binomial funnel limits (Spiegelhalter 2005) are not implemented",
	"net_benefit":     "Newcombe's interval for paired proportions is not implemented",
	"negbin_rate":     "the negative binomial rate (MASS::glm.nb) is not implemented",
}

// defaultReferenceDir is the reference folder in the repository, relative to this package.
var defaultReferenceDir = filepath.Join("testdata", "reference")

// referenceDir returns the reference folder, or "" when the test is to be skipped.
func referenceDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OUTCOMES_REFERENCE_DIR")
	if dir == "skip" {
		return ""
	}
	if dir == "" {
		dir = defaultReferenceDir
	}
	if _, err := os.Stat(filepath.Join(dir, "cases")); err != nil {
		t.Fatalf("reference folder %s: %v (set OUTCOMES_REFERENCE_DIR to its path, or to skip)", dir, err)
	}
	return dir
}

// loadCases reads every cases/*.json under dir, sorted by file name.
func loadCases(t *testing.T, dir string) []*refCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no cases in %s", filepath.Join(dir, "cases"))
	}
	slices.Sort(files)
	cases := make([]*refCase, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &refCase{dir: dir, file: f}
		if err := json.Unmarshal(b, c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.ID == "" || c.Method == "" || len(c.Expected) == 0 {
			t.Fatalf("%s: id, method or expected missing", f)
		}
		cases = append(cases, c)
	}
	return cases
}

func TestReference(t *testing.T) {
	dir := referenceDir(t)
	if dir == "" {
		t.Skip("OUTCOMES_REFERENCE_DIR=skip")
	}
	for _, m := range slices.Sorted(maps.Keys(futureRunners)) {
		if _, ok := runners[m]; ok {
			t.Errorf("method %q has a runner: remove it from futureRunners", m)
		}
	}
	for _, c := range loadCases(t, dir) {
		t.Run(c.ID, func(t *testing.T) {
			run, ok := runners[c.Method]
			if !ok {
				if why, future := futureRunners[c.Method]; future {
					t.Skipf("method %q: runner is future work: %s", c.Method, why)
				}
				t.Fatalf("no runner for method %q (%s)", c.Method, c.RCall)
			}
			got, err := run(t, c)
			c.check(t, got, err)
		})
	}
}

// check reports the differences between a runner's result and the case's expected values.
func (c *refCase) check(t *testing.T, got map[string]any, err error) {
	t.Helper()
	problems, notes := c.compare(got, err)
	for _, n := range notes {
		t.Log(n)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// compare returns the problems (each fails the case) and notes (logged) of a runner's result
// against the expected values: an expected error must be an error; an unexpected error fails
// unless R gives NaN for part of the result; every expected key must be produced and agree
// within its tolerance.
func (c *refCase) compare(got map[string]any, err error) (problems, notes []string) {
	if msg, ok := c.Expected["error"]; ok {
		if err == nil {
			return []string{fmt.Sprintf("R stops with %s; Go returned no error but %v", msg, got)}, nil
		}
		return nil, []string{fmt.Sprintf("error as expected (R: %s): %v", msg, err)}
	}
	if err != nil {
		if c.expectsNaN() {
			return nil, []string{fmt.Sprintf("error for a result R gives as NaN/NA (allowed): %v", err)}
		}
		return []string{fmt.Sprintf("%s: unexpected error: %v", c.RCall, err)}, nil
	}
	worst, worstKey := 0.0, ""
	for _, key := range slices.Sorted(maps.Keys(c.Expected)) {
		want, err := parseExpected(c.Expected[key])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: bad expected value: %v", key, err))
			continue
		}
		g, ok := got[key]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: expected key not produced by the runner", key))
			continue
		}
		gv, err := asFloats(g)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", key, err))
			continue
		}
		if len(gv) != len(want) {
			problems = append(problems, fmt.Sprintf("%s: got %d values %v, want %d %v", key, len(gv), gv, len(want), want))
			continue
		}
		tol := c.Tolerance.forKey(key)
		for i := range want {
			if r := usedTolerance(gv[i], want[i], tol); r > worst {
				worst, worstKey = r, key
			}
			if !closeEnough(gv[i], want[i], tol) {
				name := key
				if len(want) > 1 {
					name = fmt.Sprintf("%s[%d]", key, i)
				}
				problems = append(problems, fmt.Sprintf("%s: got %.17g, want %.17g (rel %g, abs %g; diff %.3g)",
					name, gv[i], want[i], tol.Rel, tol.Abs, gv[i]-want[i]))
			}
		}
	}
	if worstKey != "" {
		notes = append(notes, fmt.Sprintf("largest difference: %.2g of the tolerance (%s)", worst, worstKey))
	}
	return problems, notes
}

// usedTolerance returns |got - want| / max(abs, rel |want|) for finite values, else 0.
func usedTolerance(got, want float64, tol refTol) float64 {
	if math.IsNaN(got) || math.IsNaN(want) || math.IsInf(got, 0) || math.IsInf(want, 0) {
		return 0
	}
	allowed := math.Max(tol.Abs, tol.Rel*math.Abs(want))
	if allowed == 0 {
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(got-want) / allowed
}

// expectsNaN reports whether any expected value is NA or NaN.
func (c *refCase) expectsNaN() bool {
	for _, raw := range c.Expected {
		v, err := parseExpected(raw)
		if err != nil {
			continue
		}
		if slices.ContainsFunc(v, math.IsNaN) {
			return true
		}
	}
	return false
}

// closeEnough is the README's rule |got - want| <= max(abs, rel |want|); NaN (NA) must be
// NaN, infinities must be the same infinity.
func closeEnough(got, want float64, tol refTol) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	case math.IsNaN(got) || math.IsInf(got, 0):
		return false
	}
	return math.Abs(got-want) <= math.Max(tol.Abs, tol.Rel*math.Abs(want))
}

// parseExpected decodes a number, "NA"/"NaN"/"Inf"/"-Inf", or an array of those.
func parseExpected(raw json.RawMessage) ([]float64, error) {
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err == nil {
		out := make([]float64, len(arr))
		for i, r := range arr {
			v, err := parseScalar(r)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	v, err := parseScalar(raw)
	if err != nil {
		return nil, err
	}
	return []float64{v}, nil
}

func parseScalar(raw json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("not a number or string: %s", raw)
	}
	switch s {
	case "NA", "NaN":
		return math.NaN(), nil
	case "Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	}
	return 0, fmt.Errorf("unknown value %q", s)
}

// asFloats converts a runner's value to a slice of float64.
func asFloats(v any) ([]float64, error) {
	switch x := v.(type) {
	case float64:
		return []float64{x}, nil
	case int:
		return []float64{float64(x)}, nil
	case bool:
		if x {
			return []float64{1}, nil
		}
		return []float64{0}, nil
	case []float64:
		return x, nil
	}
	return nil, fmt.Errorf("runner returned %T, want float64, []float64, int or bool", v)
}

// ---- input helpers (for runners in any _test.go file of this package) ----

// refTable is a CSV file of data/ with the case's filter applied.
type refTable struct {
	Header []string
	Rows   [][]string
	file   string
}

// loadTable reads input.data and keeps the rows that pass input.filter: each filter column
// equals the value or is one of the values of an array (numbers compare numerically).
func (c *refCase) loadTable(t testing.TB) *refTable {
	t.Helper()
	if c.Input.Data == "" {
		t.Fatalf("case %s has no input.data", c.ID)
	}
	path := filepath.Join(c.dir, filepath.FromSlash(c.Input.Data))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	tab := &refTable{Header: recs[0], file: c.Input.Data}
	filters := c.parseFilter(t, tab)
	for _, row := range recs[1:] {
		if filters(row) {
			tab.Rows = append(tab.Rows, row)
		}
	}
	return tab
}

// parseFilter returns the row predicate of input.filter.
func (c *refCase) parseFilter(t testing.TB, tab *refTable) func([]string) bool {
	t.Helper()
	type cond struct {
		col  int
		vals []any // string or float64
	}
	var conds []cond
	for _, name := range slices.Sorted(maps.Keys(c.Input.Filter)) {
		raw := c.Input.Filter[name]
		var list []any
		if err := json.Unmarshal(raw, &list); err != nil {
			var one any
			if err := json.Unmarshal(raw, &one); err != nil {
				t.Fatalf("filter %s: %v", name, err)
			}
			list = []any{one}
		}
		conds = append(conds, cond{col: tab.column(t, name), vals: list})
	}
	return func(row []string) bool {
		for _, cd := range conds {
			if !slices.ContainsFunc(cd.vals, func(v any) bool { return cellEquals(row[cd.col], v) }) {
				return false
			}
		}
		return true
	}
}

func cellEquals(cell string, v any) bool {
	switch w := v.(type) {
	case string:
		return cell == w
	case float64:
		f, err := strconv.ParseFloat(cell, 64)
		return err == nil && f == w
	case bool:
		return strings.EqualFold(cell, strconv.FormatBool(w))
	}
	return false
}

// column returns the index of a column by name.
func (tab *refTable) column(t testing.TB, name string) int {
	t.Helper()
	i := slices.Index(tab.Header, name)
	if i < 0 {
		t.Fatalf("%s: no column %q", tab.file, name)
	}
	return i
}

// strings returns a column's cells ("" for empty).
func (tab *refTable) strings(t testing.TB, name string) []string {
	t.Helper()
	j := tab.column(t, name)
	out := make([]string, len(tab.Rows))
	for i, row := range tab.Rows {
		out[i] = row[j]
	}
	return out
}

// floats returns a column as numbers, NaN for empty cells.
func (tab *refTable) floats(t testing.TB, name string) []float64 {
	t.Helper()
	j := tab.column(t, name)
	out := make([]float64, len(tab.Rows))
	for i, row := range tab.Rows {
		if row[j] == "" {
			out[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(row[j], 64)
		if err != nil {
			t.Fatalf("%s: row %d column %s: %v", tab.file, i+2, name, err)
		}
		out[i] = v
	}
	return out
}

// role returns the column name input.columns gives a role ("x", "y", "g", ...).
func (c *refCase) role(t testing.TB, role string) string {
	t.Helper()
	name, ok := c.Input.Columns[role]
	if !ok {
		t.Fatalf("case %s: no column for role %q", c.ID, role)
	}
	return name
}

// pairs returns x and y with incomplete pairs dropped: from the data's x and y columns, or
// from inline values x and y ("NA" entries are missing).
func (c *refCase) pairs(t testing.TB) (x, y []float64) {
	t.Helper()
	if c.Input.Data != "" {
		tab := c.loadTable(t)
		x, y = tab.floats(t, c.role(t, "x")), tab.floats(t, c.role(t, "y"))
	} else {
		x, y = c.valueFloats(t, "x"), c.valueFloats(t, "y")
	}
	if len(x) != len(y) {
		t.Fatalf("case %s: x has %d values, y %d", c.ID, len(x), len(y))
	}
	var xs, ys []float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		xs, ys = append(xs, x[i]), append(ys, y[i])
	}
	return xs, ys
}

// groupChanges returns the change scores x - y of the rows in input.groups[0] and
// input.groups[1] of column g; rows with an empty x, y or g are dropped.
func (c *refCase) groupChanges(t testing.TB) (a, b []float64) {
	t.Helper()
	if len(c.Input.Groups) != 2 {
		t.Fatalf("case %s: want 2 groups, have %v", c.ID, c.Input.Groups)
	}
	tab := c.loadTable(t)
	x, y := tab.floats(t, c.role(t, "x")), tab.floats(t, c.role(t, "y"))
	g := tab.strings(t, c.role(t, "g"))
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) || g[i] == "" {
			continue
		}
		switch g[i] {
		case c.Input.Groups[0]:
			a = append(a, x[i]-y[i])
		case c.Input.Groups[1]:
			b = append(b, x[i]-y[i])
		}
	}
	return a, b
}

func (c *refCase) value(t testing.TB, name string) json.RawMessage {
	t.Helper()
	raw, ok := c.Input.Values[name]
	if !ok {
		t.Fatalf("case %s: no input.values.%s", c.ID, name)
	}
	return raw
}

// valueFloats returns an inline array ("NA" and "NaN" become NaN).
func (c *refCase) valueFloats(t testing.TB, name string) []float64 {
	t.Helper()
	v, err := parseExpected(c.value(t, name))
	if err != nil {
		t.Fatalf("case %s: values.%s: %v", c.ID, name, err)
	}
	return v
}

// valueFloat returns an inline scalar.
func (c *refCase) valueFloat(t testing.TB, name string) float64 {
	t.Helper()
	v, err := parseScalar(c.value(t, name))
	if err != nil {
		t.Fatalf("case %s: values.%s: %v", c.ID, name, err)
	}
	return v
}

// valueInt returns an inline integer.
func (c *refCase) valueInt(t testing.TB, name string) int {
	t.Helper()
	v := c.valueFloat(t, name)
	if v != math.Trunc(v) {
		t.Fatalf("case %s: values.%s = %g is not an integer", c.ID, name, v)
	}
	return int(v)
}

// valueMatrix returns an inline table given as an array of rows.
func (c *refCase) valueMatrix(t testing.TB, name string) [][]float64 {
	t.Helper()
	var rows [][]float64
	if err := json.Unmarshal(c.value(t, name), &rows); err != nil {
		t.Fatalf("case %s: values.%s: %v", c.ID, name, err)
	}
	return rows
}

// paramString returns input.params[name] as a string, or def when absent.
func (c *refCase) paramString(t testing.TB, name, def string) string {
	t.Helper()
	raw, ok := c.Input.Params[name]
	if !ok {
		return def
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("case %s: params.%s: %v", c.ID, name, err)
	}
	return s
}

// paramStrings returns input.params[name] as a list of strings (a scalar becomes one element).
func (c *refCase) paramStrings(t testing.TB, name string) []string {
	t.Helper()
	raw, ok := c.Input.Params[name]
	if !ok {
		t.Fatalf("case %s: no params.%s", c.ID, name)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("case %s: params.%s: %v", c.ID, name, err)
		}
		list = []string{s}
	}
	return list
}

// paramFloat returns input.params[name] as a number, or def when absent.
func (c *refCase) paramFloat(t testing.TB, name string, def float64) float64 {
	t.Helper()
	raw, ok := c.Input.Params[name]
	if !ok {
		return def
	}
	v, err := parseScalar(raw)
	if err != nil {
		t.Fatalf("case %s: params.%s: %v", c.ID, name, err)
	}
	return v
}

// paramBool returns input.params[name] as a bool, or def when absent.
func (c *refCase) paramBool(t testing.TB, name string, def bool) bool {
	t.Helper()
	raw, ok := c.Input.Params[name]
	if !ok {
		return def
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("case %s: params.%s: %v", c.ID, name, err)
	}
	return b
}

// paramAlternative returns params.alternative (default two.sided).
func (c *refCase) paramAlternative(t testing.TB) Alternative {
	t.Helper()
	a, err := ParseAlternative(c.paramString(t, "alternative", "two.sided"))
	if err != nil {
		t.Fatalf("case %s: %v", c.ID, err)
	}
	return a
}
