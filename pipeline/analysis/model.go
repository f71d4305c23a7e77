package analysis

import (
	"database/sql"
	"errors"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"math"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

const (
	methodMixedModel = "Linear mixed model value ~ session_number + (1 | practitioner/client) over every recorded value " +
		"(pain: pain_before), fitted by REML on the profiled criterion as lme4's lmer (Bates et al. 2015), fixed-effect " +
		"df and p by Satterthwaite's method as lmerTest (Kuznetsova et al. 2017); singular is lme4's isSingular."
	methodMeta = "Random-effects meta-analysis of the practitioners' mean course change (yi = mean of last - first over " +
		"the practitioner's clients, vi = its sample variance / n, metafor escalc measure MN) over practitioners " +
		"with at least min_clients clients with a course change; tau2 by REML, z test (or Knapp-Hartung t test " +
		"with knha), I2 and H2 as metafor, prediction interval; as metafor's rma (Viechtbauer 2010)."
)

var (
	lmmReferences = []string{
		"Bates D, Maechler M, Bolker B, Walker S. Fitting linear mixed-effects models using lme4. J Stat Softw 2015;67(1)",
		"Kuznetsova A, Brockhoff PB, Christensen RHB. lmerTest package: tests in linear mixed effects models. J Stat Softw 2017;82(13)",
	}
	metaReferences = []string{
		"Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3)",
		"Knapp G, Hartung J. Improved tests for a random effects meta-regression with a single covariate. Stat Med 2003;22:2693-2710",
		"Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med 2002;21:1539-1558",
		"Riley RD, Higgins JPT, Deeks JJ. Interpretation of random effects meta-analyses. BMJ 2011;342:d549",
	}
)

const lmmFormula = "value ~ session_number + (1 | practitioner/client)"

func (r *runner) mixedModel(measure string) (*summary.MixedModelResult, error) {
	var d stats.LMMData
	var sn []float64
	err := r.query(fmt.Sprintf(`SELECT practitioner_key, client_key, CAST(session_number AS DOUBLE), CAST(%s AS DOUBLE)
		FROM sessions WHERE %[1]s IS NOT NULL AND session_number IS NOT NULL
		ORDER BY practitioner_key, client_key, session_number`, column(measure)), func(rows *sql.Rows) error {
		var pk, ck string
		var s, y float64
		if err := rows.Scan(&pk, &ck, &s, &y); err != nil {
			return err
		}
		d.Outer, d.Group = append(d.Outer, pk), append(d.Group, ck)
		sn, d.Y = append(sn, s), append(d.Y, y)
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.X, d.XNames = [][]float64{sn}, []string{"session_number"}
	b := &summary.LMMBlock{Formula: lmmFormula, REMLCriterion: summary.Null, NObs: len(d.Y)}
	b.NPractitioners, b.NClients = countGroups(d.Outer, d.Group)
	fit, err := stats.FitLMM(r.ctx, d, stats.LMMOptions{})
	if err != nil {
		if e := r.ctx.Err(); e != nil {
			return nil, e
		}
		b.UndefinedReason = lmmReason(err, b)
	} else {
		fillLMM(b, fit)
	}
	return &summary.MixedModelResult{Method: methodMixedModel, References: lmmReferences, Overall: b}, nil
}

// countGroups counts practitioners and (practitioner, client) pairs of rows sorted by both.
func countGroups(outer, group []string) (practitioners, clients int) {
	for i := range outer {
		if i == 0 || outer[i] != outer[i-1] {
			practitioners++
			clients++
		} else if group[i] != group[i-1] {
			clients++
		}
	}
	return practitioners, clients
}

func lmmReason(err error, b *summary.LMMBlock) string {
	switch {
	case b.NObs == 0:
		return "no recorded values"
	case errors.Is(err, stats.ErrTooFew):
		return fmt.Sprintf("too few observations or groups for the model (%d values, %d clients, %d practitioners; "+
			"needs at least 2 practitioners and more values than clients): %v", b.NObs, b.NClients, b.NPractitioners, err)
	case errors.Is(err, stats.ErrZeroVariance):
		return "the values are fitted exactly (zero residual variance): " + err.Error()
	case errors.Is(err, stats.ErrLMMRankDeficient):
		return "session_number does not vary (rank-deficient design): " + err.Error()
	default:
		return "model not fitted: " + err.Error()
	}
}

func fillLMM(b *summary.LMMBlock, fit *stats.LMMFit) {
	fe := func(i int) summary.FixedEffect {
		f := fit.Fixed[i]
		return summary.FixedEffect{Estimate: summary.Float(f.Estimate), SE: summary.Float(f.SE), DF: summary.Float(f.DF), T: summary.Float(f.T), P: summary.Float(f.P)}
	}
	b.Fixed = &summary.LMMFixed{Intercept: fe(0), SessionNumber: fe(1)}
	b.Variance = &summary.LMMVariance{Practitioner: summary.Float(fit.VarOuter), Client: summary.Float(fit.VarGroup), Residual: summary.Float(fit.VarResidual)}
	b.REMLCriterion = summary.Float(fit.Criterion)
	b.NObs, b.NClients, b.NPractitioners = fit.NObs, fit.NGroups, fit.NOuter
	b.Singular = &fit.Singular
}

func (r *runner) metaAnalysis(measure string) (*summary.MetaResult, []PractitionerRow, error) {
	p, err := r.coursePairs(measure)
	if err != nil {
		return nil, nil, err
	}
	b := &summary.MetaBlock{MinClients: r.plan.MinClients, Test: "z"}
	if r.plan.KNHA {
		b.Test = "t"
	}
	yi, vi, rows := r.practitionerEffects(measure, p, b)
	nullMeta(b)
	switch {
	case b.Practitioners == 0:
		b.UndefinedReason = fmt.Sprintf("no practitioner has at least %d clients with a course change", b.MinClients)
	case len(yi) == 0:
		b.UndefinedReason = "every eligible practitioner's clients changed alike (vi = 0)"
	case len(yi) == 1:
		b.K = 1
		b.UndefinedReason = "k = 1: a single practitioner, nothing to pool"
	default:
		m, err := stats.MetaAnalysis(yi, vi, stats.MetaOptions{Method: stats.Tau2REML, KnappHartung: r.plan.KNHA})
		if err != nil {
			b.K = len(yi)
			b.UndefinedReason = "meta-analysis not fitted: " + err.Error()
		} else {
			fillMeta(b, m)
		}
	}
	return &summary.MetaResult{Method: methodMeta, References: metaReferences, Overall: b}, rows, nil
}

func nullMeta(b *summary.MetaBlock) {
	for _, f := range []*summary.Float{&b.Estimate, &b.SE, &b.Z, &b.T, &b.DF, &b.P, &b.CILow, &b.CIHigh, &b.Tau2, &b.I2, &b.H2,
		&b.Q, &b.QP, &b.PILow, &b.PIHigh} {
		*f = summary.Null
	}
}

func fillMeta(b *summary.MetaBlock, m stats.MetaResult) {
	b.K, b.Estimate, b.SE, b.P = m.K, summary.Float(m.Mu), summary.Float(m.SE), summary.Float(m.PValue)
	if m.KnappHartung {
		b.T, b.DF = summary.Float(m.Stat), summary.Float(m.DF)
	} else {
		b.Z = summary.Float(m.Stat)
	}
	b.CILow, b.CIHigh, b.Tau2, b.I2, b.H2 = summary.Float(m.CILower), summary.Float(m.CIUpper), summary.Float(m.Tau2), summary.Float(m.I2), summary.Float(m.H2)
	b.Q, b.QP, b.PILow, b.PIHigh = summary.Float(m.QE), summary.Float(m.QEp), summary.Float(m.PILower), summary.Float(m.PIUpper)
}

// practitionerEffects groups the course pairs (sorted by practitioner) into per-practitioner
// mean changes, records each eligible practitioner's row, and returns yi and vi of those
// included.
func (r *runner) practitionerEffects(measure string, p *pairs, b *summary.MetaBlock) (yi, vi []float64, rows []PractitionerRow) {
	for start := 0; start < len(p.practitioner); {
		end := start
		for end < len(p.practitioner) && p.practitioner[end] == p.practitioner[start] {
			end++
		}
		n := end - start
		if n >= r.plan.MinClients {
			b.Practitioners++
			row := practitionerRow(measure, p, start, end)
			if row.Included {
				yi, vi = append(yi, float64(row.MeanChange)), append(vi, float64(row.VI))
			} else {
				b.ExcludedZeroVariance++
			}
			rows = append(rows, row)
		}
		start = end
	}
	return yi, vi, rows
}

func practitionerRow(measure string, p *pairs, start, end int) PractitionerRow {
	d := make([]float64, 0, end-start)
	for i := start; i < end; i++ {
		d = append(d, p.last[i]-p.first[i])
	}
	desc, _ := stats.Describe(d) // n >= min_clients >= 2
	row := PractitionerRow{Measure: measure, PractitionerKey: p.practitioner[start], Clients: len(d),
		MeanChange: summary.Float(desc.Mean), SDChange: summary.Float(desc.SD), VI: summary.Float(desc.SD * desc.SD / float64(len(d)))}
	row.Included = row.VI.Valid() && row.VI > 0 && !math.IsNaN(desc.Mean)
	if !row.Included {
		row.Reason = "every client changed alike: vi = 0"
	}
	return row
}
