package synth

// The controlled vocabularies and ranges, as in schemas/measures.json (record schema
// version 1). vocab_test.go checks them against that file.
var (
	modalities = []string{"CST", "SER", "CST+SER"}
	complaints = []string{
		"headache", "migraine", "neck_pain", "back_pain", "pelvic_pain", "tmj", "fibromyalgia",
		"other_msk", "anxiety", "stress", "ptsd", "sleep", "fatigue", "pregnancy", "infant", "other",
	}
	ageBands          = []string{"0-17", "18-29", "30-44", "45-59", "60-74", "75+"}
	sexes             = []string{"female", "male", "other", "unknown"}
	adverseEvents     = []string{"none", "mild", "moderate", "severe", "serious"}
	adverseEventTypes = []string{"headache", "dizziness", "nausea", "fatigue", "emotional_reaction", "pain_increase", "other"}
	// hit6Items are the scores of one HIT-6 item (never, rarely, sometimes, very often,
	// always); a total is the sum of six, so every generated total is achievable.
	hit6Items = []int{6, 8, 10, 11, 13}
)

// Relative frequencies used to draw the vocabularies above (same order).
var (
	complaintWeights = []float64{10, 8, 12, 14, 4, 3, 3, 6, 7, 8, 2, 5, 4, 3, 4, 3}
	modalityWeights  = []float64{6, 1, 3}
	ageBandWeights   = []float64{6, 12, 28, 30, 18, 6}
	sexWeights       = []float64{70, 27, 2, 1}
	// sessionsWeights[k-1] is the weight of a course of k sessions (1..12).
	sessionsWeights = []float64{12, 11, 12, 11, 10, 10, 8, 7, 6, 5, 4, 4}
)
