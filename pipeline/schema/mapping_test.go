package schema

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// required is the minimal valid header: the required fields by their schema names.
var required = []string{"practitioner_id", "client_id", "session_date", "session_number", "modality",
	"presenting_complaint", "adverse_event", "consent_research"}

func TestMapNames(t *testing.T) {
	tests := []struct {
		name   string
		column string // replaces or joins the required header
		field  string
	}{
		{"exact", "pain_before", "pain_before"},
		{"title case with space", "Pain Before", "pain_before"},
		{"upper case with hyphen", "PAIN-BEFORE", "pain_before"},
		{"camel case", "painBefore", "pain_before"},
		{"surrounding spaces", "  pain_before ", "pain_before"},
		{"byte-order mark", "\uFEFFpain_before", "pain_before"},
		{"alias", "pain_pre", "pain_before"},
		{"alias normalised", "Pain Post", "pain_after"},
		{"hit-6", "HIT-6", "hit6"},
		{"hit6 alias", "HIT6 Total", "hit6"},
		{"gender", "Gender", "sex"},
		{"consent alias", "Consent", "consent_research"},
		{"well-being", "Well-being", "mymop_wellbeing"},
		{"ae type", "AE type", "adverse_event_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := slices.DeleteFunc(slices.Clone(required), func(s string) bool { return s == tt.field })
			h = append(h, tt.column)
			m, err := Latest().Map(h)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Column(tt.field); got != len(h)-1 {
				t.Errorf("Column(%q) = %d, want %d (unknown: %v)", tt.field, got, len(h)-1, m.Unknown)
			}
			if len(m.Unknown) != 0 {
				t.Errorf("Unknown = %q", m.Unknown)
			}
		})
	}
}

func TestMapAliasesOfRequired(t *testing.T) {
	h := []string{"Therapist", "Patient ID", "Date", "Session No", "Therapy", "Complaint", "AE", "Research consent"}
	m, err := Latest().Map(h)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range required {
		if got := m.Column(f); got != i {
			t.Errorf("Column(%q) = %d, want %d", f, got, i)
		}
	}
	if m.Column("pain_before") != -1 || m.Column("no_such_field") != -1 {
		t.Error("absent fields should map to -1")
	}
}

func TestMapMissingColumns(t *testing.T) {
	h := slices.DeleteFunc(slices.Clone(required), func(s string) bool { return s == "client_id" || s == "session_date" })
	_, err := Latest().Map(h)
	var me *MissingColumnsError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingColumnsError", err)
	}
	if len(me.Missing) != 2 || me.Missing[0].Field != "client_id" || me.Missing[1].Field != "session_date" {
		t.Fatalf("Missing = %+v", me.Missing)
	}
	if !slices.Contains(me.Missing[0].Accepted, "patient_id") {
		t.Errorf("accepted names for client_id: %v", me.Missing[0].Accepted)
	}
	for _, want := range []string{
		"missing required columns: client_id (accepted names: client_id, client, patient_id",
		"; session_date (accepted names: session_date, date, visit_date",
		"names are matched ignoring case, spaces, underscores and hyphens",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not contain %q", err, want)
		}
	}
}

func TestMapEmptyHeader(t *testing.T) {
	_, err := Latest().Map(nil)
	var me *MissingColumnsError
	if !errors.As(err, &me) || len(me.Missing) != len(required) {
		t.Errorf("err = %v, want all %d required fields missing", err, len(required))
	}
}

// TestMapUnmatchedHeader: a file with no column of the schema at all (prose saved as .txt,
// data without a header row) gets a short reason, not the list of every required column.
func TestMapUnmatchedHeader(t *testing.T) {
	for _, h := range [][]string{
		{"It was a dark and stormy night", " and the rain fell in torrents."},
		{"P1", "C1", "2024-03-01", "1", "CST", "back_pain", "none", "yes"},
	} {
		_, err := Latest().Map(h)
		var ue *UnmatchedHeaderError
		if !errors.As(err, &ue) || ue.Columns != len(h) {
			t.Fatalf("Map(%q) err = %v, want *UnmatchedHeaderError with %d columns", h, err, len(h))
		}
		msg := err.Error()
		want := "no header row matches the schema's columns: none of the"
		if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "practitioner_id,client_id,session_date,...") ||
			strings.Contains(msg, "accepted names") || strings.Contains(msg, "stormy") || len(msg) > 250 {
			t.Errorf("message %q: want a short one that starts %q, gives an example header and no cell text", msg, want)
		}
	}
	// One matching column is enough to list what is missing.
	var me *MissingColumnsError
	if _, err := Latest().Map([]string{"It was a dark", "client_id"}); !errors.As(err, &me) {
		t.Errorf("err = %v, want *MissingColumnsError", err)
	}
}

func TestMapDuplicateColumns(t *testing.T) {
	h := append(slices.Clone(required), "pain_before", "Pain Before", "pain_pre", "Gender", "sex")
	_, err := Latest().Map(h)
	var de *DuplicateColumnsError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DuplicateColumnsError", err)
	}
	if len(de.Duplicates) != 2 || de.Duplicates[0].Field != "sex" || de.Duplicates[1].Field != "pain_before" {
		t.Fatalf("Duplicates = %+v (want schema order: sex, pain_before)", de.Duplicates)
	}
	if got := de.Duplicates[1].Indexes; !slices.Equal(got, []int{9, 10, 11}) {
		t.Errorf("pain_before indexes %v", got)
	}
	want := `columns "pain_before" (column 9) and "Pain Before" (column 10) and "pain_pre" (column 11) all map to field pain_before; keep one`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not contain %q", err, want)
	}
}

func TestMapMissingAndDuplicate(t *testing.T) {
	_, err := Latest().Map([]string{"client", "client_id"})
	var me *MissingColumnsError
	var de *DuplicateColumnsError
	if !errors.As(err, &me) || !errors.As(err, &de) {
		t.Errorf("err = %v, want both a missing and a duplicate column error", err)
	}
}

func TestMapUnknownAndPII(t *testing.T) {
	extra := []string{"Notes", "favourite colour", "", "Client Email", "room", "hotel", "Phone"}
	m, err := Latest().Map(append(slices.Clone(required), extra...))
	if err != nil {
		t.Fatal(err)
	}
	wantUnknown := []string{"Notes", "favourite colour", "column 11", "Client Email", "room", "hotel", "Phone"}
	if !slices.Equal(m.Unknown, wantUnknown) {
		t.Errorf("Unknown = %q, want %q", m.Unknown, wantUnknown)
	}
	if want := []string{"Notes", "Client Email", "Phone"}; !slices.Equal(m.PII, want) {
		t.Errorf("PII = %q, want %q", m.PII, want)
	}
}

func TestNameLooksPersonal(t *testing.T) {
	yes := []string{"name", "Name", "First Name", "first_name", "lastName", "Surname", "full-name",
		"Client name", "email", "E-mail", "e_mail", "Phone", "phone number", "Mobile", "Tel", "tel.",
		"Address", "Street", "Postcode", "post code", "ZIP", "zip_code", "notes", "Therapist notes",
		"comment", "Comments", "remarks", "DOB", "Date of birth", "birthdate", "NHS number", "Contact"}
	no := []string{"room", "hotel", "intel", "colour", "visit_type", "clinic", "referral_source", "weight"}
	for _, n := range yes {
		if !nameLooksPersonal(n) {
			t.Errorf("nameLooksPersonal(%q) = false, want true", n)
		}
	}
	for _, n := range no {
		if nameLooksPersonal(n) {
			t.Errorf("nameLooksPersonal(%q) = true, want false", n)
		}
	}
}

func TestMapCopiesHeader(t *testing.T) {
	b := []byte("Notes")
	h := append(slices.Clone(required), string(b))
	m, err := Latest().Map(h)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header[len(h)-1] != "Notes" || len(m.Header) != len(h) {
		t.Errorf("Header = %q", m.Header)
	}
}
