package source

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		path string
		f    Format
		want Format
		err  error
	}{
		{write("a.CSV", "x"), "", FormatCSV, nil},
		{write("a.tsv", "x"), "auto", FormatCSV, nil},
		{write("a.ndjson", "x"), "", FormatJSONL, nil},
		{write("a.json", "x"), "", FormatJSONL, nil},
		{write("a.parquet", "x"), "", FormatParquet, nil},
		{write("a.xlsx", "x"), "", FormatXLSX, nil},
		{write("a.dat", "x"), "jsonl", FormatJSONL, nil},
		{write("sniff1", "PAR1...."), "", FormatParquet, nil},
		{write("sniff2", "PK\x03\x04...."), "", FormatXLSX, nil},
		{write("sniff3", "\xEF\xBB\xBF\n {\"a\":1}"), "", FormatJSONL, nil},
		{write("sniff4", "a;b\n1;2\n"), "", FormatCSV, nil},
		{write("sniff5", ""), "", "", ErrEmpty},
		{write("sniff6", "\x00\x01\x02"), "", "", ErrFormat},
		{write("b.csv", "x"), "xml", "", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			got, err := DetectFormat(tt.path, tt.f)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("DetectFormat = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestOpenText(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		header        []string
	}{
		{"s.csv", "\xEF\xBB\xBFa;b\r\n1;2\r\n", []string{"a", "b"}},
		{"s.jsonl", "{\"a\":1,\"b\":2}\n{\"a\":3}\n", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer mustClose(t, r)
			if h := r.Header(); len(h) != 2 || h[0] != tt.header[0] || h[1] != tt.header[1] {
				t.Errorf("Header = %q", h)
			}
			rows, err := readAll(t, r)
			if err != nil || len(rows) == 0 {
				t.Fatalf("rows %v, err %v", rows, err)
			}
			p2 := r.(Progress)
			if p2.Size() != int64(len(tt.content)) || p2.Offset() != p2.Size() {
				t.Errorf("Progress: offset %d size %d, want both %d", p2.Offset(), p2.Size(), len(tt.content))
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "nope.csv"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}
