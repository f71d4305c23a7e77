package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// Stats counts what Write wrote.
type Stats struct {
	Rows           int           // data rows, header excluded
	Practitioners  int           // practitioners with at least one client
	Clients        int           // clients
	ConsentRefused int           // rows with consent_research false
	Faults         map[Fault]int // rows tagged with each injected fault
}

// count adds one row to the stats.
func (s *Stats) count(r Row, consentCol int) {
	s.Rows++
	if r.Fields[consentCol] == "false" {
		s.ConsentRefused++
	}
	if r.Fault != "" {
		s.Faults[r.Fault]++
	}
}

// Write writes the export cfg describes to w in format f, streaming row by row (xlsx
// buffers through excelize's temporary file). CSV and JSON Lines output is byte-identical
// for the same cfg; Parquet and xlsx hold identical rows.
//
// Typed formats cannot hold every injected fault: in Parquet a value that does not parse
// as its column's type (a bad date) is written as null; in xlsx it is written as text.
//
// Write checks ctx every few thousand rows and returns its error once it is done.
func Write(ctx context.Context, w io.Writer, f source.Format, cfg Config) (Stats, error) {
	if err := cfg.Validate(); err != nil {
		return Stats{}, err
	}
	st := Stats{Practitioners: cfg.practitionerCount(), Clients: cfg.Clients, Faults: map[Fault]int{}}
	var err error
	switch f {
	case source.FormatCSV:
		err = writeCSV(ctx, w, cfg, &st)
	case source.FormatJSONL:
		err = writeJSONL(ctx, w, cfg, &st)
	case source.FormatParquet:
		err = writeParquet(ctx, w, cfg, &st)
	case source.FormatXLSX:
		err = writeXLSX(ctx, w, cfg, &st)
	default:
		err = fmt.Errorf("synth: format %q: allowed: csv, jsonl, parquet, xlsx", f)
	}
	return st, err
}

// WriteFile writes the export to path atomically: a temporary file in the same
// directory is written, synced and renamed, and removed on error.
func WriteFile(ctx context.Context, path string, f source.Format, cfg Config) (st Stats, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return Stats{}, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if st, err = Write(ctx, bw, f, cfg); err != nil {
		return st, err
	}
	if err = bw.Flush(); err != nil {
		return st, err
	}
	if err = tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600; the data is synthetic
		return st, err
	}
	if err = tmp.Sync(); err != nil {
		return st, err
	}
	if err = tmp.Close(); err != nil {
		return st, err
	}
	return st, os.Rename(tmp.Name(), path)
}

// ctxCheckRows is how often (in rows) the writers check their context.
const ctxCheckRows = 4096

// rowsUntil yields the rows of cfg until ctx is done; *err is then ctx's error.
func rowsUntil(ctx context.Context, cfg Config, err *error) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		n := 0
		for r := range Rows(cfg) {
			if n++; n%ctxCheckRows == 0 {
				if *err = ctx.Err(); *err != nil {
					return
				}
			}
			if !yield(r) {
				return
			}
		}
	}
}

// colType is how typed formats store a column.
type colType int

const (
	typeString colType = iota
	typeInt
	typeFloat
	typeDate
	typeBool
)

// columnType returns the storage type of a column by its name.
func columnType(name string) colType {
	switch name {
	case "session_date":
		return typeDate
	case "sleep_hours":
		return typeFloat
	case "consent_research":
		return typeBool
	case "session_number", "pain_before", "pain_after", "sleep_quality", "headache_days", "hit6",
		"mymop_symptom1", "mymop_symptom2", "mymop_activity", "mymop_wellbeing":
		return typeInt
	}
	return typeString
}

func writeCSV(ctx context.Context, w io.Writer, cfg Config, st *Stats) error {
	d := cfg.CSV
	if d.BOM {
		if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if d.Delimiter != 0 {
		cw.Comma = d.Delimiter
	}
	cw.UseCRLF = d.CRLF
	if err := cw.Write(cfg.Header()); err != nil {
		return fmt.Errorf("synth: delimiter %q: %w", d.Delimiter, err)
	}
	consent := fieldIndex(colConsent, cfg.ExtraColumns)
	var cerr error
	for r := range rowsUntil(ctx, cfg, &cerr) {
		cw.Write(r.Fields) // a write error is kept and returned by Error
		st.count(r, consent)
	}
	if cerr != nil {
		return cerr
	}
	cw.Flush()
	return cw.Error()
}

func writeJSONL(ctx context.Context, w io.Writer, cfg Config, st *Stats) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	header := cfg.Header()
	keys := make([][]byte, len(header))
	types := make([]colType, len(header))
	for i, h := range header {
		keys[i], _ = json.Marshal(h)
		types[i] = columnType(h)
	}
	consent := fieldIndex(colConsent, cfg.ExtraColumns)
	var line []byte
	var cerr error
	for r := range rowsUntil(ctx, cfg, &cerr) {
		line = append(line[:0], '{')
		for i, v := range r.Fields {
			if v == "" { // missing values are left out, as form tools do
				continue
			}
			if len(line) > 1 {
				line = append(line, ',')
			}
			line = append(line, keys[i]...)
			line = append(line, ':')
			line = appendJSONValue(line, v, types[i])
		}
		line = append(line, '}', '\n')
		bw.Write(line)
		st.count(r, consent)
	}
	if cerr != nil {
		return cerr
	}
	return bw.Flush()
}

// appendJSONValue writes v as a JSON number or boolean when its column is typed and it
// parses as one, else as a JSON string.
func appendJSONValue(b []byte, v string, t colType) []byte {
	switch t {
	case typeInt:
		if _, err := strconv.Atoi(v); err == nil {
			return append(b, v...)
		}
	case typeFloat:
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return append(b, v...)
		}
	case typeBool:
		if v == "true" || v == "false" {
			return append(b, v...)
		}
	}
	if isPlainASCII(v) {
		b = append(b, '"')
		b = append(b, v...)
		return append(b, '"')
	}
	q, _ := json.Marshal(v)
	return append(b, q...)
}

// isPlainASCII reports whether s can be written between quotes as it is.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// parseDate parses an ISO date, reporting false for anything else.
func parseDate(v string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, v)
	return t, err == nil
}
