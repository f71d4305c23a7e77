package synth

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
)

// TestVocabularyMatchesMeasures compares the vocabularies with the project's reference
// file, schemas/measures.json.
func TestVocabularyMatchesMeasures(t *testing.T) {
	b, err := os.ReadFile("../../schemas/measures.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Fields map[string]struct {
			AllowedValues []any `json:"allowed_values"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	str := func(name string) []string {
		var out []string
		for _, v := range m.Fields[name].AllowedValues {
			out = append(out, v.(string))
		}
		return out
	}
	for name, ours := range map[string][]string{
		"modality": modalities, "presenting_complaint": complaints, "age_band": ageBands,
		"sex": sexes, "adverse_event": adverseEvents, "adverse_event_type": adverseEventTypes,
	} {
		if got := str(name); !reflect.DeepEqual(got, ours) {
			t.Errorf("%s: measures.json has %q, synth has %q", name, got, ours)
		}
	}
	var hit6 []int
	for _, v := range m.Fields["hit6"].AllowedValues {
		hit6 = append(hit6, int(v.(float64)))
	}
	if got := achievableHIT6(); !slices.Equal(got, hit6) {
		t.Errorf("achievable HIT-6 totals %v, measures.json %v", got, hit6)
	}
}

// achievableHIT6 lists every sum of six item scores.
func achievableHIT6() []int {
	seen := map[int]bool{0: true}
	for range 6 {
		next := map[int]bool{}
		for s := range seen {
			for _, v := range hit6Items {
				next[s+v] = true
			}
		}
		seen = next
	}
	var out []int
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
