package analysis

import (
	"database/sql"
	"errors"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"math"
	"slices"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/measures"
	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

// Method texts of the paired analyses (docs/summary.md).
const (
	methodWithinSession = "Paired comparison of pain_after with pain_before in the same session, over sessions with both " +
		"(sessions are clustered within clients: see the mixed model). Mean change with t-based 95% CI and paired " +
		"t-test (R t.test paired, two-sided); Wilcoxon signed-rank test with Hodges-Lehmann estimate (R wilcox.test " +
		"paired, conf.int; Wilcoxon 1945; Hodges and Lehmann 1963); Cohen's d_z with noncentral-t 95% CI (Cohen " +
		"1988; Steiger and Fouladi 1997); responders by the measure's default rule in measures.json with Wilson 95% " +
		"CI (R prop.test correct = FALSE; Wilson 1927); deterioration by the measure's worse rule."
	methodCourse = "Paired comparison of each client's last recorded value with the first (by session_number), over " +
		"clients with at least two recorded values; pain uses pain_before. Subgroups by the client's first session. " +
		"Same statistics as within_session: paired t (R t.test paired), Wilcoxon signed-rank with Hodges-Lehmann " +
		"(R wilcox.test), Cohen's d_z with noncentral-t CI, responders with Wilson CI (R prop.test correct = FALSE), " +
		"deterioration by the worse rule (or the default rule mirrored)."
)

var pairedReferences = []string{
	"Student 1908; R t.test(paired = TRUE)",
	"Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bulletin 1945;1:80-83",
	"Hodges JL, Lehmann EL. Estimates of location based on rank tests. Ann Math Stat 1963;34:598-611",
	"Cohen J. Statistical Power Analysis for the Behavioral Sciences, 2nd ed. 1988",
	"Steiger JH, Fouladi RT. Noncentrality interval estimation. In: What if there were no significance tests? 1997",
	"Wilson EB. Probable inference, the law of succession, and statistical inference. JASA 1927;22:209-212",
}

// pairs are the paired values of one analysis with the subgroup levels of each pair.
type pairs struct {
	practitioner []string
	first, last  []float64
	levels       map[string][]string // subgroup → level of each pair
}

// subset returns the pairs whose level of subgroup sg is level.
func (p *pairs) subset(sg, level string) *pairs {
	out := &pairs{}
	for i, l := range p.levels[sg] {
		if l == level {
			out.practitioner = append(out.practitioner, p.practitioner[i])
			out.first = append(out.first, p.first[i])
			out.last = append(out.last, p.last[i])
		}
	}
	return out
}

// readPairs reads (practitioner, modality, complaint, first, last) rows.
func (r *runner) readPairs(q string) (*pairs, error) {
	p := &pairs{levels: map[string][]string{"modality": nil, "presenting_complaint": nil}}
	err := r.query(q, func(rows *sql.Rows) error {
		var pk, mod, comp string
		var a, b float64
		if err := rows.Scan(&pk, &mod, &comp, &a, &b); err != nil {
			return err
		}
		p.practitioner = append(p.practitioner, pk)
		p.levels["modality"] = append(p.levels["modality"], mod)
		p.levels["presenting_complaint"] = append(p.levels["presenting_complaint"], comp)
		p.first, p.last = append(p.first, a), append(p.last, b)
		return nil
	})
	return p, err
}

func (r *runner) withinSession() (*summary.PairedAnalysis, error) {
	p, err := r.readPairs(`SELECT practitioner_key, coalesce(modality, '(missing)'), coalesce(presenting_complaint, '(missing)'),
		CAST(pain_before AS DOUBLE), CAST(pain_after AS DOUBLE) FROM sessions
		WHERE pain_before IS NOT NULL AND pain_after IS NOT NULL
		ORDER BY practitioner_key, client_key, session_number`)
	if err != nil {
		return nil, err
	}
	return r.pairedAnalysis(methodWithinSession, "pain_before", p), nil
}

// coursePairs reads each client's first and last recorded value of a measure.
func (r *runner) coursePairs(measure string) (*pairs, error) {
	c := column(measure)
	return r.readPairs(fmt.Sprintf(`SELECT practitioner_key, coalesce(modality, '(missing)'), coalesce(presenting_complaint, '(missing)'),
		CAST(%[1]s_first AS DOUBLE), CAST(%[1]s_last AS DOUBLE) FROM clients
		WHERE %[1]s_n >= 2 ORDER BY practitioner_key, client_key`, c))
}

func (r *runner) course(measure string) (*summary.PairedAnalysis, error) {
	p, err := r.coursePairs(measure)
	if err != nil {
		return nil, err
	}
	return r.pairedAnalysis(methodCourse, column(measure), p), nil
}

// pairedAnalysis computes the block overall and per level of each subgroup of the plan.
func (r *runner) pairedAnalysis(method, field string, p *pairs) *summary.PairedAnalysis {
	a := &summary.PairedAnalysis{Method: method, References: pairedReferences, Overall: r.pairedBlock(field, p),
		ByModality: summary.Ordered[*summary.PairedBlock]{}, ByComplaint: summary.Ordered[*summary.PairedBlock]{}}
	for _, sg := range r.plan.Subgroups {
		by := &a.ByModality
		if sg == "presenting_complaint" {
			by = &a.ByComplaint
		}
		for _, level := range sortedLevels(p.levels[sg]) {
			*by = append(*by, summary.Entry[*summary.PairedBlock]{Key: level, Value: r.pairedBlock(field, p.subset(sg, level))})
		}
	}
	return a
}

// sortedLevels returns the distinct values of levels in byte order.
func sortedLevels(levels []string) []string {
	out := slices.Clone(levels)
	slices.Sort(out)
	return slices.Compact(out)
}

// reasons collects the distinct reasons why statistics of a block are null.
type reasons []string

func (rs *reasons) add(s string) {
	if !slices.Contains(*rs, s) {
		*rs = append(*rs, s)
	}
}

func (rs reasons) String() string { return strings.Join(rs, "; ") }

// pairedBlock computes the paired statistics of d = last - first.
func (r *runner) pairedBlock(field string, p *pairs) *summary.PairedBlock {
	b := nullPaired(len(p.first))
	var why reasons
	if b.N == 0 {
		why.add("no pairs")
	} else {
		b.MeanFirst, b.MeanLast = summary.Float(mean(p.first)), summary.Float(mean(p.last))
		b.MeanChange = summary.Float(mean(p.last) - mean(p.first))
	}
	if b.N == 1 {
		why.add("n < 2: one pair")
	}
	if b.N >= 2 {
		pairedTests(b, p.first, p.last, &why)
	}
	r.responders(b, field, p.first, p.last)
	b.UndefinedReason = why.String()
	return b
}

func nullPaired(n int) *summary.PairedBlock {
	return &summary.PairedBlock{N: n, MeanFirst: summary.Null, MeanLast: summary.Null, MeanChange: summary.Null, SDChange: summary.Null, CILow: summary.Null, CIHigh: summary.Null,
		T: summary.Null, DF: summary.Null, P: summary.Null, WilcoxonV: summary.Null, WilcoxonP: summary.Null, HLEstimate: summary.Null, Dz: summary.Null, DzCILow: summary.Null,
		DzCIHigh: summary.Null, ResponderShare: summary.Null, ResponderCILow: summary.Null, ResponderCIHigh: summary.Null, DeterioratedShare: summary.Null}
}

func mean(x []float64) float64 {
	d, err := stats.Describe(x)
	if err != nil {
		return math.NaN()
	}
	return d.Mean
}

// pairedTests fills the t-test, Wilcoxon and d_z fields for n >= 2 pairs.
func pairedTests(b *summary.PairedBlock, first, last []float64, why *reasons) {
	d := make([]float64, len(first))
	for i := range d {
		d[i] = last[i] - first[i]
	}
	if desc, err := stats.Describe(d); err == nil {
		b.MeanChange, b.SDChange = summary.Float(desc.Mean), summary.Float(desc.SD)
	}
	tt, err := stats.PairedTTest(last, first, stats.TTestOptions{})
	switch {
	case errors.Is(err, stats.ErrConstant):
		why.add("every change is the same: zero variance, the t-test is undefined")
	case err != nil:
		why.add("t-test: " + err.Error())
	case !summary.Float(tt.PValue).Valid():
		why.add("every change is 0: the t-test is undefined")
	default:
		b.CILow, b.CIHigh, b.T, b.DF, b.P = summary.Float(tt.ConfLow), summary.Float(tt.ConfHigh), summary.Float(tt.Statistic), summary.Float(tt.DF), summary.Float(tt.PValue)
	}
	if w, err := stats.WilcoxonSignedRank(last, first, stats.WilcoxonOptions{}); err != nil {
		why.add("wilcoxon: " + err.Error())
	} else {
		b.WilcoxonV, b.WilcoxonP, b.HLEstimate = summary.Float(w.Statistic), summary.Float(w.PValue), summary.Float(w.Estimate)
		if !b.WilcoxonP.Valid() {
			why.add("every change is 0: the Wilcoxon test and the Hodges-Lehmann estimate are undefined")
		}
	}
	dz, err := stats.CohensDz(last, first, stats.EffectSizeOptions{})
	switch {
	case errors.Is(err, stats.ErrZeroVariance):
		why.add("sd of the change is 0: d_z is undefined")
	case err != nil:
		why.add("d_z: " + err.Error())
	default:
		b.Dz, b.DzCILow, b.DzCIHigh = summary.Float(dz.Dz), summary.Float(dz.CILower), summary.Float(dz.CIUpper)
	}
}

// responders fills the responder and deterioration fields from measures.json's rules.
func (r *runner) responders(b *summary.PairedBlock, field string, first, last []float64) {
	rule := r.ref.DefaultResponder(field)
	worse, mirrored := r.ref.WorseRule(field)
	if rule == nil || rule.Check() != nil {
		b.ResponderUndefinedReason = fmt.Sprintf("%s has no established MCID and no default responder rule in measures.json", field)
		return
	}
	ev, met, err := count(rule, first, last, false)
	if err != nil {
		b.ResponderUndefinedReason = err.Error()
		return
	}
	b.ResponderRule, b.Evaluable, b.Responders = &rule.ID, intp(ev), intp(met)
	var why reasons
	if ev == 0 {
		why.add("no evaluable pair for " + rule.ID + " (" + rule.EvaluableIf + ")")
	} else {
		b.ResponderShare = summary.Float(float64(met) / float64(ev))
		if w, err := stats.Wilson(met, ev, stats.ProportionOptions{}); err == nil {
			b.ResponderCILow, b.ResponderCIHigh = summary.Float(w.ConfLow), summary.Float(w.ConfHigh)
		}
	}
	if worse != nil && worse.Check() == nil {
		name := worse.ID
		if mirrored {
			name += " (mirrored)"
		}
		wev, wmet, err := count(worse, first, last, mirrored)
		if err == nil {
			b.DeteriorationRule, b.DeteriorationEvaluable, b.Deteriorated = &name, intp(wev), intp(wmet)
			if wev > 0 {
				b.DeterioratedShare = summary.Float(float64(wmet) / float64(wev))
			} else {
				why.add("no evaluable pair for " + name)
			}
		}
	}
	b.ResponderUndefinedReason = why.String()
}

// count returns how many pairs are evaluable for rule and how many meet it. Scores take few
// distinct values, so each distinct (first, last) pair is evaluated once.
func count(rule *measures.Responder, first, last []float64, mirrored bool) (evaluable, met int, err error) {
	seen := map[[2]float64]measures.Outcome{}
	for i := range first {
		key := [2]float64{first[i], last[i]}
		o, ok := seen[key]
		if !ok {
			if o, err = evaluate(rule, first[i], last[i], mirrored); err != nil {
				return 0, 0, err
			}
			seen[key] = o
		}
		if o != measures.NotEvaluable {
			evaluable++
		}
		if o == measures.Met {
			met++
		}
	}
	return evaluable, met, nil
}

func evaluate(rule *measures.Responder, first, last float64, mirrored bool) (measures.Outcome, error) {
	a, b := measures.Exact(first), measures.Exact(last)
	if mirrored {
		return rule.EvaluateMirrored(a, b)
	}
	return rule.Evaluate(a, b)
}
