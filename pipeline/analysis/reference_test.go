package analysis

import (
	"encoding/csv"
	"encoding/json"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// referenceDir returns the R reference folder: pipeline/stats/testdata/reference in the
// repository (README.md there describes the cases, make_reference*.R compute them), or the
// folder $OUTCOMES_REFERENCE_DIR names when it is set, as for the reference test of
// pipeline/stats (the value "skip" skips TestReference).
func referenceDir(t *testing.T) string {
	t.Helper()
	switch dir := os.Getenv("OUTCOMES_REFERENCE_DIR"); dir {
	case "skip":
		t.Skip("OUTCOMES_REFERENCE_DIR=skip")
	case "":
	default:
		return dir
	}
	return filepath.Join("..", "stats", "testdata", "reference")
}

// referenceCase is a case file of the reference's cases/ with its tolerances.
type referenceCase struct {
	Expected  map[string]any `json:"expected"`
	Tolerance struct {
		Rel, Abs float64
		Fields   map[string]struct{ Rel, Abs float64 }
	} `json:"tolerance"`
}

func readCase(t *testing.T, id string) *referenceCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(referenceDir(t), "cases", id+".json"))
	if err != nil {
		t.Fatalf("R reference: %v", err)
	}
	var c referenceCase
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// check compares got with the case's expected field within the case's tolerance for it.
func (c *referenceCase) check(t *testing.T, field string, got summary.Float) {
	t.Helper()
	want, ok := c.Expected[field].(float64)
	if !ok {
		t.Fatalf("expected.%s is not a number", field)
	}
	rel, abs := c.Tolerance.Rel, c.Tolerance.Abs
	if f, ok := c.Tolerance.Fields[field]; ok {
		rel, abs = f.Rel, f.Abs
	}
	if !scalar.EqualWithinAbsOrRel(float64(got), want, abs, rel) {
		t.Errorf("%s = %v, R gives %v (abs %g, rel %g)", field, got, want, abs, rel)
	}
}

// referenceExport turns the reference's data/sessions.csv into an export the ingest takes:
// the keys become the source ids (the lake hashes them again; grouping is unchanged), the
// derived mymop_profile is left for the ingest to compute, and every row consents.
func referenceExport(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join(referenceDir(t), "data", "sessions.csv"))
	if err != nil {
		t.Fatalf("R reference: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	drop := -1
	for i, h := range recs[0] {
		switch h {
		case "client_key":
			recs[0][i] = "client_id"
		case "practitioner_key":
			recs[0][i] = "practitioner_id"
		case "mymop_profile":
			drop = i
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	for i, r := range recs {
		r = append(r[:drop:drop], r[drop+1:]...)
		if i == 0 {
			r = append(r, "consent_research")
		} else {
			r = append(r, "true")
		}
		w.Write(r)
	}
	w.Flush()
	return b.String()
}

// TestReference summarizes the reference sessions and compares the numbers that the R
// reference computed from the same data.
func TestReference(t *testing.T) {
	tl := newLake(t)
	tl.ingest("sessions.csv", referenceExport(t))
	res, _ := summarize(t, tl.db(0))
	s := res.Summary
	if s.Population.Sessions != 583 || s.Population.Clients != 103 || s.Population.Practitioners != 10 {
		t.Fatalf("population = %+v, want 583 sessions, 103 clients, 10 practitioners", s.Population)
	}
	pain, _ := s.Outcomes.Get("pain")

	ws := pain.WithinSession.Overall
	c := readCase(t, "paired_t_within_session_pain")
	c.check(t, "statistic", ws.T)
	c.check(t, "df", ws.DF)
	c.check(t, "p_value", ws.P)
	c.check(t, "estimate", ws.MeanChange)
	c.check(t, "conf_low", ws.CILow)
	c.check(t, "conf_high", ws.CIHigh)
	c = readCase(t, "wilcoxon_approx_within_session_pain")
	c.check(t, "statistic", ws.WilcoxonV)
	c.check(t, "p_value", ws.WilcoxonP)
	c.check(t, "estimate", ws.HLEstimate)
	c = readCase(t, "cohens_dz_within_session_pain")
	c.check(t, "d_z", ws.Dz)
	c.check(t, "ci_lower", ws.DzCILow)
	c.check(t, "ci_upper", ws.DzCIHigh)
	c.check(t, "sd_diff", ws.SDChange)

	course := pain.Course.Overall
	c = readCase(t, "paired_t_course_pain_less") // one-sided in R: the statistic and estimate agree
	c.check(t, "statistic", course.T)
	c.check(t, "df", course.DF)
	c.check(t, "estimate", course.MeanChange)

	lmm := pain.MixedModel.Overall
	if lmm.Fixed == nil {
		t.Fatalf("mixed model: %s", lmm.UndefinedReason)
	}
	c = readCase(t, "lmm_nested_reml")
	c.check(t, "beta_intercept", lmm.Fixed.Intercept.Estimate)
	c.check(t, "se_intercept", lmm.Fixed.Intercept.SE)
	c.check(t, "df_intercept", lmm.Fixed.Intercept.DF)
	c.check(t, "beta_session_number", lmm.Fixed.SessionNumber.Estimate)
	c.check(t, "se_session_number", lmm.Fixed.SessionNumber.SE)
	c.check(t, "df_session_number", lmm.Fixed.SessionNumber.DF)
	c.check(t, "p_session_number", lmm.Fixed.SessionNumber.P)
	c.check(t, "var_client_key_in_practitioner_key", lmm.Variance.Client)
	c.check(t, "var_practitioner_key", lmm.Variance.Practitioner)
	c.check(t, "var_residual", lmm.Variance.Residual)
	c.check(t, "reml_criterion", lmm.REMLCriterion)
	if lmm.NObs != 583 || lmm.NClients != 103 || lmm.NPractitioners != 10 || *lmm.Singular {
		t.Errorf("mixed model counts = %d, %d, %d, singular %v", lmm.NObs, lmm.NClients, lmm.NPractitioners, *lmm.Singular)
	}

	meta := pain.MetaAnalysis.Overall
	c = readCase(t, "meta_reml_pain_course")
	if meta.K != 10 {
		t.Fatalf("meta-analysis k = %d, want 10 (%s)", meta.K, meta.UndefinedReason)
	}
	for field, got := range map[string]summary.Float{"mu": meta.Estimate, "se": meta.SE, "zval": meta.Z, "pval": meta.P,
		"ci_lb": meta.CILow, "ci_ub": meta.CIHigh, "tau2": meta.Tau2, "I2": meta.I2, "H2": meta.H2, "QE": meta.Q,
		"QEp": meta.QP, "pi_lb": meta.PILow, "pi_ub": meta.PIHigh} {
		c.check(t, field, got)
	}

	c = readCase(t, "poisson_ae_rate_all_sessions")
	c.check(t, "estimate", s.Safety.Overall.RatePer1000)
	c.check(t, "conf_low", s.Safety.Overall.RateCILow)
	c.check(t, "conf_high", s.Safety.Overall.RateCIHigh)
}
