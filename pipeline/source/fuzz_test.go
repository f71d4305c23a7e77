package source

import (
	"bytes"
	"encoding/csv"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkInvariants reads r to the end and checks what must hold for any input: no panic,
// Fields has one value per header column unless Err is set, and lines strictly increase.
func checkInvariants(t *testing.T, r Reader) {
	prev := 0
	for {
		rec, err := r.Next()
		if err != nil {
			if err != io.EOF {
				if _, ok := err.(*FileError); !ok {
					t.Fatalf("file-level error %T %v is not a *FileError", err, err)
				}
			}
			return
		}
		if rec.Err == nil && len(rec.Fields) != len(r.Header()) {
			t.Fatalf("line %d: %d fields, header has %d", rec.Line, len(rec.Fields), len(r.Header()))
		}
		if rec.Line <= prev {
			t.Fatalf("line %d after line %d", rec.Line, prev)
		}
		prev = rec.Line
	}
}

func FuzzCSV(f *testing.F) {
	for _, tt := range csvTests {
		in, _ := markedLines(tt.Input)
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range []Options{{}, {Delimiter: ';'}, {Encoding: "windows-1252"}} {
			r, err := NewCSV(bytes.NewReader(data), "fuzz.csv", opt)
			if err != nil {
				continue
			}
			checkInvariants(t, r)
		}
	})
}

// FuzzCSVRoundTrip writes records derived from the input with encoding/csv and checks
// that the reader returns them unchanged.
func FuzzCSVRoundTrip(f *testing.F) {
	f.Add("a,b\n1,2\n", 2)
	f.Add("x\"y\nz, w\r\n\"q\"", 3)
	f.Add("=HYPERLINK(\"x\")", 1)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 2 || width > 8 || !utf8.ValidString(s) || strings.HasPrefix(s, "\uFEFF") {
			return
		}
		records := chop(s, width)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(records); err != nil {
			return // encoding/csv refuses some inputs (invalid delimiters never occur here)
		}
		r, err := NewCSV(&buf, "rt.csv", Options{Delimiter: ','})
		if err != nil {
			t.Fatalf("NewCSV: %v\ninput %q", err, buf.String())
		}
		if !reflect.DeepEqual(r.Header(), records[0]) {
			t.Fatalf("header %q, want %q", r.Header(), records[0])
		}
		rows, err := readAll(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(records)-1 {
			t.Fatalf("%d records, want %d", len(rows), len(records)-1)
		}
		for i, row := range rows {
			if row.Err != nil || !reflect.DeepEqual(row.Fields, records[i+1]) {
				t.Fatalf("record %d = %q (%v), want %q", i, row.Fields, row.Err, records[i+1])
			}
		}
	})
}

// chop splits s into records of width fields (cutting at every 5th rune and at '|'), as
// encoding/csv's reader would return them: "\r\n" inside a field becomes "\n".
func chop(s string, width int) [][]string {
	var fields []string
	for len(s) > 0 {
		n := strings.IndexByte(s, '|')
		if n < 0 || n > 5 {
			n = min(5, len(s))
			for n < len(s) && !utf8.RuneStart(s[n]) {
				n++
			}
			fields = append(fields, s[:n])
			s = s[n:]
		} else {
			fields = append(fields, s[:n])
			s = s[n+1:]
		}
	}
	for i, f := range fields {
		for strings.Contains(f, "\r\n") {
			f = strings.ReplaceAll(f, "\r\n", "\n")
		}
		fields[i] = f
	}
	for len(fields)%width != 0 || len(fields) == 0 {
		fields = append(fields, "x")
	}
	var recs [][]string
	for i := 0; i < len(fields); i += width {
		recs = append(recs, fields[i:i+width])
	}
	return recs
}

func FuzzJSONL(f *testing.F) {
	for _, tt := range jsonlTests {
		in, _ := markedLines(tt.Input)
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewJSONL(bytes.NewReader(data), "fuzz.jsonl", Options{})
		if err != nil {
			return
		}
		checkInvariants(t, r)
	})
}
