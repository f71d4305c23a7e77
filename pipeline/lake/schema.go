package lake

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
)

// column is one lake column: its name, Iceberg type and whether it may be null. The field id
// is its 1-based position; ids are never reused or reordered (a new column gets the next id).
type column struct {
	name     string
	typ      iceberg.Type
	nullable bool
}

var (
	tString  = iceberg.PrimitiveTypes.String
	tDate    = iceberg.PrimitiveTypes.Date
	tInt32   = iceberg.PrimitiveTypes.Int32
	tInt64   = iceberg.PrimitiveTypes.Int64
	tFloat64 = iceberg.PrimitiveTypes.Float64
)

// sessionsColumns are the columns of table sessions (DESIGN.md section 3), lineage last.
var sessionsColumns = []column{
	{"practitioner_key", tString, false},
	{"client_key", tString, false},
	{"session_date", tDate, false},
	{"session_number", tInt32, false},
	{"modality", tString, false},
	{"presenting_complaint", tString, false},
	{"age_band", tString, true},
	{"sex", tString, true},
	{"pain_before", tInt32, true},
	{"pain_after", tInt32, true},
	{"sleep_quality", tInt32, true},
	{"sleep_hours", tFloat64, true},
	{"headache_days", tInt32, true},
	{"hit6", tInt32, true},
	{"mymop_symptom1", tInt32, true},
	{"mymop_symptom2", tInt32, true},
	{"mymop_activity", tInt32, true},
	{"mymop_wellbeing", tInt32, true},
	{"mymop_profile", tFloat64, true},
	{"adverse_event", tString, false},
	{"adverse_event_type", tString, true},
	{"schema_version", tInt32, false},
	{"source_sha256", tString, false},
	{"source_line", tInt64, false},
	{"commit_version", tInt64, false},
}

// quarantineColumns are the columns of table quarantine: one row per violation. client_key
// (added after the first release, so it is last) is the client's key when the row's
// practitioner and client ids were valid, and null otherwise: it is how [Lake.Forget] finds a
// client's quarantined rows.
var quarantineColumns = []column{
	{"source_name", tString, false},
	{"source_sha256", tString, false},
	{"source_line", tInt64, false},
	{"column", tString, false},
	{"rule", tString, false},
	{"message", tString, false},
	{"value", tString, true},
	{"commit_version", tInt64, false},
	{"client_key", tString, true},
}

// fieldIDKey is the Arrow field metadata key that pqarrow writes as the Parquet field_id,
// which is how Iceberg readers (Spark, Trino, iceberg-go) match columns to the table schema.
const fieldIDKey = "PARQUET:field_id"

// The name of the partition field of sessions, year(session_date), and its Iceberg field id.
const (
	yearPartitionName = "session_date_year"
	yearPartitionID   = 1000
	sessionDateID     = 3 // field id of session_date
)

func icebergSchema(cols []column) *iceberg.Schema {
	fields := make([]iceberg.NestedField, len(cols))
	for i, c := range cols {
		fields[i] = iceberg.NestedField{ID: i + 1, Name: c.name, Type: c.typ, Required: !c.nullable}
	}
	return iceberg.NewSchema(0, fields...)
}

func arrowType(t iceberg.Type) arrow.DataType {
	switch t {
	case tString:
		return arrow.BinaryTypes.String
	case tDate:
		return arrow.FixedWidthTypes.Date32
	case tInt32:
		return arrow.PrimitiveTypes.Int32
	case tInt64:
		return arrow.PrimitiveTypes.Int64
	case tFloat64:
		return arrow.PrimitiveTypes.Float64
	}
	panic(fmt.Sprintf("lake: no arrow type for %s", t))
}

func arrowSchema(cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{
			Name: c.name, Type: arrowType(c.typ), Nullable: c.nullable,
			Metadata: arrow.NewMetadata([]string{fieldIDKey}, []string{strconv.Itoa(i + 1)}),
		}
	}
	return arrow.NewSchema(fields, nil)
}

var (
	sessionsArrow   = sync.OnceValue(func() *arrow.Schema { return arrowSchema(sessionsColumns) })
	quarantineArrow = sync.OnceValue(func() *arrow.Schema { return arrowSchema(quarantineColumns) })
)

// SessionsSchema is the Arrow schema of table sessions: the records passed to
// [Append.WriteSessions] must have these fields, in this order, with these types. Each field
// carries its Iceberg field id in the metadata key "PARQUET:field_id".
func SessionsSchema() *arrow.Schema { return sessionsArrow() }

// QuarantineSchema is the Arrow schema of table quarantine, for [Append.WriteQuarantine].
func QuarantineSchema() *arrow.Schema { return quarantineArrow() }

// sessionsSpec is the partition spec of sessions: year(session_date).
func sessionsSpec() iceberg.PartitionSpec {
	return iceberg.NewPartitionSpec(iceberg.PartitionField{
		SourceIDs: []int{sessionDateID}, FieldID: yearPartitionID,
		Name: yearPartitionName, Transform: iceberg.YearTransform{},
	})
}

// checkNulls reports a required column that holds nulls.
func checkNulls(sc *arrow.Schema, rec arrow.RecordBatch) error {
	for i, f := range sc.Fields() {
		if !f.Nullable && rec.Column(i).NullN() > 0 {
			return fmt.Errorf("%w: required column %s has %d nulls", ErrSchema, f.Name, rec.Column(i).NullN())
		}
	}
	return nil
}

// checkSchema reports whether got has want's fields (names, types, nullability) in order.
// Field metadata is not compared: the writer substitutes want, which carries the field ids.
func checkSchema(got, want *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%w: record has %d fields, table has %d", ErrSchema, got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		g, w := got.Field(i), want.Field(i)
		if g.Name != w.Name || !arrow.TypeEqual(g.Type, w.Type) {
			return fmt.Errorf("%w: field %d is %s %s, want %s %s", ErrSchema, i, g.Name, g.Type, w.Name, w.Type)
		}
		if g.Nullable && !w.Nullable {
			return fmt.Errorf("%w: field %s is nullable, the table requires it", ErrSchema, g.Name)
		}
	}
	return nil
}
