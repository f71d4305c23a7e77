package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

var genToday = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // the --today of data/README.md

func TestRunGen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		opt    genOptions
		format source.Format
		header string // the start of the file, for csv
	}{
		{"plain.csv", genOptions{clients: 20, seed: 1, delimiter: ","}, source.FormatCSV, "practitioner_id,client_id,"},
		{"excel.csv", genOptions{clients: 20, seed: 1, delimiter: ";", bom: true, crlf: true}, source.FormatCSV, "\xEF\xBB\xBFpractitioner_id;client_id;"},
		{"tabs.txt", genOptions{clients: 20, seed: 1, delimiter: `\t`}, source.FormatCSV, "practitioner_id\tclient_id\t"},
		{"s.jsonl", genOptions{clients: 20, seed: 1, delimiter: ","}, source.FormatJSONL, `{"practitioner_id":"P001"`},
		{"s.parquet", genOptions{clients: 20, seed: 1, delimiter: ","}, source.FormatParquet, "PAR1"},
		{"s.xlsx", genOptions{clients: 20, seed: 1, delimiter: ",", extraColumns: true}, source.FormatXLSX, "PK"},
		{"s.data", genOptions{clients: 20, seed: 1, delimiter: ",", format: "jsonl"}, source.FormatJSONL, "{"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opt
			o.output = filepath.Join(dir, tt.name)
			var out bytes.Buffer
			if err := runGen(t.Context(), &o, genToday, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), "wrote "+o.output+": ") {
				t.Errorf("stdout %q", out.String())
			}
			b, err := os.ReadFile(o.output)
			if err != nil || !strings.HasPrefix(string(b), tt.header) {
				t.Fatalf("file starts %q, want %q (%v)", b[:min(40, len(b))], tt.header, err)
			}
			r, err := source.Open(o.output, source.Options{Format: tt.format})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestGenToday(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	// The same --today gives the same file whether it comes from the flag or the environment.
	for i, env := range []string{"", "2025-06-30"} {
		t.Setenv(todayEnv, env)
		out := filepath.Join(dir, fmt.Sprintf("t%d.csv", i))
		args := []string{"gen", "--clients", "30", "--seed", "2", "-o", out}
		if env == "" {
			args = append([]string{"--today", "2025-06-30"}, args...)
		}
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		files[i], _ = os.ReadFile(out)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("--today and $OUTCOMES_TODAY gave different files")
	}
	if bytes.Contains(files[0], []byte("2025-07-")) {
		t.Error("a session after --today")
	}
}

func TestTodayUsageErrors(t *testing.T) {
	for _, tt := range []struct{ flag, env, want string }{
		{"24/11/2026", "", `--today "24/11/2026": want a date as YYYY-MM-DD`},
		{"", "tomorrow", `$OUTCOMES_TODAY "tomorrow": want a date as YYYY-MM-DD`},
	} {
		t.Setenv(todayEnv, tt.env)
		g := &globalOptions{today: tt.flag}
		_, err := g.date()
		if !errors.Is(err, exit.ErrUsage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--today %q, $%s %q: err = %v, want a usage error containing %q", tt.flag, todayEnv, tt.env, err, tt.want)
		}
	}
}

func TestRunGenBadShareSummary(t *testing.T) {
	o := genOptions{clients: 100, seed: 3, delimiter: ",", badShare: 0.5, output: filepath.Join(t.TempDir(), "e.csv")}
	var out bytes.Buffer
	if err := runGen(t.Context(), &o, genToday, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rows with injected errors", "range ", "swapped ", "missing_ae_type "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout %q lacks %q", out.String(), want)
		}
	}
}

func TestRunGenUsageErrors(t *testing.T) {
	dir := t.TempDir()
	good := genOptions{clients: 10, seed: 1, delimiter: ",", format: "auto", output: filepath.Join(dir, "x.csv")}
	tests := []struct {
		name   string
		change func(*genOptions)
		want   string
	}{
		{"NoOutput", func(o *genOptions) { o.output = "" }, "-o FILE is required"},
		{"Clients", func(o *genOptions) { o.clients = 0 }, "--clients 0"},
		{"Practitioners", func(o *genOptions) { o.practitioners = -2 }, "--practitioners -2"},
		{"BadShare", func(o *genOptions) { o.badShare = 1.5 }, "--bad-share 1.5"},
		{"Format", func(o *genOptions) { o.format = "xml" }, `--format "xml"`},
		{"UnknownExtension", func(o *genOptions) { o.output = filepath.Join(dir, "x.dat") }, "cannot tell the format"},
		{"Delimiter", func(o *genOptions) { o.delimiter = "|" }, `--delimiter "|"`},
		{"BOMOnParquet", func(o *genOptions) { o.output, o.bom = filepath.Join(dir, "x.parquet"), true }, "csv only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.change(&o)
			err := runGen(t.Context(), &o, genToday, &bytes.Buffer{})
			if !errors.Is(err, exit.ErrUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a usage error containing %q", err, tt.want)
			}
		})
	}
}

func TestGenCommandHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"gen", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Examples:", "--bad-share", "--extra-columns", "EXIT STATUS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code := run([]string{"gen", "--clients", "-1", "-o", filepath.Join(t.TempDir(), "x.csv")}, &out, &errb); code != exit.Usage {
		t.Errorf("exit %d for --clients -1, want %d", code, exit.Usage)
	}
}

// TestCommittedSamples regenerates every file in data/ with the command data/README.md
// gives for it and checks that it is the same: byte for byte for text formats, row for
// row (through pipeline/source) for Parquet and xlsx, whose containers hold write times.
func TestCommittedSamples(t *testing.T) {
	samples := []struct {
		file string
		opt  genOptions
	}{
		{"sessions-small.csv", genOptions{clients: 50, seed: 4}},
		{"sessions-excel-export.csv", genOptions{clients: 50, seed: 5, delimiter: ";", bom: true, crlf: true}},
		{"sessions.jsonl", genOptions{clients: 40, seed: 6}},
		{"sessions.parquet", genOptions{clients: 50, seed: 9}},
		{"sessions.xlsx", genOptions{clients: 50, seed: 10}},
		{"sessions-errors.csv", genOptions{clients: 40, seed: 6, badShare: 0.3, extraColumns: true}},
	}
	dir := t.TempDir()
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			o := s.opt
			o.format, o.output = "auto", filepath.Join(dir, s.file)
			if o.delimiter == "" {
				o.delimiter = ","
			}
			if err := runGen(t.Context(), &o, genToday, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			committed := filepath.Join("..", "..", "data", s.file)
			if got, want := readRows(t, o.output), readRows(t, committed); !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("%s differs from what its command makes now; regenerate data/ (see data/README.md)", committed)
			}
			if strings.HasSuffix(s.file, ".csv") || strings.HasSuffix(s.file, ".jsonl") {
				got, _ := os.ReadFile(o.output)
				want, _ := os.ReadFile(committed)
				if !bytes.Equal(got, want) {
					t.Errorf("%s: not byte-identical to a fresh run of its command", committed)
				}
			}
		})
	}
}

// readRows reads every record of a file through pipeline/source, failing on any error.
func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	r, err := source.Open(path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := [][]string{r.Header()}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil || rec.Err != nil {
			t.Fatalf("%s: %v %v", path, err, rec.Err)
		}
		rows = append(rows, slices.Clone(rec.Fields))
	}
}
