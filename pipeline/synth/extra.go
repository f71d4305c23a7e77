package synth

// Made-up names and notes for the ExtraColumns: what a practitioner's own spreadsheet
// holds and the ingest must never store. Notes have commas, quotes and line breaks, as
// free text does.
var (
	firstNames = []string{"Ada", "Bram", "Chloé", "Dev", "Eilidh", "Farah", "Gus", "Hana", "Ines", "Jonas", "Kemi", "Lior", "Maëlle", "Niamh", "Oskar", "Priya"}
	lastNames  = []string{"Abbott", "Brennan", "Castillo", "Dubois", "Evans", "Fischer", "Gallagher", "Haddad", "Ito", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "O'Neill", "Patel"}
	notes      = []string{
		"felt lighter after the session",
		"talked about work stress; call back Tue",
		"jaw tension, \"like a clamp\"",
		"slept badly, new baby at home",
		"referred by GP, phone 07700 900123",
		"tearful at the end, okay on leaving",
		"=HYPERLINK(\"http://example.invalid\",\"booking\")",
		"headache eased mid-session,\nreturned in the evening",
	}
)
