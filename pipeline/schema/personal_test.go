package schema

import "testing"

func TestValueLooksPersonal(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"jane.doe@example.org", true},
		{" j@x.co ", true},
		{"+44 20 7946 0958", true},
		{"020-7946-0958", true},
		{"07700900123", true},
		{"(555) 123-4567", true},
		{"Client cried during the session, call back", true},
		{"lives with her mother in Leeds", true},
		{"", false},
		{"7", false},
		{"2024-03-01", false},
		{"12345", false},
		{"01.03.2024", false},
		{"01/03/2024", false},
		{"(555) 1234", true},
		{"C000123", false},
		{"neck_pain", false},
		{"CST+SER", false},
		{"@handle", false},
		{"a@b", false},
		{"7.5", false},
		{"1 2 3 4 5", false},
		{"P01 C02 S03", false},
	}
	for _, tt := range tests {
		if got := ValueLooksPersonal(tt.value); got != tt.want {
			t.Errorf("ValueLooksPersonal(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestRowViolation(t *testing.T) {
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	v := s.NewValidator("a.csv", m, Options{Today: testToday}).RowViolation(9, RuleDuplicateInFile, "same as line 4", "line 9 repeats line 4 exactly; the first is kept")
	if got, want := v.Error(), "a.csv:9: rule duplicate_in_file: same as line 4"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNewValidatorForeignMapping(t *testing.T) {
	other, err := parse(Latest().JSON())
	if err != nil {
		t.Fatal(err)
	}
	m, err := other.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a Mapping of another schema")
		}
	}()
	Latest().NewValidator("a.csv", m, Options{Today: testToday})
}
