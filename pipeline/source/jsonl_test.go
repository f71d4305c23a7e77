package source

import (
	"reflect"
	"strings"
	"testing"
)

// jsonlTests mark the start of every expected record with '§', as csvTests do.
var jsonlTests = []struct {
	Name    string
	Input   string
	Opt     Options
	Header  []string
	Want    [][]string
	WantErr []error
	FileErr error
	ErrLine int
}{{
	Name:   "UnionOfKeysInOrder",
	Input:  "§{\"a\":\"1\",\"b\":\"2\"}\n§{\"c\":\"3\",\"a\":\"4\"}\n§{}\n",
	Header: []string{"a", "b", "c"},
	Want:   [][]string{{"1", "2", ""}, {"4", "", "3"}, {"", "", ""}},
}, {
	Name:   "ValuesAsWritten",
	Input:  `§{"i":1,"f":7.0,"e":1e3,"n":-0.5,"t":true,"F":false,"z":null,"o":{"x":[1, "}"]},"a":[],"s":"x \"q\" \u00e9\n"}`,
	Header: []string{"i", "f", "e", "n", "t", "F", "z", "o", "a", "s"},
	Want:   [][]string{{"1", "7.0", "1e3", "-0.5", "true", "false", "", `{"x":[1, "}"]}`, "[]", "x \"q\" é\n"}},
}, {
	Name:   "Whitespace",
	Input:  " §{ \"a\" : 1 , \"b\" :\t\"x\" } \r\n",
	Header: []string{"a", "b"},
	Want:   [][]string{{"1", "x"}},
}, {
	Name:   "EscapedKey",
	Input:  "§{\"pain\\u005fbefore\":3}\n§{\"pain_before\":4}\n",
	Header: []string{"pain_before"},
	Want:   [][]string{{"3"}, {"4"}},
}, {
	Name:    "DuplicateKeyIsRowError",
	Input:   "§{\"a\":1,\"b\":false,\"b\":true}\n§{\"a\":2,\"b\":true}\n§{\"a\":3,\"a\":4}\n",
	Header:  []string{"a", "b"},
	Want:    [][]string{nil, {"2", "true"}, nil},
	WantErr: []error{ErrDuplicateKey, nil, ErrDuplicateKey},
}, {
	Name:    "DuplicateKeyThroughEscape",
	Input:   "§{\"pain\":1,\"p\\u0061in\":2}\n",
	Header:  []string{"pain"},
	Want:    [][]string{nil},
	WantErr: []error{ErrDuplicateKey},
}, {
	Name:   "DuplicateKeyInNestedObjectIsAValue",
	Input:  "§{\"o\":{\"x\":1,\"x\":2}}\n",
	Header: []string{"o"},
	Want:   [][]string{{`{"x":1,"x":2}`}},
}, {
	Name:   "QuotedKeyIsAnotherKey",
	Input:  "§{\"\\\"a\\\"\":1,\"a\":2}\n",
	Header: []string{`"a"`, "a"},
	Want:   [][]string{{"1", "2"}},
}, {
	Name:   "BlankLinesAndBOM",
	Input:  "\xEF\xBB\xBF\r\n§{\"a\":1}\r\n\r\n  \n§{\"a\":2}",
	Header: []string{"a"},
	Want:   [][]string{{"1"}, {"2"}},
}, {
	Name:    "BadLinesAreRowErrors",
	Input:   "§{\"a\":1}\n§{\"a\":\n§[1,2]\n§42\n§{\"a\":2} x\n§{\"a\":3}\n",
	Header:  []string{"a"},
	Want:    [][]string{{"1"}, nil, nil, nil, nil, {"3"}},
	WantErr: []error{nil, ErrSyntax, ErrSyntax, ErrSyntax, ErrSyntax, nil},
}, {
	Name:    "Empty",
	Input:   "",
	FileErr: ErrEmpty,
}, {
	Name:    "OnlyBlank",
	Input:   "\n \n\r\n",
	FileErr: ErrEmpty,
}, {
	Name:    "JSONArrayIsNoHeader",
	Input:   "[\n  {\n    \"a\": 1\n  }\n]\n",
	FileErr: ErrNoHeader,
}, {
	Name:    "NotUTF8FoundAtOpen",
	Input:   "{\"a\":\"ok\"}\n{\"a\":\"caf\xe9\"}\n",
	FileErr: ErrEncoding,
	ErrLine: 2,
}, {
	Name:   "Windows1252",
	Input:  "§{\"a\":\"caf\xe9\"}\n",
	Opt:    Options{Encoding: "windows-1252"},
	Header: []string{"a"},
	Want:   [][]string{{"café"}},
}}

func TestJSONL(t *testing.T) {
	for _, tt := range jsonlTests {
		t.Run(tt.Name, func(t *testing.T) {
			input, lines := markedLines(tt.Input)
			r, err := NewJSONL(strings.NewReader(input), "in.jsonl", tt.Opt)
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

func TestJSONLErrorMessage(t *testing.T) {
	r, err := NewJSONL(strings.NewReader("{\"a\":1}\n{\"a\": \"secret\"\n"), "in.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	rec, _ := r.Next()
	const want = "in.jsonl:2: not a valid JSON object: the line is not valid JSON"
	if rec.Err == nil || rec.Err.Error() != want {
		t.Errorf("Err = %v, want %s", rec.Err, want)
	}
}

func TestJSONLDuplicateKeyMessage(t *testing.T) {
	r, err := NewJSONL(strings.NewReader(`{"consent_research":false,"consent_research":true}`), "in.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := r.Next()
	const want = `in.jsonl:1: duplicate key "consent_research": the line gives it twice, so which value holds is unknown`
	if rec.Err == nil || rec.Err.Error() != want {
		t.Errorf("Err = %v, want %s", rec.Err, want)
	}
}

func TestJSONLLongValue(t *testing.T) {
	big := strings.Repeat("é", 1<<19) // 1 MB of UTF-8
	input := "{\"a\":\"" + big + "\",\"b\":1}\n{\"a\":\"x\",\"b\":2}\n"
	r, err := NewJSONL(strings.NewReader(input), "big.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 2 || rows[0].Fields[0] != big || rows[1].Line != 2 || rows[1].Fields[1] != "2" {
		t.Fatalf("rows %d, err %v", len(rows), err)
	}
}
