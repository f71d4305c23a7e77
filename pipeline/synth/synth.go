package synth

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Config describes a synthetic export.
type Config struct {
	Clients       int       // number of clients (> 0)
	Practitioners int       // 0: about Clients/10, at least 3 (never more than Clients)
	Seed          uint64    // the only source of randomness
	BadShare      float64   // share of rows given an error, 0..1
	Today         time.Time // the export date: every session is before it
	// ExtraColumns adds a PII-looking "client_name" column and a free-text "notes" column,
	// to test that the ingest never stores them.
	ExtraColumns bool
	CSV          CSVDialect // how Write lays out CSV
	// PractitionerPrefix starts every practitioner id ("" gives P001, P002, ...). Exports of
	// different practices need different prefixes, or their practitioners are the same ids.
	PractitionerPrefix string
}

// CSVDialect is the layout of a CSV export.
type CSVDialect struct {
	Delimiter rune // 0 means ','
	BOM       bool // start with a UTF-8 byte-order mark
	CRLF      bool // end lines with "\r\n"
}

// ExcelOnWindows is the layout of a CSV saved by Excel in a European locale.
var ExcelOnWindows = CSVDialect{Delimiter: ';', BOM: true, CRLF: true}

// Columns are the source columns, in order. With ExtraColumns, "client_name" follows
// client_id and "notes" comes last.
var Columns = []string{
	"practitioner_id", "client_id", "session_date", "session_number", "modality",
	"presenting_complaint", "age_band", "sex", "pain_before", "pain_after", "sleep_quality",
	"sleep_hours", "headache_days", "hit6", "mymop_symptom1", "mymop_symptom2",
	"mymop_activity", "mymop_wellbeing", "adverse_event", "adverse_event_type",
	"consent_research",
}

// Indexes into Row.Fields (the standard columns keep these positions; see [Config.Header]).
const (
	colPractitioner = iota
	colClient
	colDate
	colSession
	colModality
	colComplaint
	colAgeBand
	colSex
	colPainBefore
	colPainAfter
	colSleepQuality
	colSleepHours
	colHeadacheDays
	colHIT6
	colSymptom1
	colSymptom2
	colActivity
	colWellbeing
	colAdverse
	colAdverseType
	colConsent
	numColumns
	colName  = numColumns     // with ExtraColumns
	colNotes = numColumns + 1 // with ExtraColumns
)

// Header returns the column names of an export made with c, in a new slice.
func (c Config) Header() []string {
	if !c.ExtraColumns {
		return slices.Clone(Columns)
	}
	h := slices.Clone(Columns[:colClient+1])
	h = append(h, "client_name")
	h = append(h, Columns[colClient+1:]...)
	return append(h, "notes")
}

// Row is one generated session record.
type Row struct {
	// Fields holds the values in [Config.Header] order as text ("" for missing). The slice
	// is reused: it is valid only during the yield call.
	Fields []string
	// Fault is the error injected into this row, or "" for a clean row.
	Fault Fault
}

// fieldIndex maps a standard column index to its position in Row.Fields.
func fieldIndex(col int, extra bool) int {
	switch {
	case !extra || col <= colClient:
		return col
	case col == colName:
		return colClient + 1
	case col == colNotes:
		return numColumns + 1
	}
	return col + 1
}

// Validate reports a configuration that cannot be generated.
func (c Config) Validate() error {
	switch {
	case c.Clients <= 0:
		return fmt.Errorf("synth: clients must be positive, got %d", c.Clients)
	case c.Practitioners < 0:
		return fmt.Errorf("synth: practitioners must not be negative, got %d", c.Practitioners)
	case c.BadShare < 0 || c.BadShare > 1 || math.IsNaN(c.BadShare):
		return fmt.Errorf("synth: bad share must be in 0..1, got %g", c.BadShare)
	case c.Today.IsZero():
		return errors.New("synth: today must be set")
	}
	return nil
}

// practitionerCount is the number of practitioners for c.
func (c Config) practitionerCount() int {
	n := c.Practitioners
	if n == 0 {
		n = max(3, c.Clients/10)
	}
	return min(n, c.Clients)
}

// Rows returns the rows of the export cfg describes, generated one at a time: memory does
// not grow with the number of clients. The same cfg always gives the same rows. An
// invalid cfg (see [Config.Validate]) gives no rows.
func Rows(cfg Config) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		if cfg.Validate() != nil {
			return
		}
		g := newGenerator(cfg)
		g.run(yield)
	}
}

// numbers holds "0".."999" so that most cells need no allocation.
var numbers = func() []string {
	s := make([]string, 1000)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(i int) string {
	if i >= 0 && i < len(numbers) {
		return numbers[i]
	}
	return strconv.Itoa(i)
}

// pick draws an index with probability proportional to weights.
func pick(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// clamp rounds x to the nearest integer within lo..hi.
func clamp(x float64, lo, hi int) int {
	return min(hi, max(lo, int(math.Round(x))))
}
