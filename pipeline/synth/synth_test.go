package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/cstoutcomes/outcomes/pipeline/source"
)

var testToday = time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)

func testConfig(clients int, seed uint64) Config {
	return Config{Clients: clients, Seed: seed, Today: testToday}
}

// collect returns the rows of cfg with their Fields cloned.
func collect(cfg Config) []Row {
	var rows []Row
	for r := range Rows(cfg) {
		rows = append(rows, Row{Fields: slices.Clone(r.Fields), Fault: r.Fault})
	}
	return rows
}

func TestDeterministic(t *testing.T) {
	cfg := testConfig(200, 42)
	cfg.BadShare, cfg.ExtraColumns = 0.1, true
	for _, f := range []source.Format{source.FormatCSV, source.FormatJSONL} {
		t.Run(string(f), func(t *testing.T) {
			var a, b bytes.Buffer
			if _, err := Write(t.Context(), &a, f, cfg); err != nil {
				t.Fatal(err)
			}
			if _, err := Write(t.Context(), &b, f, cfg); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two writes of the same config differ")
			}
			other := cfg
			other.Seed++
			var c bytes.Buffer
			Write(t.Context(), &c, f, other)
			if bytes.Equal(a.Bytes(), c.Bytes()) {
				t.Error("another seed gives the same output")
			}
		})
	}
}

// TestCleanDataIndependentOfBadShare checks that faults draw from their own stream: the
// rows without a fault are the same whatever the bad share.
func TestCleanDataIndependentOfBadShare(t *testing.T) {
	clean := collect(testConfig(100, 7))
	cfg := testConfig(100, 7)
	cfg.BadShare = 0.2
	var untouched int
	keys := map[string]bool{}
	for _, r := range clean {
		keys[strings.Join(r.Fields, ",")] = true
	}
	for _, r := range collect(cfg) {
		if r.Fault == "" && !keys[strings.Join(r.Fields, ",")] {
			t.Fatalf("clean row %q not in the data without faults", r.Fields)
		}
		untouched++
	}
	if untouched == 0 {
		t.Fatal("no rows")
	}
}

func TestRoundTrip(t *testing.T) {
	cfg := testConfig(150, 3)
	cfg.ExtraColumns = true
	want := collect(cfg)
	header := cfg.Header()
	dir := t.TempDir()
	formats := []struct {
		f    source.Format
		opt  source.Options
		csv  CSVDialect
		name string
	}{
		{source.FormatCSV, source.Options{}, CSVDialect{}, "plain.csv"},
		{source.FormatCSV, source.Options{}, ExcelOnWindows, "excel.csv"},
		{source.FormatCSV, source.Options{}, CSVDialect{Delimiter: '\t'}, "tabs.tsv"},
		{source.FormatJSONL, source.Options{}, CSVDialect{}, "s.jsonl"},
		{source.FormatParquet, source.Options{}, CSVDialect{}, "s.parquet"},
		{source.FormatXLSX, source.Options{}, CSVDialect{}, "s.xlsx"},
	}
	for _, tt := range formats {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.CSV = tt.csv
			path := filepath.Join(dir, tt.name)
			st, err := WriteFile(t.Context(), path, tt.f, c)
			if err != nil {
				t.Fatal(err)
			}
			if st.Rows != len(want) {
				t.Errorf("Stats.Rows = %d, want %d", st.Rows, len(want))
			}
			r, err := source.Open(path, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pos := columnPositions(t, r.Header(), header)
			for i := 0; ; i++ {
				rec, err := r.Next()
				if err == io.EOF {
					if i != len(want) {
						t.Fatalf("read %d rows, want %d", i, len(want))
					}
					break
				}
				if err != nil || rec.Err != nil {
					t.Fatalf("row %d: %v %v", i, err, rec.Err)
				}
				for j, name := range header {
					got := rec.Fields[pos[j]]
					if tt.f == source.FormatXLSX && name == "consent_research" {
						got = strings.ToLower(got) // Excel booleans read as TRUE/FALSE
					}
					if got != want[i].Fields[j] {
						t.Fatalf("row %d (line %d) %s = %q, want %q", i, rec.Line, name, got, want[i].Fields[j])
					}
				}
			}
		})
	}
}

// columnPositions maps each wanted column to its index in header (JSON Lines orders keys
// by first appearance, and leaves out keys that never appear).
func columnPositions(t *testing.T, header, want []string) []int {
	t.Helper()
	pos := make([]int, len(want))
	for i, name := range want {
		if pos[i] = slices.Index(header, name); pos[i] < 0 {
			t.Fatalf("column %q missing from %q", name, header)
		}
	}
	return pos
}

// violation returns why a row breaks schema v1 (DESIGN.md section 3), or "" if it is valid.
func violation(h []string, f []string, today time.Time) string {
	v := func(name string) string { return f[slices.Index(h, name)] }
	for _, name := range []string{"practitioner_id", "client_id", "session_date", "session_number", "modality", "presenting_complaint", "adverse_event", "consent_research"} {
		if v(name) == "" {
			return name + " missing"
		}
	}
	d, err := time.Parse(time.DateOnly, v("session_date"))
	if err != nil || !d.Before(today) || d.Year() < 2000 {
		return "session_date " + v("session_date")
	}
	ints := map[string][2]int{"session_number": {1, 500}, "pain_before": {0, 10}, "pain_after": {0, 10},
		"sleep_quality": {0, 10}, "headache_days": {0, 28}, "hit6": {36, 78}, "mymop_symptom1": {0, 6},
		"mymop_symptom2": {0, 6}, "mymop_activity": {0, 6}, "mymop_wellbeing": {0, 6}}
	for name, r := range ints {
		if s := v(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < r[0] || n > r[1] {
				return name + " " + s
			}
		}
	}
	if s := v("hit6"); s != "" && !slices.Contains(achievableHIT6(), atoi(s)) {
		return "hit6 not achievable " + s
	}
	if s := v("sleep_hours"); s != "" {
		if x, err := strconv.ParseFloat(s, 64); err != nil || x < 0 || x > 24 {
			return "sleep_hours " + s
		}
	}
	enums := map[string][]string{"modality": modalities, "presenting_complaint": complaints,
		"age_band": ageBands, "sex": sexes, "adverse_event": adverseEvents}
	for name, allowed := range enums {
		if s := v(name); s != "" && !slices.Contains(allowed, s) {
			return name + " " + s
		}
	}
	if ae, typ := v("adverse_event"), v("adverse_event_type"); (ae == "none") != (typ == "") ||
		(typ != "" && !slices.Contains(adverseEventTypes, typ)) {
		return "adverse_event_type " + ae + "/" + typ
	}
	if c := v("consent_research"); c != "true" && c != "false" {
		return "consent " + c
	}
	return ""
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func TestCleanRowsAreValid(t *testing.T) {
	cfg := testConfig(3000, 11)
	h := cfg.Header()
	rows := collect(cfg)
	idRE := regexp.MustCompile(`^P\d{3}$`)
	clientRE := regexp.MustCompile(`^C\d{5}$`)
	var refused, ae, withHIT6, worse, ties, missingSym2 int
	values := map[string]map[string]bool{}
	lastSession := map[string]int{}
	lastDate := map[string]string{}
	practitioners := map[string]int{}
	for _, r := range rows {
		if r.Fault != "" {
			t.Fatalf("fault %s with BadShare 0", r.Fault)
		}
		if why := violation(h, r.Fields, testToday); why != "" {
			t.Fatalf("invalid row %q: %s", r.Fields, why)
		}
		get := func(name string) string { return r.Fields[slices.Index(h, name)] }
		for _, name := range []string{"modality", "presenting_complaint", "adverse_event_type", "age_band", "sex"} {
			if values[name] == nil {
				values[name] = map[string]bool{}
			}
			values[name][get(name)] = true
		}
		if !idRE.MatchString(get("practitioner_id")) || !clientRE.MatchString(get("client_id")) {
			t.Fatalf("ids %q %q", get("practitioner_id"), get("client_id"))
		}
		key := get("practitioner_id") + "/" + get("client_id")
		n := atoi(get("session_number"))
		if n != lastSession[key]+1 || n > 12 || get("session_date") <= lastDate[key] {
			t.Fatalf("%s: session %d on %s after %d on %s", key, n, get("session_date"), lastSession[key], lastDate[key])
		}
		if n == 1 {
			practitioners[get("practitioner_id")]++
		}
		lastSession[key], lastDate[key] = n, get("session_date")
		if get("consent_research") == "false" {
			refused++
		}
		if get("adverse_event") != "none" {
			ae++
		}
		if get("hit6") != "" {
			withHIT6++
			if c := get("presenting_complaint"); c != "headache" && c != "migraine" {
				t.Errorf("hit6 for complaint %s", c)
			}
		}
		if b, a := get("pain_before"), get("pain_after"); b != "" && a != "" {
			if atoi(a) > atoi(b) {
				worse++
			}
			if a == b {
				ties++
			}
		}
		if get("mymop_symptom1") != "" && get("mymop_symptom2") == "" {
			missingSym2++
		}
	}
	if len(lastSession) != cfg.Clients {
		t.Errorf("%d clients, want %d", len(lastSession), cfg.Clients)
	}
	if len(practitioners) != cfg.Clients/10 {
		t.Errorf("%d practitioners, want %d", len(practitioners), cfg.Clients/10)
	}
	for name, want := range map[string][]string{"modality": modalities, "presenting_complaint": complaints, "age_band": ageBands, "sex": sexes} {
		for _, v := range want {
			if !values[name][v] {
				t.Errorf("%s %q never generated", name, v)
			}
		}
	}
	for _, v := range adverseEventTypes {
		if !values["adverse_event_type"][v] {
			t.Errorf("adverse_event_type %q never generated", v)
		}
	}
	share := func(n int) float64 { return float64(n) / float64(len(rows)) }
	t.Logf("%d rows; consent refused %.3f, adverse events %.3f, hit6 %.3f, pain worse in session %.3f, ties %.3f",
		len(rows), share(refused), share(ae), share(withHIT6), share(worse), share(ties))
	if s := share(refused); s < 0.005 || s > 0.05 {
		t.Errorf("consent refused in %.3f of rows, want about 0.02", s)
	}
	if ae == 0 || withHIT6 == 0 || worse == 0 || ties == 0 || missingSym2 == 0 {
		t.Errorf("missing structure: ae %d hit6 %d worse %d ties %d missing symptom2 %d", ae, withHIT6, worse, ties, missingSym2)
	}
}

func TestFaultsInjected(t *testing.T) {
	cfg := testConfig(400, 5)
	cfg.BadShare = 0.3
	h := cfg.Header()
	rows := collect(cfg)
	get := func(r Row, name string) string { return r.Fields[slices.Index(h, name)] }
	seen := map[Fault]int{}
	bad := 0
	for i, r := range rows {
		seen[r.Fault]++
		why := violation(h, r.Fields, testToday)
		switch r.Fault {
		case "":
			if why != "" && !(i > 0 && rows[i-1].Fault == "" && false) {
				t.Fatalf("row %d without fault is invalid: %s", i, why)
			}
			continue
		case FaultDuplicate:
			if !slices.Equal(r.Fields, rows[i-1].Fields) {
				t.Errorf("row %d: duplicate differs from the row before", i)
			}
		case FaultConflict:
			other := rows[i+1]
			if other.Fault != FaultConflict {
				other = rows[i-1]
			}
			if slices.Equal(r.Fields, other.Fields) || get(r, "session_number") != get(other, "session_number") || get(r, "client_id") != get(other, "client_id") {
				t.Errorf("row %d: conflict pair does not share a key with other values", i)
			}
		case FaultSwapped:
			if get(r, "session_number") != "0" || why == "" {
				t.Errorf("row %d: swapped row %q is not detectable", i, r.Fields)
			}
		case FaultMissingAEType:
			if get(r, "adverse_event") != "mild" || get(r, "adverse_event_type") != "" {
				t.Errorf("row %d: %q", i, r.Fields)
			}
		default:
			if why == "" {
				t.Errorf("row %d: fault %s but the row is valid", i, r.Fault)
			}
		}
		bad++
	}
	for _, f := range Faults {
		if seen[f] == 0 {
			t.Errorf("fault %s never injected", f)
		}
	}
	share := float64(bad) / float64(len(rows))
	t.Logf("faults %v; share %.3f", seen, share)
	if share < 0.2 || share > 0.4 {
		t.Errorf("share of bad rows %.3f, want about 0.3", share)
	}
}

func TestWriteStats(t *testing.T) {
	cfg := testConfig(300, 9)
	cfg.BadShare = 0.1
	var buf bytes.Buffer
	st, err := Write(t.Context(), &buf, source.FormatCSV, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(buf.Bytes(), []byte("\n"))
	if st.Rows != lines-1 || st.Clients != 300 || st.Practitioners != 30 {
		t.Errorf("stats %+v, lines %d", st, lines)
	}
	total := 0
	for _, n := range st.Faults {
		total += n
	}
	if total == 0 || st.ConsentRefused == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{Clients: 0, Today: testToday},
		{Clients: 5, Practitioners: -1, Today: testToday},
		{Clients: 5, BadShare: 1.5, Today: testToday},
		{Clients: 5},
	} {
		if _, err := Write(t.Context(), io.Discard, source.FormatCSV, c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	if _, err := Write(t.Context(), io.Discard, "xml", testConfig(3, 1)); err == nil {
		t.Error("format xml accepted")
	}
	c := testConfig(3, 1)
	c.CSV.Delimiter = '"'
	if _, err := Write(t.Context(), io.Discard, source.FormatCSV, c); err == nil {
		t.Error("delimiter '\"' accepted")
	}
}

func TestPractitionersAtLeastThree(t *testing.T) {
	for _, tt := range []struct{ clients, practitioners, want int }{{1, 0, 1}, {5, 0, 3}, {29, 0, 3}, {50, 0, 5}, {50, 7, 7}} {
		c := testConfig(tt.clients, 1)
		c.Practitioners = tt.practitioners
		seen := map[string]bool{}
		for r := range Rows(c) {
			seen[r.Fields[colPractitioner]] = true
		}
		if len(seen) != tt.want {
			t.Errorf("clients %d, practitioners %d: %d practitioners, want %d", tt.clients, tt.practitioners, len(seen), tt.want)
		}
	}
}

func TestParquetReleasesMemory(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	st := Stats{Faults: map[Fault]int{}}
	if err := writeParquetWith(t.Context(), io.Discard, testConfig(50, 1), &st, mem); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFileLeavesNoTempOnError(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteFile(t.Context(), filepath.Join(dir, "x.csv"), "xml", testConfig(3, 1)); err == nil {
		t.Fatal("no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}

func TestWriteStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, f := range source.Formats {
		if _, err := Write(ctx, io.Discard, f, testConfig(5000, 1)); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", f, err)
		}
	}
}

func ExampleRows() {
	cfg := Config{Clients: 1, Seed: 1, Today: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	for r := range Rows(cfg) {
		fmt.Println(strings.Join(r.Fields[:6], ","))
		break
	}
	// Output:
	// P001,C00374,2023-04-17,1,CST,other_msk
}

func TestPractitionerPrefix(t *testing.T) {
	cfg := Config{Clients: 30, Seed: 1, Today: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), PractitionerPrefix: "B-"}
	n := 0
	for row := range Rows(cfg) {
		if id := row.Fields[0]; !strings.HasPrefix(id, "B-P") {
			t.Fatalf("practitioner id %q does not start with the prefix B-", id)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no rows")
	}
}
