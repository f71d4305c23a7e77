package disclosure

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	key := "3f2a9c0b7d4e5f60718293a4b5c6d7e8"
	tests := []struct {
		name string
		cfg  Config
		dims []Dim
		stat string
		want string // "" = allowed
	}{
		{"codes", Config{}, []Dim{Flat("modality", "CST", "SER", "CST+SER"), Flat("age_band", "0-17", "18-44", "75+")}, "mean_change", ""},
		{"year", Config{}, []Dim{Flat("year", "2024", "2025")}, "", ""},
		{"practitioner_key column", Config{}, []Dim{Flat("practitioner_key", "a")}, "", "identifier"},
		{"client_id column", Config{}, []Dim{Flat("client_id", "a")}, "", "identifier"},
		{"notes statistic", Config{}, []Dim{Flat("m", "a")}, "notes", "free-text"},
		{"32-hex level", Config{}, []Dim{Flat("practitioner", key)}, "", "pseudonymous key"},
		{"32-hex inside a level", Config{}, []Dim{Flat("practitioner", "p_"+key)}, "", "pseudonymous key"},
		{"free text level", Config{}, []Dim{Flat("complaint", "pain after a fall at work")}, "", "free text"},
		{"long level", Config{}, []Dim{Flat("complaint", strings.Repeat("z", 41))}, "", "free text"},
		{"day", Config{}, []Dim{Flat("session_date", "2024-03-05")}, "", "day"},
		{"day in month mode", Config{DateGranularity: Month}, []Dim{Flat("session_date", "20240305")}, "", "day"},
		{"time", Config{}, []Dim{Flat("session_time", "09:30")}, "", "day or a time"},
		{"month by default", Config{}, []Dim{Flat("session_month", "2024-03")}, "", "names a month"},
		{"month allowed", Config{DateGranularity: Month}, []Dim{Flat("session_month", "2024-03")}, "", ""},
		{"quarter by default", Config{}, []Dim{Flat("session_quarter", "2024-Q1")}, "", "quarter"},
		{"quarter allowed", Config{DateGranularity: Quarter}, []Dim{Flat("session_quarter", "2024-Q1")}, "", ""},
		{"month in quarter mode", Config{DateGranularity: Quarter}, []Dim{Flat("session_month", "2024-11")}, "", "names a month"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := NewTable("t", tc.dims...)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stat != "" {
				lv := make([]string, len(tc.dims))
				for i := range lv {
					lv[i] = TotalLevel
				}
				if err := tab.SetStat(tc.stat, 1, 20, lv...); err != nil {
					t.Fatal(err)
				}
			}
			err = Check(tc.cfg, tab)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrForbidden mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("the error repeats the key: %v", err)
			}
		})
	}
}
