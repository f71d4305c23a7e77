package stats

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// The harness itself: nothing may pass silently.
func TestReferenceCompare(t *testing.T) {
	t.Parallel()
	newCase := func(expected string) *refCase {
		c := &refCase{ID: "synthetic", RCall: "f(x)"}
		if err := json.Unmarshal([]byte(expected), &c.Expected); err != nil {
			t.Fatal(err)
		}
		c.Tolerance = refTolerance{refTol: refTol{Rel: 1e-9, Abs: 1e-12},
			Fields: map[string]refTol{"loose": {Rel: 0, Abs: 0.1}}}
		return c
	}
	errBoom := errors.New("boom")
	tests := []struct {
		name     string
		expected string
		got      map[string]any
		err      error
		fail     bool
	}{
		{"all match", `{"a": 1, "b": [1, "NA"], "c": "-Inf", "n": 3}`,
			map[string]any{"a": 1.0, "b": []float64{1, math.NaN()}, "c": math.Inf(-1), "n": 3}, nil, false},
		{"missing key", `{"a": 1, "b": 2}`, map[string]any{"a": 1.0}, nil, true},
		{"outside tolerance", `{"a": 1}`, map[string]any{"a": 1 + 1e-8}, nil, true},
		{"field override", `{"loose": 1}`, map[string]any{"loose": 1.05}, nil, false},
		{"NaN for a number", `{"a": 1}`, map[string]any{"a": math.NaN()}, nil, true},
		{"number for NA", `{"a": "NA"}`, map[string]any{"a": 0.0}, nil, true},
		{"wrong infinity", `{"a": "Inf"}`, map[string]any{"a": math.Inf(-1)}, nil, true},
		{"array length", `{"a": [1, 2]}`, map[string]any{"a": []float64{1}}, nil, true},
		{"unsupported type", `{"a": 1}`, map[string]any{"a": "1"}, nil, true},
		{"expected error, got one", `{"error": "R says no"}`, nil, errBoom, false},
		{"expected error, got none", `{"error": "R says no"}`, map[string]any{"a": 1.0}, nil, true},
		{"unexpected error", `{"a": 1}`, nil, errBoom, true},
		{"error where R gives NaN", `{"a": "NaN", "df": 1}`, nil, errBoom, false},
	}
	for _, tc := range tests {
		problems, _ := newCase(tc.expected).compare(tc.got, tc.err)
		if (len(problems) > 0) != tc.fail {
			t.Errorf("%s: problems %q, want failure %v", tc.name, problems, tc.fail)
		}
	}
}
