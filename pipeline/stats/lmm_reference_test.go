package stats

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Runners for the lmm_reml and lmm_ml reference cases (cases/lmm_*.json of the R reference,
// computed by lmerTest::lmer with bobyqa and rhoend = 1e-12; see the README's "lmm_reml,
// lmm_ml" section and, for several fixed terms and factors, "lmm_reml with fixed covariates").

// lmmFormulaRE matches the formulas of the cases: y ~ terms + (1 | g), (1 | outer/g) and
// (1 + s | g), where terms are column names joined by "+".
var lmmFormulaRE = regexp.MustCompile(`^\s*(\w+)\s*~\s*((?:\w+\s*\+\s*)+)\(\s*1\s*(?:\+\s*(\w+)\s*)?\|\s*(\w+)\s*(?:/\s*(\w+)\s*)?\)\s*$`)

// lmmFormula is a parsed case formula.
type lmmFormula struct {
	y                   string
	fixed               []string // the fixed terms (column names) in formula order
	slope, group, outer string   // outer/slope empty when absent
}

func parseLMMFormula(s string) (lmmFormula, error) {
	mm := lmmFormulaRE.FindStringSubmatch(s)
	if mm == nil {
		return lmmFormula{}, fmt.Errorf("unsupported formula %q", s)
	}
	f := lmmFormula{y: mm[1], slope: mm[3], group: mm[4]}
	for _, term := range strings.Split(mm[2], "+") {
		if term = strings.TrimSpace(term); term != "" {
			f.fixed = append(f.fixed, term)
		}
	}
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

// lmmCaseData builds LMMData from the formula's columns as lmer's model frame does: rows
// with an empty cell in any variable of the formula are dropped first (na.omit); a numeric
// fixed term is one X column; a character one is a factor with treatment contrasts, its
// levels the distinct values of the rows kept in byte order, the first the reference, and
// one indicator column named column + level per other level.
func lmmCaseData(t testing.TB, f lmmFormula, tab *refTable) LMMData {
	keep := lmmCompleteRows(t, f, tab)
	complete := &refTable{Header: tab.Header, file: tab.file}
	for i, row := range tab.Rows {
		if keep[i] {
			complete.Rows = append(complete.Rows, row)
		}
	}
	tab = complete
	d := LMMData{Y: tab.floats(t, f.y), Group: tab.strings(t, f.group)}
	for _, term := range f.fixed {
		cols, names := lmmTermColumns(t, tab, term)
		d.X, d.XNames = append(d.X, cols...), append(d.XNames, names...)
	}
	if f.outer != "" {
		d.Outer = tab.strings(t, f.outer)
	}
	if f.slope != "" {
		d.Slope = tab.floats(t, f.slope)
	}
	return d
}

// lmmCompleteRows marks the rows with a value in every variable of the formula.
func lmmCompleteRows(t testing.TB, f lmmFormula, tab *refTable) []bool {
	vars := append([]string{f.y, f.group}, f.fixed...)
	for _, v := range []string{f.slope, f.outer} {
		if v != "" {
			vars = append(vars, v)
		}
	}
	keep := make([]bool, len(tab.Rows))
	for i := range keep {
		keep[i] = true
	}
	for _, v := range vars {
		for i, cell := range tab.strings(t, v) {
			keep[i] = keep[i] && cell != ""
		}
	}
	return keep
}

// lmmTermColumns returns the X columns of one fixed term: the column itself when every cell
// is a number, else the treatment-contrast indicators of its levels.
func lmmTermColumns(t testing.TB, tab *refTable, term string) ([][]float64, []string) {
	cells := tab.strings(t, term)
	numeric := !slices.ContainsFunc(cells, func(c string) bool {
		_, err := strconv.ParseFloat(c, 64)
		return err != nil
	})
	if numeric {
		return [][]float64{tab.floats(t, term)}, []string{term}
	}
	levels := slices.Compact(slices.Sorted(slices.Values(cells)))
	var cols [][]float64
	var names []string
	for _, lev := range levels[1:] {
		col := make([]float64, len(cells))
		for i, c := range cells {
			if c == lev {
				col[i] = 1
			}
		}
		cols, names = append(cols, col), append(names, term+lev)
	}
	return cols, names
}

// lmmKeyName is the README's rule for fixed-effect names in expected keys: (Intercept)
// becomes intercept, ":" becomes "_in_", and any other character outside A-Z a-z 0-9 _ "_".
func lmmKeyName(name string) string {
	if name == "(Intercept)" {
		return "intercept"
	}
	name = strings.ReplaceAll(name, ":", "_in_")
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
}

// lmmExpectedKeys names the fit's numbers as ex_lmer in make_reference.R does.
func lmmExpectedKeys(f lmmFormula, fit *LMMFit) map[string]any {
	out := map[string]any{}
	for _, fe := range fit.Fixed {
		k := lmmKeyName(fe.Name)
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
