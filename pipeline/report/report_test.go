package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testdata/summary.json and the tables beside it were written by the real pipeline:
// `outcomes demo --clients 60 --seed 1` (summary.json and tables/{meta_practitioners,
// trajectory,changes}.csv of its reports/<date>/ directory).
const testSummary = "testdata/summary.json"

func load(t *testing.T) *Input {
	t.Helper()
	in, err := Load(testSummary)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func render(t *testing.T, in *Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path, err := Write(testSummary, dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, FileName) {
		t.Errorf("Write returned %s", path)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "plots report.html" {
		t.Errorf("Write left %q in the directory, want plots and %s", names, FileName)
	}
	plots, _ := os.ReadDir(filepath.Join(dir, PlotsDir))
	if len(plots) < 10 {
		t.Fatalf("%d plots written", len(plots))
	}
	b, err := os.ReadFile(filepath.Join(dir, PlotsDir, "trajectory-pain.svg"))
	if err != nil || !bytes.Contains(b, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Errorf("plots/trajectory-pain.svg is not a standalone SVG: %v", err)
	}
	// Again: the plots directory is replaced whole, nothing else is left behind.
	if _, err := Write(testSummary, dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a second Write left %d entries", len(entries))
	}
}

// TestDeterministic: the same summary gives the same bytes.
func TestDeterministic(t *testing.T) {
	a, b := render(t, load(t)), render(t, load(t))
	if a != b {
		t.Fatal("two renderings of the same summary differ")
	}
}

// TestSelfContained: nothing in the report makes the browser fetch anything.
func TestSelfContained(t *testing.T) {
	html := render(t, load(t))
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<link`), regexp.MustCompile(`(?i)<img`),
		regexp.MustCompile(`(?i)<iframe`), regexp.MustCompile(`(?i)@import`), regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)\bsrc=`), regexp.MustCompile(`(?i)href="(?:[a-z]+:|//)`),
		regexp.MustCompile(`(?i)xlink:href`), regexp.MustCompile(`(?i)@font-face`),
	} {
		if loc := bad.FindStringIndex(html); loc != nil {
			t.Errorf("report contains %q at byte %d: %q", bad, loc[0], html[max(0, loc[0]-40):min(len(html), loc[1]+40)])
		}
	}
	for _, want := range []string{`<meta name="viewport"`, `@media print`, `<svg class="plot"`} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %s", want)
		}
	}
}

// TestSections: every section the browser test and readers look for is there.
func TestSections(t *testing.T) {
	in := load(t)
	html := render(t, in)
	ids := []string{"headline", "safety", "quality", "multiplicity", "methods", "footer"}
	for _, e := range in.Summary.Outcomes {
		ids = append(ids, "measure-"+e.Key, "trajectory-"+e.Key, "change-"+e.Key, "forest-"+e.Key)
	}
	for _, id := range ids {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("no element with id %q", id)
		}
	}
	for _, want := range []string{"Sessions are clustered within clients", "mixed model", in.Summary.PlanSHA256,
		"Garwood F. Fiducial limits", "Bates D, Maechler M", "· sessions 2024-01-21 to 2026-10-09</p>"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestNoPractitionerKey: practitioners appear only under anonymous labels.
func TestNoPractitionerKey(t *testing.T) {
	in := load(t)
	if len(in.Practitioners) == 0 {
		t.Fatal("testdata has no practitioner rows")
	}
	html := render(t, in)
	for _, p := range in.Practitioners {
		if strings.Contains(html, p.Key) {
			t.Fatalf("report contains practitioner_key %s", p.Key)
		}
	}
	if !strings.Contains(html, "Practitioner A (n = ") {
		t.Error("no anonymous practitioner label in the forest plot")
	}
}

// TestEscaping puts markup into every kind of text the summary carries and checks that the
// report shows it as text: html/template escapes the HTML, gonum's SVG writer the plots.
func TestEscaping(t *testing.T) {
	in := load(t)
	s := in.Summary
	const evil = `<script>alert("x")</script>`
	mark := func(i string) string { return strings.Replace(evil, "x", i, 1) }
	s.Plan.Name = mark("plan")
	s.Plan.Source = mark("source")
	s.PlanSHA256 = mark("sha")
	s.ProgramVersion = mark("version")
	pain, _ := s.Outcomes.Get("pain")
	pain.Field = mark("field")
	pain.Course.Method = mark("method")
	pain.Course.References = append(pain.Course.References, mark("reference"))
	// A level name reaches the subgroup table and the responder plot's axis.
	pain.Course.ByComplaint[0].Key = mark("level")
	pain.Course.ByModality[0].Key = mark("modality")
	undefined := pain.Course.ByComplaint[1].Value
	undefined.MeanChange, undefined.UndefinedReason = summary.Null, mark("reason")
	s.Safety.Overall.ByType[0].Key = mark("aetype")
	s.DataQuality.Commits[0].Source = mark("commit")
	s.DataQuality.Commits[0].Operation = mark("operation")
	s.DataQuality.ViolationsByRule = append(s.DataQuality.ViolationsByRule, summary.RuleCount{Rule: mark("rule"), Column: mark("column"), Violations: 1, Rows: 1})
	s.DataQuality.Missingness[0].Field = mark("missing")
	s.Multiplicity.Tests[0].ID = mark("test")
	html := render(t, in)
	if i := strings.Index(strings.ToLower(html), "<script"); i >= 0 {
		t.Fatalf("unescaped <script> in the report: %q", html[max(0, i-80):min(len(html), i+80)])
	}
	for _, id := range []string{"plan", "source", "sha", "version", "field", "method", "reference", "level", "modality",
		"reason", "aetype", "commit", "operation", "rule", "column", "missing", "test"} {
		// html/template writes " as &#34;, gonum's SVG writer as &#34; too (html.EscapeString).
		want := "&lt;script&gt;alert(&#34;" + id + "&#34;)&lt;/script&gt;"
		if !strings.Contains(html, want) {
			t.Errorf("the value with %q is not in the report as escaped text %s", id, want)
		}
	}
}

// TestUndefinedShowsReason: a null statistic shows its undefined_reason, never a number.
func TestUndefinedShowsReason(t *testing.T) {
	in := load(t)
	pain, _ := in.Summary.Outcomes.Get("pain")
	b := pain.Course.Overall
	b.MeanChange, b.CILow, b.CIHigh, b.SDChange = summary.Null, summary.Null, summary.Null, summary.Null
	b.UndefinedReason = "n < 2: one pair (test)"
	html := render(t, in)
	head := Headline("pain", pain)
	if strings.Contains(head, "fell") || strings.Contains(head, "rose") || !strings.Contains(head, "n < 2: one pair (test)") {
		t.Errorf("headline of an undefined change: %q", head)
	}
	if !strings.Contains(html, `not defined: n &lt; 2: one pair (test)`) {
		t.Error("the paired table does not show the undefined reason")
	}
}

func TestHeadline(t *testing.T) {
	rule := "pain_pct30"
	ev, resp := 100, 43
	tests := []struct {
		name          string
		n             int
		m, lo, hi     float64
		share, sl, sh float64
		want          string
	}{
		{"fell", 412, -1.83, -2.11, -1.52, 0.48, 0.43, 0.53,
			"Pain before sessions fell by 1.8 points (95% CI 1.5 to 2.1) from first to last session in 412 clients; 48% improved by at least 30% (95% CI 43% to 53%)."},
		{"rose", 1250, 0.5, 0.2, 0.8, 0.1, 0.05, 0.15,
			"Pain before sessions rose by 0.5 points (95% CI 0.2 to 0.8) from first to last session in 1,250 clients; 10% improved by at least 30% (95% CI 5% to 15%)."},
		{"includes zero", 7, -0.4, -1.2, 0.4, 0.43, 0.1, 0.8,
			"Pain before sessions changed by −0.4 points on average (95% CI −1.2 to 0.4, which includes no change) from first to last session in 7 clients; 43% improved by at least 30% (95% CI 10% to 80%)."},
		{"no CI", 1, -2, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(),
			"Pain before sessions changed by −2.0 points on average (no CI: n < 2) from first to last session in 1 client; responder rate not defined (no evaluable pair)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &summary.PairedBlock{N: tt.n, MeanChange: summary.Float(tt.m), CILow: summary.Float(tt.lo), CIHigh: summary.Float(tt.hi),
				ResponderRule: &rule, Evaluable: &ev, Responders: &resp, ResponderShare: summary.Float(tt.share),
				ResponderCILow: summary.Float(tt.sl), ResponderCIHigh: summary.Float(tt.sh)}
			if math.IsNaN(tt.lo) {
				b.UndefinedReason, b.ResponderUndefinedReason = "n < 2", "no evaluable pair"
			}
			o := &summary.Outcome{Course: &summary.PairedAnalysis{Overall: b}}
			if got := Headline("pain", o); got != tt.want {
				t.Errorf("Headline:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestTrajectoryGolden compares the SVG of one plot with testdata/trajectory-pain.svg
// (go test -update rewrites it; review the diff).
func TestTrajectoryGolden(t *testing.T) {
	f, err := trajectoryFigure(load(t), "pain", info("pain"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Missing != "" {
		t.Fatal(f.Missing)
	}
	got := []byte(f.SVG)
	golden := filepath.Join("testdata", "trajectory-pain.svg")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("trajectory SVG differs from %s (go test -update to accept; review the diff)", golden)
	}
	// Its structure: an accessible, inlinable SVG with text in the font stack, no ids.
	svg := string(got)
	for _, want := range []string{`<svg class="plot" role="img" aria-label="Pain: mean by session number"`, `viewBox=`,
		fontStack, ">Session number</text>", ">mean</text>", ">95% CI</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("trajectory SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, " id=") || strings.Contains(svg, "<?xml") {
		t.Error("trajectory SVG has an id or an XML prologue")
	}
}

func TestNiceTicks(t *testing.T) {
	var labels []string
	for _, tk := range (niceTicks{}).Ticks(-9.5, 5.5) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "−8 −6 −4 −2 0 2 4"; got != want {
		t.Errorf("ticks of [-9.5, 5.5]: %s, want %s", got, want)
	}
}

func TestLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA"} {
		if got := letters(i); got != want {
			t.Errorf("letters(%d) = %s, want %s", i, got, want)
		}
	}
}

// TestDegenerate: an empty lake's summary and one without the plots' tables still give a
// report, with reasons in place of numbers and plots.
func TestDegenerate(t *testing.T) {
	null := summary.Null
	empty := &summary.PairedBlock{MeanFirst: null, MeanLast: null, MeanChange: null, SDChange: null, CILow: null, CIHigh: null,
		T: null, DF: null, P: null, WilcoxonV: null, WilcoxonP: null, HLEstimate: null, Dz: null, DzCILow: null, DzCIHigh: null,
		ResponderShare: null, ResponderCILow: null, ResponderCIHigh: null, DeterioratedShare: null,
		UndefinedReason: "no data", ResponderUndefinedReason: "no evaluable pair"}
	s := &summary.Summary{
		Plan: &summary.Plan{Name: "default"},
		Outcomes: summary.Ordered[*summary.Outcome]{{Key: "pain", Value: &summary.Outcome{
			Field: "pain_before", Direction: "higher_is_worse",
			WithinSession: &summary.PairedAnalysis{Overall: empty},
			Course:        &summary.PairedAnalysis{Overall: empty},
			MixedModel:    &summary.MixedModelResult{Overall: &summary.LMMBlock{UndefinedReason: "no values", REMLCriterion: null}},
			MetaAnalysis: &summary.MetaResult{Overall: &summary.MetaBlock{MinClients: 5, Estimate: null, SE: null, Z: null, T: null, DF: null,
				P: null, CILow: null, CIHigh: null, Tau2: null, I2: null, H2: null, Q: null, QP: null, PILow: null, PIHigh: null,
				UndefinedReason: "k = 0"}},
		}}},
		Safety: summary.Safety{Overall: &summary.SafetyBlock{RatePer1000: null, RateCILow: null, RateCIHigh: null,
			NonEmotionalRate: null, NonEmotionalRateCILow: null, NonEmotionalRateCIHigh: null, UndefinedReason: "no sessions"}},
	}
	html := render(t, &Input{Summary: s})
	for _, want := range []string{"cannot be estimated", "no data", "Not fitted: no values", "Not estimated: k = 0", "no sessions",
		"trajectory.csv is not beside summary.json", "the lake has no commit"} {
		if !strings.Contains(html, want) {
			t.Errorf("degenerate report lacks %q", want)
		}
	}
	if strings.Contains(html, "NaN") {
		t.Error("degenerate report shows NaN")
	}
	if !strings.Contains(html, "· no sessions</p>") {
		t.Error("degenerate report's masthead does not say \"no sessions\"")
	}
	for _, bad := range []string{"sessions no sessions", "0 of 0 sessions", "undefined (no clients)"} {
		if strings.Contains(html, bad) {
			t.Errorf("degenerate report says %q", bad)
		}
	}
	render(t, &Input{Summary: &summary.Summary{}})
}

func TestTestName(t *testing.T) {
	for _, tt := range []struct{ id, want string }{
		{"pain.course.paired_t", "Pain: change from first to last session, paired t-test"},
		{"pain.within_session.wilcoxon", "Pain: change within the session, Wilcoxon signed-rank test"},
		{"hit6.mixed_model.session_number", "HIT-6 headache impact: mixed model, change per session"},
		{"mymop_profile.meta_analysis.pooled", "MYMOP profile: meta-analysis over practitioners, pooled mean change"},
		{"new_measure.course.paired_t", "new_measure: change from first to last session, paired t-test"},
		{"pain.course.sign_test", "pain.course.sign_test"},
		{"pain.course", "pain.course"},
		{"", ""},
	} {
		if got := testName(tt.id); got != tt.want {
			t.Errorf("testName(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

// TestConfirmatoryNames: the confirmatory tests are listed by their readable names, and the
// plan's ids, which only the plan's author knows how to read, are not shown.
func TestConfirmatoryNames(t *testing.T) {
	in := load(t)
	html := render(t, in)
	start := strings.Index(html, `<section id="multiplicity">`)
	end := strings.Index(html[start:], "</section>")
	if start < 0 || end < 0 {
		t.Fatal("no multiplicity section")
	}
	section := html[start : start+end]
	if len(in.Summary.Multiplicity.Tests) == 0 {
		t.Fatal("testdata has no confirmatory test")
	}
	for _, c := range in.Summary.Multiplicity.Tests {
		if name := testName(c.ID); name == c.ID || !strings.Contains(section, ">"+name+"<") {
			t.Errorf("confirmatory test %s is not listed as %q", c.ID, name)
		}
		if strings.Contains(section, c.ID) {
			t.Errorf("the confirmatory section shows the id %s", c.ID)
		}
	}
}
