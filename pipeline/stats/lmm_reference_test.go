package stats

import (
	"fmt"
	"regexp"
	"testing"
)

// Runners for the lmm_reml and lmm_ml reference cases (shared/reference/cases/lmm_*.json,
// computed by lmerTest::lmer with bobyqa and rhoend = 1e-12; see the README's "lmm_reml,
// lmm_ml" section).

// lmmFormulaRE matches the formulas of the cases: y ~ x + (1 | g), (1 | outer/g) and
// (1 + s | g).
var lmmFormulaRE = regexp.MustCompile(`^\s*(\w+)\s*~\s*(\w+)\s*\+\s*\(\s*1\s*(?:\+\s*(\w+)\s*)?\|\s*(\w+)\s*(?:/\s*(\w+)\s*)?\)\s*$`)

// lmmFormula is a parsed case formula.
type lmmFormula struct {
	y, x, slope, group, outer string // outer/slope empty when absent
}

func parseLMMFormula(s string) (lmmFormula, error) {
	mm := lmmFormulaRE.FindStringSubmatch(s)
	if mm == nil {
		return lmmFormula{}, fmt.Errorf("unsupported formula %q", s)
	}
	f := lmmFormula{y: mm[1], x: mm[2], slope: mm[3], group: mm[4]}
	if mm[5] != "" { // (1 | a/b): a is the outer factor, b the inner one
		f.outer, f.group = mm[4], mm[5]
	}
	return f, nil
}

func init() {
	registerRunner("lmm_reml", runLMM)
	registerRunner("lmm_ml", runLMM)
}

// runLMM fits the case's model (input.params.formula, input.params.reml) to input.data and
// returns every expected key of the README's table for that model, named as make_reference.R's
// ex_lmer names them.
func runLMM(t *testing.T, c *refCase) (map[string]any, error) {
	f, err := parseLMMFormula(c.paramString(t, "formula", ""))
	if err != nil {
		t.Fatal(err)
	}
	tab := c.loadTable(t)
	fit, err := FitLMM(t.Context(), lmmCaseData(t, f, tab), LMMOptions{ML: !c.paramBool(t, "reml", true)})
	if err != nil {
		return nil, err
	}
	return lmmExpectedKeys(f, fit), nil
}

// lmmCaseData builds LMMData from the formula's columns (empty cells become NaN and their
// rows are dropped by FitLMM).
func lmmCaseData(t testing.TB, f lmmFormula, tab *refTable) LMMData {
	d := LMMData{
		Y: tab.floats(t, f.y), X: [][]float64{tab.floats(t, f.x)}, XNames: []string{f.x},
		Group: tab.strings(t, f.group),
	}
	if f.outer != "" {
		d.Outer = tab.strings(t, f.outer)
	}
	if f.slope != "" {
		d.Slope = tab.floats(t, f.slope)
	}
	return d
}

// lmmExpectedKeys names the fit's numbers as ex_lmer in make_reference.R does.
func lmmExpectedKeys(f lmmFormula, fit *LMMFit) map[string]any {
	out := map[string]any{}
	for _, fe := range fit.Fixed {
		k := "intercept"
		if fe.Name != "(Intercept)" {
			k = fe.Name
		}
		out["beta_"+k], out["se_"+k], out["df_"+k] = fe.Estimate, fe.SE, fe.DF
		out["t_"+k], out["p_"+k] = fe.T, fe.P
	}
	switch fit.Structure {
	case LMMNested:
		inner := f.group + "_in_" + f.outer
		out["var_"+inner], out["var_"+f.outer] = fit.VarGroup, fit.VarOuter
		out["ngroups_"+inner], out["ngroups_"+f.outer] = fit.NGroups, fit.NOuter
	case LMMSlope:
		g, s := f.group, f.slope
		out["var_"+g+"_intercept"], out["var_"+g+"_"+s] = fit.VarGroup, fit.VarSlope
		out["cov_"+g+"_intercept_"+s], out["cor_"+g+"_intercept_"+s] = fit.CovSlope, fit.CorSlope
		out["ngroups_"+g] = fit.NGroups
	default:
		out["var_"+f.group] = fit.VarGroup
		out["ngroups_"+f.group] = fit.NGroups
	}
	for i, t := range fit.Theta {
		out[fmt.Sprintf("theta_%d", i+1)] = t
	}
	out["var_residual"], out["sigma"] = fit.VarResidual, fit.Sigma
	if fit.REML {
		out["reml_criterion"] = fit.Criterion
	} else {
		out["deviance"] = fit.Criterion
	}
	out["loglik"], out["nobs"] = fit.LogLik, fit.NObs
	out["is_singular"] = fit.Singular
	return out
}
