package disclosure

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCSVRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(*seedFlag, 99))
	tab := complaintByModality(t, func(i, j int) int64 { return smallCount(rng) })
	for _, l := range []string{"headache", "migraine", "headache_group", TotalLevel} {
		if err := tab.SetStat("mean_change", -1.25, 12, l, "CST"); err != nil {
			t.Fatal(err)
		}
		if err := tab.SetStat("p_value", math.NaN(), 30, l, "SER"); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Suppress(t.Context(), Config{}, tab)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res.Tables[0]); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(bytes.NewReader(buf.Bytes()), tab.Name())
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := WriteCSV(&again, back); err != nil {
		t.Fatal(err)
	}
	if buf.String() != again.String() {
		t.Fatalf("write → read → write differs:\n%s\n---\n%s", buf.String(), again.String())
	}
	pub := res.Tables[0]
	for i := range pub.count {
		if pub.sup[i] != back.sup[i] || pub.count[i] != back.count[i] {
			t.Fatalf("%s: published (%v, %d), read back (%v, %d)", pub.label(i), pub.sup[i], pub.count[i], back.sup[i], back.count[i])
		}
	}
	rep, err := Audit(t.Context(), Config{}, back)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() != nil || len(rep.Intervals) != len(res.Report.Intervals) {
		t.Fatalf("re-audit: %v, %d intervals, want %d", rep.Err(), len(rep.Intervals), len(res.Report.Intervals))
	}
	for i, iv := range rep.Intervals {
		if iv.String() != res.Report.Intervals[i].String() {
			t.Errorf("re-audit %s, want %s", iv, res.Report.Intervals[i])
		}
	}
	if !strings.Contains(buf.String(), "musculoskeletal_pain_group/neck_pain,") {
		t.Errorf("levels are not written as paths:\n%s", buf.String())
	}
}

func TestWriteCSV(t *testing.T) {
	tab := flat1D(t, 3, 40, 50)
	if err := tab.SetStat("mean", 2.5, 50, "m3"); err != nil {
		t.Fatal(err)
	}
	if err := tab.SetStat("mean", 1, 3, "m1"); err != nil {
		t.Fatal(err)
	}
	res, err := Suppress(t.Context(), Config{}, tab)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res.Tables[0]); err != nil {
		t.Fatal(err)
	}
	want := "m,count,mean\nTotal,93,\nm1,*,*\nm2,*,\nm3,50,2.5\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "no header"},
		{"no count column", "m,n\nTotal,3\n", `no "count" column`},
		{"count column first", "count,m\n3,Total\n", `no "count" column`},
		{"missing cell", "r,c,count\nTotal,Total,5\nr1,c1,5\n", "2 rows for a table of 4 cells"},
		{"cell twice", "r,c,count\nTotal,Total,5\nTotal,c1,5\nr1,Total,5\nr1,Total,5\n", "line 5: cell appears twice"},
		{"negative count", "m,count\nTotal,45\na,-5\n", "line 3: column count"},
		{"text count", "m,count\nTotal,45\na,five\n", "line 3: column count"},
		{"bad statistic", "m,count,mean\nTotal,45,\na,45,x\n", "line 3: column mean"},
		{"ragged row", "m,count\nTotal,45,3\n", "wrong number of fields"},
		{"empty level", "m,count\nTotal,45\n,45\n", "level name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.csv), "t")
			if !errors.Is(err, ErrTable) {
				t.Fatalf("err = %v, want ErrTable", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("m,count\nTotal,45\na,*\nb,40\n")
	f.Add("r,c,count,mean\nTotal,Total,10,1\nTotal,x,10,*\ng,Total,10,\ng,x,10,\ng/h,Total,*,\ng/h,x,*,\n")
	f.Fuzz(func(t *testing.T, text string) {
		tab, err := ReadCSV(strings.NewReader(text), "t")
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if err := WriteCSV(&a, tab); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(bytes.NewReader(a.Bytes()), "t")
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, a.String())
		}
		if err := WriteCSV(&b, back); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("round trip differs:\n%s\n---\n%s", a.String(), b.String())
		}
	})
}
