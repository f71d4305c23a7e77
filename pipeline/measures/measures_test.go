package measures

import (
	"errors"
	"math/big"
	"testing"
)

func load(t *testing.T) *Reference {
	t.Helper()
	ref, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestFields(t *testing.T) {
	ref := load(t)
	if f := ref.Field("pain_before"); f.Direction != HigherIsWorse || f.MCIDAbs == nil || *f.MCIDAbs != 2 || *f.MCIDPct != 30 {
		t.Errorf("pain_before = %+v", f)
	}
	if f := ref.Field("sleep_quality"); f.Direction != HigherIsBetter || f.HasMCID() || ref.DefaultResponder("sleep_quality") != nil {
		t.Errorf("sleep_quality = %+v", f)
	}
	for field, want := range map[string]string{"pain_before": "pain_pct30", "headache_days": "headache_pct50",
		"hit6": "hit6_decrease6", "mymop_profile": "mymop_profile_decrease1"} {
		if r := ref.DefaultResponder(field); r == nil || r.ID != want {
			t.Errorf("DefaultResponder(%s) = %v, want %s", field, r, want)
		}
	}
	if r, m := ref.WorseRule("pain_before"); r.ID != "pain_worse" || m {
		t.Errorf("WorseRule(pain_before) = %s, %v", r.ID, m)
	}
	if r, m := ref.WorseRule("hit6"); r.ID != "hit6_decrease6" || !m {
		t.Errorf("WorseRule(hit6) = %s, %v", r.ID, m)
	}
	if got := ref.Field("adverse_event").Values; len(got) != 5 || got[0] != "none" {
		t.Errorf("adverse_event values = %v", got)
	}
}

func TestEveryRuleParses(t *testing.T) {
	for _, r := range load(t).Responders() {
		err := r.Check()
		if r.ID == "pain_ladder" {
			if !errors.Is(err, ErrNotExpression) {
				t.Errorf("pain_ladder: err = %v, want ErrNotExpression", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
	}
}

func TestEvaluate(t *testing.T) {
	ref := load(t)
	tests := []struct {
		rule          string
		before, after float64
		mirrored      bool
		want          Outcome
	}{
		{"pain_pct30", 10, 7, false, Met}, // exactly 30%: 0.3 in floating point would miss it
		{"pain_pct30", 10, 8, false, NotMet},
		{"pain_pct30", 3, 2, false, Met}, // 33%
		{"pain_pct30", 0, 0, false, NotEvaluable},
		{"pain_pct30", 1, 0, false, Met},
		{"pain_pct50", 6, 3, false, Met},
		{"pain_pct10", 10, 9, false, Met},
		{"pain_abs2", 1, 0, false, NotEvaluable},
		{"pain_abs2", 5, 3, false, Met},
		{"pain_worse", 0, 2, false, Met},
		{"pain_worse", 0, 1, false, NotMet},
		{"pain_worse", 10, 13, false, Met}, // +30% of baseline
		{"pain_worse", 7, 8, false, NotMet},
		{"headache_pct50", 10, 5, false, Met},
		{"headache_pct50", 0, 0, false, NotEvaluable},
		{"headache_pct50", 10, 15, true, Met}, // a rise of 50% is the mirrored rule
		{"headache_pct50", 10, 14, true, NotMet},
		{"hit6_decrease6", 60, 54, false, Met},
		{"hit6_decrease6", 60, 55, false, NotMet},
		{"hit6_decrease6", 41, 30, false, NotEvaluable},
		{"hit6_decrease6", 50, 56, true, Met},
		{"mymop_profile_decrease1", 11.0 / 3, 8.0 / 3, false, Met}, // 3.667 → 2.667 is exactly 1
		{"mymop_profile_decrease1", 2.75, 1.75, false, Met},
		{"mymop_profile_decrease1", 0.75, 0, false, NotEvaluable},
		{"mymop_profile_decrease05", 2.5, 2, false, Met},
	}
	for _, tc := range tests {
		r := ref.Responder(tc.rule)
		var got Outcome
		var err error
		if tc.mirrored {
			got, err = r.EvaluateMirrored(Exact(tc.before), Exact(tc.after))
		} else {
			got, err = r.Evaluate(Exact(tc.before), Exact(tc.after))
		}
		if err != nil || got != tc.want {
			t.Errorf("%s(%v → %v, mirrored %v) = %v, %v; want %v", tc.rule, tc.before, tc.after, tc.mirrored, got, err, tc.want)
		}
	}
}

func TestParseExprErrors(t *testing.T) {
	for _, s := range []string{"", "a >=", "(a", "a ; b", "pct < 10: none", "a >= 1 )"} {
		if _, err := ParseExpr(s); !errors.Is(err, ErrNotExpression) {
			t.Errorf("ParseExpr(%q) err = %v", s, err)
		}
	}
	e, err := ParseExpr("before - -after >= 1 AND NOT_A_NAME > 0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Eval(map[string]*big.Rat{"before": big.NewRat(1, 1), "after": big.NewRat(1, 1)}); err == nil {
		t.Error("unknown name: no error")
	}
}

func TestExact(t *testing.T) {
	if got := Exact(0.1); got.Cmp(big.NewRat(1, 10)) != 0 {
		t.Errorf("Exact(0.1) = %v", got)
	}
	if got := Exact(7.0 / 3); got.Cmp(big.NewRat(7, 3)) != 0 {
		t.Errorf("Exact(7/3) = %v", got)
	}
}
