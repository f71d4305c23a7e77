package schema_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/schema"
)

func Example() {
	s := schema.Latest()
	header := []string{"Practitioner ID", "Client", "Session Date", "Session No", "Modality",
		"Complaint", "Pain Pre", "Pain Post", "HIT-6", "Adverse Event", "Consent", "Notes"}
	m, err := s.Map(header)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("unknown:", m.Unknown, "personal-looking:", m.PII)

	v := s.NewValidator("visits.csv", m, schema.Options{Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	rows := [][]string{
		{"P01", "C001", "2024-03-01", "1", "cst", "neck_pain", "7", "4", "58", "none", "yes", "likes tea"},
		{"P01", "C001", "2024-03-08", "2.0", "CST", "neck_pain", "6", "11", "37", "mild", "yes", ""},
	}
	for i, row := range rows {
		sess, violations := v.Validate(i+2, row)
		fmt.Println(schema.Classify(sess, violations), sess.Modality, sess.PainAfter)
		for _, vi := range violations {
			fmt.Println(" ", vi)
			fmt.Println(" ", vi.Message, errors.Is(vi, schema.ErrRange))
		}
	}
	// Output:
	// unknown: [Notes] personal-looking: [Notes]
	// accepted CST {4 true}
	// quarantined CST {0 false}
	//   visits.csv:3:8: column "pain_after": rule range: 11 not in 0..10
	//   pain_after is 11 on line 3; allowed: 0..10 true
	//   visits.csv:3:9: column "hit6": rule enum: 37 is not an achievable total (37, 39 and 77 cannot occur)
	//   hit6 is 37 on line 3; it is within 36..78 but is not an achievable total: 37, 39 and 77 cannot occur, so a score was probably added up wrongly false
	//   visits.csv:3: column "adverse_event_type": rule cross_field: missing while adverse_event is "mild"
	//   adverse_event_type is missing on line 3 but adverse_event is "mild"; give the type of event (allowed: headache, dizziness, nausea, fatigue, emotional_reaction, pain_increase, other) false
}

func ExampleSchema_Map() {
	_, err := schema.Latest().Map([]string{"practitioner", "date", "session", "modality", "complaint", "ae", "consent"})
	var missing *schema.MissingColumnsError
	if errors.As(err, &missing) {
		fmt.Println(err)
	}
	// Output:
	// missing required column: client_id (accepted names: client_id, client, patient_id, patient, client_code, client_ref, client_no); names are matched ignoring case, spaces, underscores and hyphens
}
