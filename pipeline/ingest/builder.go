package ingest

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
)

// sessionsBuilder builds Arrow batches of the lake's sessions table from validated rows.
type sessionsBuilder struct {
	b       *array.RecordBuilder
	mem     memory.Allocator
	hasher  *pseudo.Hasher
	sha     string
	version int32
	commit  int64
	n       int
	// The last row's ids and keys: an export lists a client's sessions together, so most rows
	// repeat them and skip the hasher's map lookups.
	lastPractID, lastClientID, lastPractKey, lastClientKey string

	practitioner, client, sha256 *array.StringBuilder
	date                         *array.Date32Builder
	number, schemaVersion        *array.Int32Builder
	line, commitVersion          *array.Int64Builder
	modality, complaint, aeType  *array.StringBuilder
	ageBand, sex, ae             *array.StringBuilder
	ints                         [9]*array.Int32Builder
	sleepHours, profile          *array.Float64Builder
}

// intColumns are the optional integer columns, in the order sessionsBuilder.ints holds them.
var intColumns = [9]string{"pain_before", "pain_after", "sleep_quality", "headache_days", "hit6",
	"mymop_symptom1", "mymop_symptom2", "mymop_activity", "mymop_wellbeing"}

func newSessionsBuilder(mem memory.Allocator, h *pseudo.Hasher, sha string, schemaVersion int32, commit int64) *sessionsBuilder {
	sc := lake.SessionsSchema()
	b := array.NewRecordBuilder(mem, sc)
	col := func(name string) array.Builder {
		idx := sc.FieldIndices(name)
		if len(idx) != 1 {
			panic(fmt.Sprintf("ingest: lake sessions schema has %d columns named %q", len(idx), name))
		}
		return b.Field(idx[0])
	}
	s := &sessionsBuilder{
		b: b, mem: mem, hasher: h, sha: sha, version: schemaVersion, commit: commit,
		practitioner:  col("practitioner_key").(*array.StringBuilder),
		client:        col("client_key").(*array.StringBuilder),
		date:          col("session_date").(*array.Date32Builder),
		number:        col("session_number").(*array.Int32Builder),
		modality:      col("modality").(*array.StringBuilder),
		complaint:     col("presenting_complaint").(*array.StringBuilder),
		ageBand:       col("age_band").(*array.StringBuilder),
		sex:           col("sex").(*array.StringBuilder),
		ae:            col("adverse_event").(*array.StringBuilder),
		aeType:        col("adverse_event_type").(*array.StringBuilder),
		sleepHours:    col("sleep_hours").(*array.Float64Builder),
		profile:       col("mymop_profile").(*array.Float64Builder),
		schemaVersion: col("schema_version").(*array.Int32Builder),
		sha256:        col("source_sha256").(*array.StringBuilder),
		line:          col("source_line").(*array.Int64Builder),
		commitVersion: col("commit_version").(*array.Int64Builder),
	}
	for i, name := range intColumns {
		s.ints[i] = col(name).(*array.Int32Builder)
	}
	if len(sc.Fields()) != 16+len(intColumns) {
		panic(fmt.Sprintf("ingest: lake sessions schema has %d columns; the builder knows %d", len(sc.Fields()), 16+len(intColumns)))
	}
	return s
}

func (s *sessionsBuilder) append(r *schema.Session, line int) {
	if r.PractitionerID != s.lastPractID || r.ClientID != s.lastClientID || s.lastPractKey == "" {
		if r.PractitionerID != s.lastPractID || s.lastPractKey == "" {
			s.lastPractKey = s.hasher.Practitioner(r.PractitionerID)
		}
		s.lastClientKey = s.hasher.Client(r.PractitionerID, r.ClientID)
		s.lastPractID, s.lastClientID = r.PractitionerID, r.ClientID
	}
	s.practitioner.Append(s.lastPractKey)
	s.client.Append(s.lastClientKey)
	s.date.Append(arrow.Date32(r.SessionDate))
	s.number.Append(r.SessionNumber)
	s.modality.Append(r.Modality)
	s.complaint.Append(r.PresentingComplaint)
	appendOptString(s.ageBand, r.AgeBand)
	appendOptString(s.sex, r.Sex)
	s.ae.Append(r.AdverseEvent)
	appendOptString(s.aeType, r.AdverseEventType)
	for i, v := range [9]schema.Int{r.PainBefore, r.PainAfter, r.SleepQuality, r.HeadacheDays, r.HIT6,
		r.MymopSymptom1, r.MymopSymptom2, r.MymopActivity, r.MymopWellbeing} {
		if v.Valid {
			s.ints[i].Append(v.V)
		} else {
			s.ints[i].AppendNull()
		}
	}
	appendOptFloat(s.sleepHours, r.SleepHours)
	appendOptFloat(s.profile, r.MymopProfile)
	s.schemaVersion.Append(s.version)
	s.line.Append(int64(line))
	s.commitVersion.Append(s.commit)
	s.n++
}

func (s *sessionsBuilder) len() int { return s.n }

// finish returns the rows appended since the last finish as one batch. source_sha256 is the
// same in every row, so it is not appended row by row but laid out at once here.
func (s *sessionsBuilder) finish() arrow.RecordBatch {
	n := s.n
	s.n = 0
	sc := s.b.Schema()
	cols := make([]arrow.Array, len(sc.Fields()))
	for i, f := range sc.Fields() {
		if f.Name == "source_sha256" {
			cols[i] = constantStrings(s.mem, s.sha, n)
			s.b.Field(i).NewArray().Release() // keep the unused builder empty
			continue
		}
		cols[i] = s.b.Field(i).NewArray()
	}
	rec := array.NewRecordBatch(sc, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// constantStrings returns a string array of n copies of v, built with two buffers.
func constantStrings(mem memory.Allocator, v string, n int) arrow.Array {
	data := memory.NewResizableBuffer(mem)
	data.Resize(n * len(v))
	b := data.Bytes()
	if len(b) > 0 {
		copy(b, v)
		for filled := len(v); filled < len(b); filled *= 2 {
			copy(b[filled:], b[:filled])
		}
	}
	offsets := memory.NewResizableBuffer(mem)
	offsets.Resize((n + 1) * arrow.Int32SizeBytes)
	off := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	for i := range off {
		off[i] = int32(i * len(v))
	}
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	defer d.Release()
	data.Release()
	offsets.Release()
	return array.MakeFromData(d)
}

func (s *sessionsBuilder) release() { s.b.Release() }

func appendOptString(b *array.StringBuilder, v string) {
	if v == "" {
		b.AppendNull()
	} else {
		b.Append(v)
	}
}

func appendOptFloat(b *array.Float64Builder, v schema.Float) {
	if v.Valid {
		b.Append(v.V)
	} else {
		b.AppendNull()
	}
}

// quarantineBuilder builds Arrow batches of the lake's quarantine table: one row per violation.
type quarantineBuilder struct {
	b      *array.RecordBuilder
	name   string
	sha    string
	commit int64
	n      int
}

func newQuarantineBuilder(mem memory.Allocator, name, sha string, commit int64) *quarantineBuilder {
	return &quarantineBuilder{b: array.NewRecordBuilder(mem, lake.QuarantineSchema()), name: name, sha: sha, commit: commit}
}

// append adds one violation. Its value is already masked for identifier columns. clientKey is
// the row's client_key when its practitioner and client ids were valid, "" (null) otherwise:
// lake forget finds a client's quarantined rows by it.
func (q *quarantineBuilder) append(v schema.Violation, clientKey string) {
	sc := q.b.Schema()
	for i, f := range sc.Fields() {
		fb := q.b.Field(i)
		switch f.Name {
		case "source_name":
			fb.(*array.StringBuilder).Append(q.name)
		case "source_sha256":
			fb.(*array.StringBuilder).Append(q.sha)
		case "source_line":
			fb.(*array.Int64Builder).Append(int64(v.Line))
		case "column":
			fb.(*array.StringBuilder).Append(v.Column)
		case "rule":
			fb.(*array.StringBuilder).Append(string(v.Rule))
		case "message":
			fb.(*array.StringBuilder).Append(v.Message)
		case "value":
			fb.(*array.StringBuilder).Append(v.Value)
		case "commit_version":
			fb.(*array.Int64Builder).Append(q.commit)
		case "client_key":
			if clientKey == "" {
				fb.AppendNull()
			} else {
				fb.(*array.StringBuilder).Append(clientKey)
			}
		default:
			panic(fmt.Sprintf("ingest: unknown quarantine column %q", f.Name))
		}
	}
	q.n++
}

func (q *quarantineBuilder) len() int { return q.n }

func (q *quarantineBuilder) finish() arrow.RecordBatch {
	q.n = 0
	return q.b.NewRecordBatch()
}

func (q *quarantineBuilder) release() { q.b.Release() }
