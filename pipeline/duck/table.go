package duck

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// Table is a query result held in memory: for the CLI, notebooks and summaries.
type Table struct {
	Columns []string // column names, in the query's order
	Types   []string // DuckDB type names, such as INTEGER, DOUBLE, VARCHAR, DATE
	Rows    [][]any  // the first rows, in DuckDB's order, as the driver scans them
	Total   int64    // the number of rows the query produced (≥ len(Rows))
}

// Truncated reports whether the query produced more rows than Rows holds.
func (t *Table) Truncated() bool { return int64(len(t.Rows)) < t.Total }

// QueryTable runs a read-only query like [DB.Query] and keeps its first maxRows rows (all
// of them when maxRows ≤ 0), counting the rest in Total. Rows stay in DuckDB's order:
// callers that need a deterministic result end the query in ORDER BY.
func (db *DB) QueryTable(ctx context.Context, query string, maxRows int, args ...any) (*Table, error) {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t, err := readTable(rows, maxRows)
	if err != nil {
		return nil, Classify(err)
	}
	return t, Classify(rows.Close())
}

// readTable reads rows into a Table, scanning at most maxRows (all when maxRows ≤ 0).
func readTable(rows *sql.Rows, maxRows int) (*Table, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	t := &Table{}
	for _, ct := range types {
		t.Columns = append(t.Columns, ct.Name())
		t.Types = append(t.Types, ct.DatabaseTypeName())
	}
	for rows.Next() {
		t.Total++
		if maxRows > 0 && len(t.Rows) >= maxRows {
			continue
		}
		row := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}

// FormatValue renders a value scanned from DuckDB as text: NULL as "", numbers in Go's
// shortest round-trip form ('g', -1 for floats), DATE as 2006-01-02, TIMESTAMP as
// 2006-01-02 15:04:05[.ffffff], TIMESTAMPTZ the same in UTC with +00, TIME as
// 15:04:05[.ffffff], INTERVAL as DuckDB prints it, UUID canonically, BLOB as hex, lists as
// [a, b], structs as {'k': v} with sorted keys and maps as {k=v}. typ is the column's
// DuckDB type name (Table.Types).
func FormatValue(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case time.Time:
		return formatTime(x, typ)
	case []byte:
		if typ == "UUID" && len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return hex.EncodeToString(x)
	case duckdb.Interval:
		return formatInterval(x)
	case duckdb.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = formatNested(keys[i]) + "=" + formatNested(vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return x.String()
	case duckdb.UUID:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatNested(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, "'"+k+"': "+formatNested(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(x)
	}
}

// formatNested formats an element of a list or struct, where NULL shows as NULL.
func formatNested(v any) string {
	if v == nil {
		return "NULL"
	}
	return FormatValue(v, "")
}

// formatInterval formats an INTERVAL as DuckDB prints it: 1 year 2 months 3 days 04:05:06.5.
func formatInterval(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		switch {
		case n == 1 || n == -1:
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		case n != 0:
			parts = append(parts, fmt.Sprintf("%d %ss", n, name))
		}
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "month")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		d := time.Duration(iv.Micros) * time.Microsecond
		sign := ""
		if d < 0 {
			sign, d = "-", -d
		}
		clock := fmt.Sprintf("%s%02d:%02d:%02d", sign, int64(d/time.Hour), int64(d/time.Minute)%60, int64(d/time.Second)%60)
		if frac := d % time.Second; frac != 0 {
			clock += strings.TrimRight(fmt.Sprintf(".%06d", frac/time.Microsecond), "0")
		}
		parts = append(parts, clock)
	}
	return strings.Join(parts, " ")
}

// formatTime formats DATE, TIME and TIMESTAMP values by their DuckDB type.
func formatTime(t time.Time, typ string) string {
	t = t.UTC()
	switch {
	case typ == "DATE":
		return t.Format(time.DateOnly)
	case strings.HasPrefix(typ, "TIME") && !strings.HasPrefix(typ, "TIMESTAMP"):
		return t.Format("15:04:05.999999999")
	case strings.HasSuffix(typ, "TZ") || strings.Contains(typ, "TIME ZONE"):
		return t.Format("2006-01-02 15:04:05.999999999-07")
	default:
		return t.Format("2006-01-02 15:04:05.999999999")
	}
}

// numericType reports whether a DuckDB type is a number (right-aligned in text tables).
func numericType(typ string) bool {
	switch strings.TrimPrefix(typ, "U") {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE":
		return true
	}
	return strings.HasPrefix(typ, "DECIMAL")
}

// WriteText writes t as aligned columns: a header, a rule, the rows (NULL shown as NULL,
// numeric columns right-aligned, newlines as \n) and a final "(N rows)" line, which says how many
// are shown when the table is truncated.
func (t *Table) WriteText(w io.Writer) error {
	cells := make([][]string, len(t.Rows))
	widths := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		widths[j] = utf8.RuneCountInString(c)
	}
	for i, row := range t.Rows {
		cells[i] = make([]string, len(row))
		for j, v := range row {
			s := "NULL"
			if v != nil {
				s = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(FormatValue(v, t.Types[j]))
			}
			cells[i][j] = s
			widths[j] = max(widths[j], utf8.RuneCountInString(s))
		}
	}
	var b bytes.Buffer
	writeLine(&b, t.Columns, widths, func(int) bool { return false })
	rule := make([]string, len(widths))
	for j, n := range widths {
		rule[j] = strings.Repeat("-", n)
	}
	writeLine(&b, rule, widths, func(int) bool { return false })
	for _, row := range cells {
		writeLine(&b, row, widths, func(j int) bool { return numericType(t.Types[j]) })
	}
	b.WriteString(t.footer())
	_, err := w.Write(b.Bytes())
	return err
}

// writeLine writes one padded line; right(j) says whether column j is right-aligned.
func writeLine(b *bytes.Buffer, cells []string, widths []int, right func(int) bool) {
	for j, s := range cells {
		if j > 0 {
			b.WriteString("  ")
		}
		pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(s))
		switch {
		case right(j):
			b.WriteString(pad + s)
		case j == len(cells)-1:
			b.WriteString(s) // no trailing blanks
		default:
			b.WriteString(s + pad)
		}
	}
	b.WriteByte('\n')
}

// footer is the row-count line of a text table.
func (t *Table) footer() string {
	noun := "rows"
	if t.Total == 1 {
		noun = "row"
	}
	if t.Truncated() {
		return fmt.Sprintf("(%d %s, first %d shown)\n", t.Total, noun, len(t.Rows))
	}
	return fmt.Sprintf("(%d %s)\n", t.Total, noun)
}

// WriteCSV writes t as CSV with a header row: RFC 4180 quoting (encoding/csv), \n line
// ends, NULL as an empty field, values as [FormatValue] renders them.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for j, v := range row {
			rec[j] = FormatValue(v, t.Types[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes t as a JSON array of objects, one per row, with keys in column order:
// NULL, NaN and ±Inf as null, numbers as JSON numbers, booleans as booleans, lists as
// arrays, structs as objects, and every other value as the string [FormatValue] gives.
func (t *Table) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i, row := range t.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			k, err := json.Marshal(t.Columns[j])
			if err != nil {
				return err
			}
			val, err := json.Marshal(jsonValue(v, t.Types[j]))
			if err != nil {
				return fmt.Errorf("duck: column %s: %w", t.Columns[j], err)
			}
			b.Write(k)
			b.WriteString(": ")
			b.Write(val)
		}
		b.WriteString("}")
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}

// jsonValue converts a scanned value into one encoding/json writes as JSON wants it.
func jsonValue(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case float32:
		return jsonValue(float64(x), typ)
	case *big.Int, duckdb.Decimal:
		return json.Number(FormatValue(x, typ))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x)) // encoding/json sorts map keys
		for k, e := range x {
			out[k] = jsonValue(e, "")
		}
		return out
	default:
		return FormatValue(x, typ)
	}
}
