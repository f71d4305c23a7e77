package source

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// csvTests mark the start of every expected record with '§' (the marker is removed before
// reading); Want lists the records' fields and, for row errors, the sentinel.
var csvTests = []struct {
	Name    string
	Input   string
	Opt     Options
	Header  []string
	Want    [][]string // fields per record (nil for a row error with no fields checked)
	WantErr []error    // per record: the sentinel of Record.Err, nil if none (nil slice: none)
	FileErr error      // sentinel of the file-level error from NewCSV or Next
	ErrLine int        // its line, if FileErr is set
}{{
	Name:   "Simple",
	Input:  "a,b,c\n§1,2,3\n§4,5,6\n",
	Header: []string{"a", "b", "c"},
	Want:   [][]string{{"1", "2", "3"}, {"4", "5", "6"}},
}, {
	Name:   "NoFinalNewline",
	Input:  "a,b\n§1,2",
	Header: []string{"a", "b"},
	Want:   [][]string{{"1", "2"}},
}, {
	Name:   "ExcelOnWindows",
	Input:  "\xEF\xBB\xBFpractitioner_id;pain_before\r\n§P001;7\r\n§P002;\r\n",
	Header: []string{"practitioner_id", "pain_before"},
	Want:   [][]string{{"P001", "7"}, {"P002", ""}},
}, {
	Name:   "Tab",
	Input:  "a\tb\n§x,y\tz\n",
	Header: []string{"a", "b"},
	Want:   [][]string{{"x,y", "z"}},
}, {
	Name:   "ExplicitDelimiter",
	Input:  "a;b|c\n§1;2|3\n",
	Opt:    Options{Delimiter: '|'},
	Header: []string{"a;b", "c"},
	Want:   [][]string{{"1;2", "3"}},
}, {
	Name:   "DelimiterTieIsComma",
	Input:  "a,b;c\n§1,2;3\n",
	Header: []string{"a", "b;c"},
	Want:   [][]string{{"1", "2;3"}},
}, {
	Name:   "DelimiterInQuotedHeaderIgnored",
	Input:  "\"a;b;c\",d\n§1,2\n",
	Header: []string{"a;b;c", "d"},
	Want:   [][]string{{"1", "2"}},
}, {
	Name:   "Quoted",
	Input:  "a,b,c\n§\"x,y\",\"say \"\"hi\"\"\",\"\"\n",
	Header: []string{"a", "b", "c"},
	Want:   [][]string{{"x,y", `say "hi"`, ""}},
}, {
	Name:   "QuotedNewlinesKeepStartLine",
	Input:  "id,notes,n\n§1,\"line one\nline two\r\nline three\",5\n§2,\"\n\",6\r\n§3,plain,7\n",
	Header: []string{"id", "notes", "n"},
	Want:   [][]string{{"1", "line one\nline two\nline three", "5"}, {"2", "\n", "6"}, {"3", "plain", "7"}},
}, {
	Name:   "BareQuoteIsText",
	Input:  "a,b\n§5\" tall,x\"y\n",
	Header: []string{"a", "b"},
	Want:   [][]string{{`5" tall`, `x"y`}},
}, {
	Name:   "TrailingDelimiter",
	Input:  "a,b,c\n§1,2,\n§\"1\",\"2\",\n",
	Header: []string{"a", "b", "c"},
	Want:   [][]string{{"1", "2", ""}, {"1", "2", ""}},
}, {
	Name:   "BlankLinesSkipped",
	Input:  "\n\r\na,b\n\n§1,2\r\n\r\n\n§3,4\n\n",
	Header: []string{"a", "b"},
	Want:   [][]string{{"1", "2"}, {"3", "4"}},
}, {
	Name:   "HeaderOnly",
	Input:  "a,b,c\r\n",
	Header: []string{"a", "b", "c"},
}, {
	Name:   "FormulaIsText",
	Input:  "a,b\n§=HYPERLINK(\"http://x\"),\"=1+1\"\n",
	Header: []string{"a", "b"},
	Want:   [][]string{{`=HYPERLINK("http://x")`, "=1+1"}},
}, {
	Name:    "FieldCount",
	Input:   "a,b,c\n§1,2,3,4\n§1,2\n§\"1\",\"2\"\n§5,6,7\n",
	Header:  []string{"a", "b", "c"},
	Want:    [][]string{{"1", "2", "3", "4"}, {"1", "2"}, {"1", "2"}, {"5", "6", "7"}},
	WantErr: []error{ErrFieldCount, ErrFieldCount, ErrFieldCount, nil},
}, {
	Name:    "ExtraneousQuote",
	Input:   "a,b\n§\"1\"x,2\n§3,4\n",
	Header:  []string{"a", "b"},
	Want:    [][]string{nil, {"3", "4"}},
	WantErr: []error{ErrQuote, nil},
}, {
	Name:    "UnterminatedQuote",
	Input:   "a,b\n§1,2\n§3,\"4\n5,6\n",
	Header:  []string{"a", "b"},
	Want:    [][]string{{"1", "2"}, nil},
	WantErr: []error{nil, ErrQuote},
}, {
	Name:    "Empty",
	Input:   "",
	FileErr: ErrEmpty,
}, {
	Name:    "OnlyBOMAndBlankLines",
	Input:   "\xEF\xBB\xBF\r\n\r\n",
	FileErr: ErrEmpty,
}, {
	Name:    "NotUTF8",
	Input:   "a,b\n§1,2\ncaf\xe9,3\n",
	Header:  []string{"a", "b"},
	Want:    [][]string{{"1", "2"}},
	FileErr: ErrEncoding,
	ErrLine: 3,
}, {
	Name:    "NotUTF8InHeader",
	Input:   "na\xefve,b\n1,2\n",
	FileErr: ErrEncoding,
	ErrLine: 1,
}, {
	Name:    "UTF16",
	Input:   "\xFF\xFEa\x00,\x00b\x00\n\x00",
	FileErr: ErrEncoding,
	ErrLine: 1,
}, {
	Name:   "Windows1252",
	Input:  "name;price\r\n§caf\xe9;\x805\r\n",
	Opt:    Options{Encoding: "windows-1252"},
	Header: []string{"name", "price"},
	Want:   [][]string{{"café", "€5"}},
}, {
	Name:   "Latin1",
	Input:  "n\n§\xfc\n",
	Opt:    Options{Encoding: "latin1"},
	Header: []string{"n"},
	Want:   [][]string{{"ü"}},
}, {
	Name:   "UTF8Validated",
	Input:  "n,m\n§café,€\n",
	Opt:    Options{Encoding: "utf-8"},
	Header: []string{"n", "m"},
	Want:   [][]string{{"café", "€"}},
}}

func TestCSV(t *testing.T) {
	for _, tt := range csvTests {
		t.Run(tt.Name, func(t *testing.T) {
			input, lines := markedLines(tt.Input)
			r, err := NewCSV(strings.NewReader(input), "in.csv", tt.Opt)
			if err != nil {
				checkFileErr(t, err, tt.FileErr, tt.ErrLine)
				return
			}
			defer mustClose(t, r)
			if got := r.Header(); !reflect.DeepEqual(got, tt.Header) {
				t.Errorf("Header = %q, want %q", got, tt.Header)
			}
			rows, err := readAll(t, r)
			checkFileErr(t, err, tt.FileErr, tt.ErrLine)
			checkRows(t, rows, lines, tt.Want, tt.WantErr)
		})
	}
}

// checkFileErr checks a file-level error against the expected sentinel and line.
func checkFileErr(t *testing.T, err, want error, line int) {
	t.Helper()
	if !errors.Is(err, want) || (err == nil) != (want == nil) {
		t.Fatalf("file error = %v, want %v", err, want)
	}
	var fe *FileError
	if err != nil && (!errors.As(err, &fe) || fe.Line != line) {
		t.Errorf("file error %v: want a *FileError at line %d", err, line)
	}
}

// checkRows compares records with the expected lines (from the markers), fields and errors.
func checkRows(t *testing.T, rows []row, lines []int, want [][]string, wantErr []error) {
	t.Helper()
	if len(rows) != len(want) || len(lines) != len(want) {
		t.Fatalf("got %d records %v, want %d (%d markers)", len(rows), rows, len(want), len(lines))
	}
	for i, r := range rows {
		if r.Line != lines[i] {
			t.Errorf("record %d: Line = %d, want %d", i, r.Line, lines[i])
		}
		var we error
		if wantErr != nil {
			we = wantErr[i]
		}
		if r.Err != we {
			t.Errorf("record %d: Err = %v, want %v", i, r.Err, we)
		}
		if want[i] != nil && !reflect.DeepEqual(r.Fields, want[i]) {
			t.Errorf("record %d: Fields = %q, want %q", i, r.Fields, want[i])
		}
	}
}

func TestCSVErrorMessages(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"Encoding", "a\nok\ncaf\xe9\n", "in.csv:3:4: not valid UTF-8; if the file was saved by Excel on Windows, use --encoding windows-1252"},
		{"FieldCount", "a,b\n1,2,3\n", "in.csv:2: wrong number of fields: 3 fields, the header has 2"},
		{"Quote", "a,b\n1,\"2\"x\n", `in.csv:2:6: misplaced or unterminated quote: a quoted field must end with '"' followed by the delimiter or the end of the line`},
		{"Empty", "", "in.csv: file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(tt.input), "in.csv", Options{})
			for err == nil {
				var rec Record
				if rec, err = r.Next(); rec.Err != nil {
					err = rec.Err
				}
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestCSVLongField(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, quoted := range []bool{false, true} {
		t.Run(fmt.Sprint("quoted=", quoted), func(t *testing.T) {
			field := big
			if quoted {
				field = `"` + strings.Repeat("y\"\"", 1<<18) + big + `"`
			}
			input := "a,b\n1," + field + "\n2,small\n"
			r, err := NewCSV(strings.NewReader(input), "big.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Err != nil || rows[1].Line != 3 || rows[1].Fields[1] != "small" {
				t.Fatalf("rows = %d, first err %v", len(rows), rows[0].Err)
			}
			wantLen := len(big)
			if quoted {
				wantLen += 2 << 18
			}
			if got := len(rows[0].Fields[1]); got != wantLen {
				t.Errorf("field length %d, want %d", got, wantLen)
			}
		})
	}
}

func TestCSVBadDelimiter(t *testing.T) {
	for _, d := range []rune{'"', '\n', 'é'} {
		if _, err := NewCSV(strings.NewReader("a\n"), "x.csv", Options{Delimiter: d}); err == nil {
			t.Errorf("delimiter %q accepted", d)
		}
	}
}

func TestCSVUnknownEncoding(t *testing.T) {
	_, err := NewCSV(strings.NewReader("a\n"), "x.csv", Options{Encoding: "ebcdic"})
	if err == nil || !strings.Contains(err.Error(), "windows-1252") {
		t.Errorf("err = %v, want one listing the allowed encodings", err)
	}
}

func TestCSVAfterClose(t *testing.T) {
	r, err := NewCSV(strings.NewReader("a\n1\n"), "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, r)
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v, want an error", err)
	}
}
