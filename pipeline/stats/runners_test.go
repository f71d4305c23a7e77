package stats

import "testing"

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
