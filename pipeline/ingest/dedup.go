package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"

	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// dupIndex keeps a 64-bit hash of the natural key of every accepted row of the first pass:
// 8 bytes a row, the only state of the ingest that grows with the file. Rows whose key
// hashes meet are suspects; the confirm pass decides them by their exact values.
type dupIndex struct {
	seed maphash.Seed
	buf  []byte
	keys []uint64
}

func newDupIndex() *dupIndex { return &dupIndex{seed: maphash.MakeSeed()} }

func (d *dupIndex) keyHash(s *schema.Session) uint64 {
	d.buf = appendKey(d.buf[:0], s)
	return maphash.Bytes(d.seed, d.buf)
}

func (d *dupIndex) add(s *schema.Session) { d.keys = append(d.keys, d.keyHash(s)) }

// suspects returns the key hashes that occur more than once; usually none, and then the first
// pass was the only one. It sorts the index in place.
func (d *dupIndex) suspects() map[uint64]bool {
	slices.Sort(d.keys)
	var out map[uint64]bool
	for i := 1; i < len(d.keys); i++ {
		if d.keys[i] == d.keys[i-1] {
			if out == nil {
				out = make(map[uint64]bool)
			}
			out[d.keys[i]] = true
		}
	}
	return out
}

// appendKey encodes the natural key: practitioner id, client id and session number.
func appendKey(b []byte, s *schema.Session) []byte {
	b = appendString(b, s.PractitionerID)
	b = appendString(b, s.ClientID)
	return binary.LittleEndian.AppendUint32(b, uint32(s.SessionNumber))
}

// appendValues encodes every other stored value, so that two rows are equal exactly when
// their encodings are.
func appendValues(b []byte, s *schema.Session) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(s.SessionDate))
	for _, str := range []string{s.Modality, s.PresentingComplaint, s.AgeBand, s.Sex, s.AdverseEvent, s.AdverseEventType} {
		b = appendString(b, str)
	}
	for _, v := range []schema.Int{s.PainBefore, s.PainAfter, s.SleepQuality, s.HeadacheDays, s.HIT6,
		s.MymopSymptom1, s.MymopSymptom2, s.MymopActivity, s.MymopWellbeing} {
		b = appendInt(b, v)
	}
	for _, v := range []schema.Float{s.SleepHours, s.MymopProfile} {
		if v.Valid {
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.V))
		} else {
			b = append(b, 0)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendInt(b []byte, v schema.Int) []byte {
	if !v.Valid {
		return append(b, 0)
	}
	return binary.LittleEndian.AppendUint32(append(b, 1), uint32(v.V))
}

// decision is the verdict on one suspect line: keep it (rule ""), or quarantine it.
type decision struct {
	rule  schema.Rule
	other int // the line it repeats or conflicts with: the group's first, or for the first its second
}

// violation is the quarantine entry of the row at line; val is the pass's validator.
func (d decision) violation(val *schema.Validator, line int) schema.Violation {
	var msg string
	switch d.rule {
	case schema.RuleDuplicateInFile:
		msg = fmt.Sprintf("line %d repeats line %d exactly; the first is kept", line, d.other)
	case schema.RuleConflictInFile:
		msg = fmt.Sprintf("line %d has the same practitioner, client and session_number as line %d but other values; all such rows are quarantined until the export is corrected", line, d.other)
	}
	return val.RowViolation(line, d.rule, "", msg)
}

// confirm re-reads the file and decides the suspects (rows whose key hash is shared) by their
// exact encodings (see decide).
func confirm(ctx context.Context, path string, opt Options, dups *dupIndex, suspects map[uint64]bool) (map[int]decision, error) {
	groups, err := suspectGroups(ctx, path, opt, dups, suspects)
	if err != nil {
		return nil, err
	}
	return decide(groups), nil
}

// member is one suspect row: its line and the encoding of its values (appendValues).
type member struct {
	line int
	row  string
}

// suspectGroups reads the file and groups its accepted rows whose key hash is a suspect by
// their natural key, the groups in the order of their first row.
func suspectGroups(ctx context.Context, path string, opt Options, dups *dupIndex, suspects map[uint64]bool) ([][]member, error) {
	rd, val, err := openValidator(path, opt)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	index := map[string]int{} // natural key -> its group
	var groups [][]member
	var buf []byte
	for n := 0; ; n++ {
		if n%opt.BatchRows == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := rd.Next()
		if err == io.EOF {
			return groups, nil
		}
		if err != nil {
			return nil, err
		}
		sess, ok := suspect(val, rec, dups, suspects)
		if !ok {
			continue
		}
		buf = appendKey(buf[:0], &sess)
		g, seen := index[string(buf)]
		if !seen {
			g = len(groups)
			index[string(buf)] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], member{rec.Line, string(appendValues(buf[:0], &sess))})
	}
}

// openValidator opens the file and a validator for its header.
func openValidator(path string, opt Options) (source.Reader, *schema.Validator, error) {
	rd, err := source.Open(path, opt.Source)
	if err != nil {
		return nil, nil, err
	}
	m, err := opt.Schema.Map(rd.Header())
	if err != nil {
		rd.Close()
		return nil, nil, fileContext(path, err)
	}
	return rd, opt.Schema.NewValidator(path, m, opt.Validate), nil
}

// suspect validates a record and returns its session, and whether the row is accepted and
// its key hash is a suspect.
func suspect(val *schema.Validator, rec source.Record, dups *dupIndex, suspects map[uint64]bool) (schema.Session, bool) {
	if rec.Err != nil {
		return schema.Session{}, false
	}
	sess, viols := val.Validate(rec.Line, rec.Fields)
	return sess, schema.Classify(sess, viols) == schema.Accepted && suspects[dups.keyHash(&sess)]
}

// decide judges the rows of each group, which share a natural key: if all are equal the
// first is kept and the rest are duplicates; if any differ, all are conflicts. A group of one
// (a row whose key only collided in the hash) is kept. Each decision names the group's first
// line, or for the first row the second.
func decide(groups [][]member) map[int]decision {
	out := make(map[int]decision)
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		conflict := slices.ContainsFunc(g[1:], func(x member) bool { return x.row != g[0].row })
		for i, x := range g {
			other := g[0].line
			if i == 0 {
				other = g[1].line
			}
			switch {
			case conflict:
				out[x.line] = decision{rule: schema.RuleConflictInFile, other: other}
			case i > 0:
				out[x.line] = decision{rule: schema.RuleDuplicateInFile, other: other}
			}
		}
	}
	return out
}
