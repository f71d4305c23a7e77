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

// dupIndex keeps, for every accepted row of the first pass, a 64-bit hash of its natural key
// and of its values: 24 bytes a row, the only state of the ingest that grows with the file.
type dupIndex struct {
	seed    maphash.Seed
	buf     []byte
	entries []dupEntry
}

type dupEntry struct {
	key, row uint64
	line     int
}

func newDupIndex() *dupIndex { return &dupIndex{seed: maphash.MakeSeed()} }

func (d *dupIndex) add(s *schema.Session, line int) {
	d.buf = appendKey(d.buf[:0], s)
	key := maphash.Bytes(d.seed, d.buf)
	d.buf = appendValues(d.buf, s)
	d.entries = append(d.entries, dupEntry{key: key, row: maphash.Bytes(d.seed, d.buf), line: line})
}

// suspects returns the lines of rows whose key hash is shared with another row, in file order.
// Usually none: then the first pass was the only one.
func (d *dupIndex) suspects() map[int]bool {
	e := d.entries
	slices.SortFunc(e, func(a, b dupEntry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	var out map[int]bool
	for i := 0; i < len(e); {
		j := i + 1
		for j < len(e) && e[j].key == e[i].key {
			j++
		}
		if j-i > 1 {
			if out == nil {
				out = make(map[int]bool)
			}
			for _, x := range e[i:j] {
				out[x.line] = true
			}
		}
		i = j
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

func (d decision) violation(path string, line int) schema.Violation {
	v := schema.Violation{File: path, Line: line, Rule: d.rule}
	switch d.rule {
	case schema.RuleDuplicateInFile:
		v.Message = fmt.Sprintf("line %d repeats line %d exactly; the first is kept", line, d.other)
	case schema.RuleConflictInFile:
		v.Message = fmt.Sprintf("line %d has the same practitioner, client and session_number as line %d but other values; all such rows are quarantined until the export is corrected", line, d.other)
	}
	return v
}

// confirm re-reads the file and decides the suspects by their exact encodings: among rows
// with one natural key, if all are equal the first is kept and the rest are duplicates; if
// any differ, all are conflicts. Suspects whose key only collided in the hash are kept.
func confirm(ctx context.Context, path string, opt Options, suspects map[int]bool) (map[int]decision, error) {
	rd, err := source.Open(path, opt.Source)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	m, err := opt.Schema.Map(rd.Header())
	if err != nil {
		return nil, fileContext(path, err)
	}
	val := opt.Schema.NewValidator(path, m, opt.Validate)
	type member struct {
		line int
		row  string
	}
	groups := map[string][]member{}
	var order []string
	var buf []byte
	for n := 0; ; n++ {
		if n%opt.BatchRows == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if rec.Err != nil || !suspects[rec.Line] {
			continue
		}
		sess, viols := val.Validate(rec.Line, rec.Fields)
		if schema.Classify(sess, viols) != schema.Accepted {
			continue
		}
		buf = appendKey(buf[:0], &sess)
		key := string(buf)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], member{rec.Line, string(appendValues(buf[:0], &sess))})
	}
	out := make(map[int]decision)
	for _, key := range order {
		g := groups[key]
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
	return out, nil
}
