package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// measureInfo is how the report names a measure and its unit.
type measureInfo struct {
	Label    string // as the subject of a sentence: "Pain before the session"
	Title    string // heading
	Scale    string // the scale, for axis labels
	Unit     string // plural unit of a change
	Decimals int    // decimals of means and changes
	Axis     string // the mean's axis label
}

var measureInfos = map[string]measureInfo{
	"pain":          {"Pain before sessions", "Pain", "0–10 NRS", "points", 1, "Mean pain before the session (0–10)"},
	"sleep_quality": {"Sleep quality", "Sleep quality", "0–10 NRS", "points", 1, "Mean sleep quality (0–10)"},
	"headache_days": {"Headache days", "Headache days", "days with headache in the last 28", "days", 1, "Mean headache days (of 28)"},
	"hit6":          {"HIT-6 headache impact", "HIT-6 headache impact", "HIT-6 total, 36–78", "points", 1, "Mean HIT-6 total (36–78)"},
	"mymop_profile": {"The MYMOP profile", "MYMOP profile", "mean MYMOP item score, 0–6", "points", 2, "Mean MYMOP profile (0–6)"},
}

// info returns the measure's names, with a plain fallback for a measure the report does not know.
func info(measure string) measureInfo {
	if mi, ok := measureInfos[measure]; ok {
		return mi
	}
	return measureInfo{Label: measure, Title: measure, Scale: measure, Unit: "units", Decimals: 2, Axis: "Mean " + measure}
}

// responderPhrases say what meeting each responder rule of measures.json means.
var responderPhrases = map[string]string{
	"pain_pct30":              "improved by at least 30%",
	"headache_pct50":          "had at least 50% fewer headache days",
	"hit6_decrease6":          "improved by at least 6 points",
	"mymop_profile_decrease1": "improved by at least 1 point",
}

func responderPhrase(rule string) string {
	if p, ok := responderPhrases[rule]; ok {
		return p
	}
	return "met the responder rule " + rule
}

// analysisNames and testNames name the parts of a confirmatory test's id,
// <measure>.<analysis>.<test> (the plan's multiplicity.confirmatory, summary.json's
// multiplicity.tests[].id), for readers who have not read the plan.
var (
	analysisNames = map[string]string{
		summary.WithinSession: "change within the session",
		summary.Course:        "change from first to last session",
		summary.MixedModel:    "mixed model",
		summary.MetaAnalysis:  "meta-analysis over practitioners",
	}
	testNames = map[string]string{
		"paired_t":       "paired t-test",
		"wilcoxon":       "Wilcoxon signed-rank test",
		"session_number": "change per session",
		"pooled":         "pooled mean change",
	}
)

// testName returns the readable name of a confirmatory test: the measure's title, the
// analysis and the test, as "Pain: change from first to last session, paired t-test" for
// pain.course.paired_t. An id whose analysis or test it does not know is returned as it is.
func testName(id string) string {
	m, rest, _ := strings.Cut(id, ".")
	a, t, _ := strings.Cut(rest, ".")
	an, okA := analysisNames[a]
	tn, okT := testNames[t]
	if m == "" || !okA || !okT {
		return id
	}
	return info(m).Title + ": " + an + ", " + tn
}

// num formats x with dec decimals and a typographic minus; it is the one number format of
// the report (the browser test formats summary.json's numbers with it too).
func num(x float64, dec int) string {
	s := strconv.FormatFloat(x, 'f', dec, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return strings.Replace(s, "-", "−", 1)
}

// pct formats a share as a whole percentage.
func pct(share float64) string { return num(100*share, 0) + "%" }

// pval formats a p-value: three significant digits, "< 0.001" below that.
func pval(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return num(p, 3)
}

// count formats an integer with thin-space thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// cell is one value of a table: Text, or, when Undef is set, the reason it is undefined.
type cell struct {
	Text  string
	Undef string
}

// reasonOr returns reason, or a generic one when the summary gave none.
func reasonOr(reason string) string {
	if reason == "" {
		return "null in summary.json"
	}
	return reason
}

// fcell formats a Float with dec decimals, or its undefined reason.
func fcell(x summary.Float, dec int, reason string) cell {
	if !x.Valid() {
		return cell{Undef: reasonOr(reason)}
	}
	return cell{Text: num(float64(x), dec)}
}

// ciCell formats "est (lo to hi)", or the undefined reason when est is null; a null interval
// alone is shown as "no CI".
func ciCell(est, lo, hi summary.Float, dec int, reason string) cell {
	if !est.Valid() {
		return cell{Undef: reasonOr(reason)}
	}
	s := num(float64(est), dec)
	if lo.Valid() && hi.Valid() {
		s += " (" + num(float64(lo), dec) + " to " + num(float64(hi), dec) + ")"
	} else {
		s += " (no CI)"
	}
	return cell{Text: s}
}

// pcell formats a p-value or its undefined reason.
func pcell(p summary.Float, reason string) cell {
	if !p.Valid() {
		return cell{Undef: reasonOr(reason)}
	}
	return cell{Text: pval(float64(p))}
}

// shareCell formats "r of e: P% (lo% to hi%)".
func shareCell(num, den *int, share, lo, hi summary.Float, reason string) cell {
	if num == nil || den == nil || !share.Valid() {
		return cell{Undef: reasonOr(reason)}
	}
	s := count(*num) + " of " + count(*den) + ": " + pct(float64(share))
	if lo.Valid() && hi.Valid() {
		s += " (" + pct(float64(lo)) + " to " + pct(float64(hi)) + ")"
	}
	return cell{Text: s}
}

func textCell(s string) cell { return cell{Text: s} }

func valid(xs ...summary.Float) bool {
	for _, x := range xs {
		if !x.Valid() {
			return false
		}
	}
	return true
}

func isNaN(x float64) bool { return math.IsNaN(x) }
