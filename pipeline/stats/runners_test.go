package stats

import (
	"slices"
	"testing"
)

// Runners of the reference methods implemented in this package's non-LMM files.

func init() {
	registerRunner("descriptives", runDescriptives)
}

func runDescriptives(t *testing.T, c *refCase) (map[string]any, error) {
	var x []float64
	if c.Input.Data != "" {
		x = c.loadTable(t).floats(t, c.role(t, "x"))
	} else {
		x = c.valueFloats(t, "x")
	}
	d, err := Describe(x)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"n": d.N, "mean": d.Mean, "sd": d.SD, "se": d.SE, "ci_lower": d.CILower, "ci_upper": d.CIUpper,
		"q0": d.Min, "q10": d.P10, "q25": d.Q1, "q50": d.Median, "q75": d.Q3, "q90": d.P90, "q100": d.Max,
		"median": d.Median, "iqr": d.IQR,
	}, nil
}

func init() {
	registerRunner("paired_t_test", runPairedT)
	registerRunner("welch_t_test", runWelchT)
}

func tTestValues(r TTest) map[string]any {
	return map[string]any{
		"statistic": r.Statistic, "df": r.DF, "p_value": r.PValue, "estimate": r.Estimate,
		"conf_low": r.ConfLow, "conf_high": r.ConfHigh, "conf_level": r.ConfLevel, "stderr": r.StdErr,
	}
}

func runPairedT(t *testing.T, c *refCase) (map[string]any, error) {
	x, y := c.pairs(t)
	opts := TTestOptions{Alternative: c.paramAlternative(t), ConfLevel: c.paramFloat(t, "conf_level", 0.95)}
	r, err := PairedTTest(x, y, opts)
	if err != nil {
		return nil, err
	}
	return tTestValues(r.TTest), nil
}

func runWelchT(t *testing.T, c *refCase) (map[string]any, error) {
	a, b := c.groupChanges(t)
	opts := TTestOptions{Alternative: c.paramAlternative(t), ConfLevel: c.paramFloat(t, "conf_level", 0.95)}
	r, err := WelchTTest(a, b, opts)
	if err != nil {
		return nil, err
	}
	v := tTestValues(r.TTest)
	v["estimate_x"], v["estimate_y"] = r.MeanX, r.MeanY
	return v, nil
}

func init() {
	registerRunner("p_adjust_holm", func(t *testing.T, c *refCase) (map[string]any, error) {
		return map[string]any{"adjusted": AdjustHolm(c.valueFloats(t, "p"))}, nil
	})
	registerRunner("p_adjust_bh", func(t *testing.T, c *refCase) (map[string]any, error) {
		return map[string]any{"adjusted": AdjustBH(c.valueFloats(t, "p"))}, nil
	})
	registerRunner("wilson_ci", runWilson)
	registerRunner("clopper_pearson_ci", runClopperPearson)
	registerRunner("sign_test", runSignTest)
	registerRunner("mcnemar_test", runMcNemar)
	registerRunner("poisson_rate_ci", runPoisson)
}

func proportionOptions(t *testing.T, c *refCase) ProportionOptions {
	return ProportionOptions{
		Alternative: c.paramAlternative(t),
		ConfLevel:   c.paramFloat(t, "conf_level", 0.95),
		Correct:     c.paramBool(t, "correct", false),
	}
}

func binomialValues(r BinomialResult) map[string]any {
	return map[string]any{
		"successes": r.Successes, "trials": r.Trials, "p_value": r.PValue, "estimate": r.Estimate,
		"conf_low": r.ConfLow, "conf_high": r.ConfHigh, "conf_level": r.ConfLevel,
	}
}

func runWilson(t *testing.T, c *refCase) (map[string]any, error) {
	r, err := Wilson(c.valueInt(t, "x"), c.valueInt(t, "n"), proportionOptions(t, c))
	if err != nil {
		return nil, err
	}
	checkWarnings(t, c, r.Warnings)
	return map[string]any{
		"statistic": r.Statistic, "df": r.DF, "p_value": r.PValue, "estimate": r.Estimate,
		"conf_low": r.ConfLow, "conf_high": r.ConfHigh, "conf_level": r.ConfLevel,
	}, nil
}

func runClopperPearson(t *testing.T, c *refCase) (map[string]any, error) {
	r, err := ClopperPearson(c.valueInt(t, "x"), c.valueInt(t, "n"), proportionOptions(t, c))
	if err != nil {
		return nil, err
	}
	return binomialValues(r), nil
}

func runSignTest(t *testing.T, c *refCase) (map[string]any, error) {
	x, y := c.pairs(t)
	var better Direction
	switch dir := c.paramString(t, "improved_if", ""); dir {
	case "x < y":
		better = LowerIsBetter
	case "x > y":
		better = HigherIsBetter
	default:
		t.Fatalf("improved_if %q", dir)
	}
	r, err := SignTest(x, y, better, ProportionOptions{ConfLevel: c.paramFloat(t, "conf_level", 0.95)})
	if err != nil {
		return nil, err
	}
	// The case repeats the counts under input.values: check them too.
	for name, got := range map[string]int{"improved": r.Improved, "worsened": r.Worsened, "ties": r.Ties} {
		if want := c.valueInt(t, name); got != want {
			t.Errorf("%s: got %d, want %d", name, got, want)
		}
	}
	return binomialValues(r.BinomialResult), nil
}

func runMcNemar(t *testing.T, c *refCase) (map[string]any, error) {
	m := c.valueMatrix(t, "table")
	if len(m) != 2 || len(m[0]) != 2 || len(m[1]) != 2 {
		t.Fatalf("table %v is not 2x2", m)
	}
	var tab [2][2]int
	for i := range 2 {
		for j := range 2 {
			tab[i][j] = int(m[i][j])
		}
	}
	r, err := McNemar(tab, c.paramBool(t, "correct", true))
	if err != nil {
		return nil, err
	}
	return map[string]any{"statistic": r.Statistic, "df": r.DF, "p_value": r.PValue}, nil
}

func runPoisson(t *testing.T, c *refCase) (map[string]any, error) {
	x := c.loadTable(t).strings(t, c.role(t, "x"))
	events := 0
	kinds := c.paramStrings(t, "event_values")
	for _, v := range x {
		if slices.Contains(kinds, v) {
			events++
		}
	}
	per := c.paramFloat(t, "per", 1)
	r, err := PoissonRate(events, float64(len(x))/per, PoissonOptions{
		Rate0:       c.paramFloat(t, "r", 1),
		ConfLevel:   c.paramFloat(t, "conf_level", 0.95),
		Alternative: c.paramAlternative(t),
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"events": r.Events, "time_base": r.TimeBase, "p_value": r.PValue, "estimate": r.Estimate,
		"conf_low": r.ConfLow, "conf_high": r.ConfHigh, "conf_level": r.ConfLevel,
	}, nil
}

// checkWarnings requires Go's warnings to be R's warnings of the case, as sets.
func checkWarnings(t *testing.T, c *refCase, got []string) {
	t.Helper()
	want := slices.Sorted(slices.Values(c.RWarnings))
	g := slices.Compact(slices.Sorted(slices.Values(got)))
	if !slices.Equal(g, want) {
		t.Errorf("warnings: got %q, R gave %q", g, want)
	}
}

func init() {
	registerRunner("cohens_dz", runCohensDz)
	registerRunner("hedges_g", runHedgesG)
}

func runCohensDz(t *testing.T, c *refCase) (map[string]any, error) {
	x, y := c.pairs(t)
	r, err := CohensDz(x, y, EffectSizeOptions{})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"n": r.N, "mean_diff": r.MeanDiff, "sd_diff": r.SDDiff, "d_z": r.Dz, "t": r.T, "df": r.DF,
		"ncp_lower": r.NCPLower, "ncp_upper": r.NCPUpper, "ci_lower": r.CILower, "ci_upper": r.CIUpper,
	}, nil
}

func runHedgesG(t *testing.T, c *refCase) (map[string]any, error) {
	a, b := c.groupChanges(t)
	r, err := HedgesG(a, b, EffectSizeOptions{})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"n1": r.N1, "n2": r.N2, "df": r.DF, "mean_x": r.MeanX, "mean_y": r.MeanY, "sd_pooled": r.SDPooled,
		"d": r.D, "J": r.J, "g": r.G, "t": r.T, "ncp_lower": r.NCPLower, "ncp_upper": r.NCPUpper,
		"d_ci_lower": r.DCILower, "d_ci_upper": r.DCIUpper, "g_ci_lower": r.GCILower, "g_ci_upper": r.GCIUpper,
	}, nil
}

func init() {
	registerRunner("wilcoxon_signed_rank", runWilcoxon)
}

func runWilcoxon(t *testing.T, c *refCase) (map[string]any, error) {
	x, y := c.pairs(t)
	opts := WilcoxonOptions{
		Alternative:  c.paramAlternative(t),
		ConfLevel:    c.paramFloat(t, "conf_level", 0.95),
		NoCorrection: !c.paramBool(t, "correct", true),
	}
	switch m := c.paramString(t, "exact", "auto"); m {
	case "auto":
	case "true":
		opts.Method = WilcoxonExact
	case "false":
		opts.Method = WilcoxonNormal
	default:
		t.Fatalf("exact %q", m)
	}
	r, err := WilcoxonSignedRank(x, y, opts)
	if err != nil {
		return nil, err
	}
	checkWarnings(t, c, r.Warnings)
	return map[string]any{
		"statistic": r.Statistic, "p_value": r.PValue, "estimate": r.Estimate,
		"conf_low": r.ConfLow, "conf_high": r.ConfHigh, "conf_level": r.ConfLevel,
	}, nil
}

func init() {
	registerRunner("meta_rma_reml", runMeta(Tau2REML, false))
	registerRunner("meta_rma_dl", runMeta(Tau2DL, false))
	registerRunner("meta_rma_reml_knha", runMeta(Tau2REML, true))
}

func runMeta(method Tau2Method, knha bool) caseRunner {
	return func(t *testing.T, c *refCase) (map[string]any, error) {
		tab := c.loadTable(t)
		yi, vi, err := MeanEffects(tab.floats(t, c.role(t, "mean")), tab.floats(t, c.role(t, "sd")), tab.floats(t, c.role(t, "n")))
		if err != nil {
			return nil, err
		}
		if m := c.paramString(t, "method", method.String()); m != method.String() {
			t.Fatalf("params.method %q, runner for %s", m, method)
		}
		if tst := c.paramString(t, "test", "z"); (tst == "knha") != knha {
			t.Fatalf("params.test %q, runner knha=%v", tst, knha)
		}
		r, err := MetaAnalysis(yi, vi, MetaOptions{Method: method, KnappHartung: knha})
		if err != nil {
			return nil, err
		}
		out := map[string]any{
			"k": r.K, "mu": r.Mu, "se": r.SE, "pval": r.PValue, "ci_lb": r.CILower, "ci_ub": r.CIUpper,
			"tau2": r.Tau2, "se_tau2": r.SETau2, "I2": r.I2, "H2": r.H2, "QE": r.QE, "QEp": r.QEp,
			"tau2_ci_lb": r.Tau2CILower, "tau2_ci_ub": r.Tau2CIUpper, "I2_ci_lb": r.I2CILower, "I2_ci_ub": r.I2CIUpper,
			"H2_ci_lb": r.H2CILower, "H2_ci_ub": r.H2CIUpper,
			"pred": r.Mu, "pred_se": r.SE, "pred_ci_lb": r.CILower, "pred_ci_ub": r.CIUpper,
			"pi_lb": r.PILower, "pi_ub": r.PIUpper,
		}
		if knha {
			out["tval"], out["df"] = r.Stat, r.DF
		} else {
			out["zval"] = r.Stat
		}
		return out, nil
	}
}
