package schema

import (
	"strings"
	"testing"
)

func TestDateLayout(t *testing.T) {
	tests := []struct {
		format, want string
		err          bool
	}{
		{"", "", false},
		{"dd/mm/yyyy", "2/1/2006", false},
		{"DD/MM/YYYY", "2/1/2006", false},
		{"d/m/yyyy", "2/1/2006", false},
		{"mm/dd/yyyy", "1/2/2006", false},
		{"dd.mm.yy", "2.1.06", false},
		{"dd-mm-yyyy", "2-1-2006", false},
		{"yyyy/mm/dd", "2006/1/2", false},
		{"dd mm yyyy", "2 1 2006", false},
		{"02/01/2006", "02/01/2006", false}, // a Go layout, as ingest.date_format always took
		{"2.1.2006", "2.1.2006", false},
		{"Jan 2, 2006", "Jan 2, 2006", false},
		{"dd/mm", "", true},
		{"dd/dd/yyyy", "", true},
		{"ddmmyyyy", "", true},
		{"01/02/2006", "01/02/2006", false}, // Go's month first
		{"01/2006", "", true},               // a Go layout without the day
		{"2006", "", true},
		{"european", "", true},
	}
	for _, tt := range tests {
		got, err := DateLayout(tt.format)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("DateLayout(%q) = %q, %v; want %q, error %v", tt.format, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "dd/mm/yyyy") {
			t.Errorf("DateLayout(%q) error %q does not say what is allowed", tt.format, err)
		}
	}
}

// TestDateFormatHint runs the session_date column of a file through a validator and checks
// the format it suggests: only when every non-empty date fails and all read the same way.
func TestDateFormatHint(t *testing.T) {
	tests := []struct {
		name  string
		dates []string
		opt   Options
		want  string
	}{
		{"day first", []string{"31/01/2024", "01/02/2024", "", "15/02/2024"}, Options{}, "dd/mm/yyyy"},
		{"day first, no day above 12", []string{"01/02/2024", "03/02/2024"}, Options{}, "dd/mm/yyyy"},
		{"one digit", []string{"1/2/2024", "13/2/2024"}, Options{}, "dd/mm/yyyy"},
		{"dots and short years", []string{"31.01.24", "1.2.24"}, Options{}, "dd.mm.yy"},
		{"month first", []string{"01/31/2024", "02/01/2024"}, Options{}, "mm/dd/yyyy"},
		{"one ISO date parses", []string{"31/01/2024", "2024-02-01"}, Options{}, ""},
		{"one word", []string{"31/01/2024", "yesterday"}, Options{}, ""},
		{"both orders", []string{"31/01/2024", "01/31/2024"}, Options{}, ""},
		{"two separators", []string{"31/01/2024", "01.02.2024"}, Options{}, ""},
		{"two year lengths", []string{"31/01/2024", "01/02/24"}, Options{}, ""},
		{"not a date either way", []string{"31/31/2024"}, Options{}, ""},
		{"with a time", []string{"31/01/2024 10:00"}, Options{}, ""},
		{"no dates", []string{"", ""}, Options{}, ""},
		{"impossible dates in the configured format", []string{"31/02/2024", "30/02/2024"}, Options{DateFormat: "dd/mm/yyyy"}, ""},
		{"the other order configured", []string{"31/01/2024", "25/02/2024"}, Options{DateFormat: "mm/dd/yyyy"}, "dd/mm/yyyy"},
	}
	s := Latest()
	m, err := s.Map(benchHeader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Today = testToday
			v := s.NewValidator("visits.csv", m, tt.opt)
			row := validRow()
			for i, d := range tt.dates {
				row["session_date"] = d
				fields := make([]string, len(benchHeader))
				for j, h := range benchHeader {
					fields[j] = row[h]
				}
				v.Validate(i+2, fields)
			}
			if got := v.DateFormatHint(); got != tt.want {
				t.Errorf("DateFormatHint() = %q, want %q", got, tt.want)
			}
		})
	}
}
