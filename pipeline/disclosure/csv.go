package disclosure

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Marker is what the CSV holds in place of a suppressed count or statistic. An undefined or
// absent statistic is an empty field, so "*" always means "withheld for confidentiality".
const Marker = "*"

// CountColumn is the header of the count column.
const CountColumn = "count"

// WriteCSV writes a published table as CSV (RFC 4180, \n line ends), one row per cell in the
// table's order, margins included:
//
//	complaint,modality,count,mean_change
//	Total,Total,120,-1.8
//	headache,Total,40,-2.1
//	headache/migraine,CST,*,*
//
// The columns are the dimensions, then [CountColumn], then the statistics. A level is written
// as its path from the top of its dimension ("group/leaf"), and a dimension's grand total as
// [TotalLevel], so the file carries the whole table structure and [ReadCSV] can rebuild the
// constraints that [Audit] needs. A suppressed count or statistic is [Marker]; a statistic
// that is undefined or not given is empty; numbers are written with
// strconv.FormatFloat(x, 'g', -1, 64).
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append(t.Dims(), CountColumn), t.statNames...)); err != nil {
		return err
	}
	for i := range t.count {
		rec := make([]string, 0, len(t.dims)+1+len(t.stats))
		for d, k := range t.coords(i) {
			rec = append(rec, t.dims[d].nodes[k].path)
		}
		if t.sup[i] {
			rec = append(rec, Marker)
		} else {
			rec = append(rec, strconv.FormatInt(t.count[i], 10))
		}
		for k := range t.stats {
			rec = append(rec, formatStat(t.stats[k][i]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatStat(s stat) string {
	switch {
	case s.suppressed:
		return Marker
	case !s.set || math.IsNaN(s.value):
		return ""
	}
	return strconv.FormatFloat(s.value, 'g', -1, 64)
}

// ReadCSV reads a table written by [WriteCSV] and returns it as a published table named
// name, ready for [Audit]. Every cell of the table (every combination of levels) must appear
// exactly once. Errors wrap ErrTable and give the line.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: table %s: %v", ErrTable, name, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%w: table %s: no header or no rows", ErrTable, name)
	}
	head := recs[0]
	nd := -1
	for i, h := range head {
		if h == CountColumn {
			nd = i
			break
		}
	}
	if nd < 1 {
		return nil, fmt.Errorf("%w: table %s: line 1: no %q column after the dimensions", ErrTable, name, CountColumn)
	}
	dims := make([]Dim, nd)
	for d := range nd {
		paths := make([]string, 0, len(recs)-1)
		for _, rec := range recs[1:] {
			paths = append(paths, rec[d])
		}
		dims[d] = dimFromPaths(head[d], paths)
	}
	if cells := cellCount(dims); cells != len(recs)-1 {
		return nil, fmt.Errorf("%w: table %s: %d rows for a table of %d cells", ErrTable, name, len(recs)-1, cells)
	}
	t, err := NewTable(name, dims...)
	if err != nil {
		return nil, err
	}
	for _, s := range head[nd+1:] {
		t.statIndex(s)
	}
	seen := make([]bool, len(t.count))
	for n, rec := range recs[1:] {
		if err := t.readRow(rec, nd, seen); err != nil {
			return nil, fmt.Errorf("%w: table %s: line %d: %v", ErrTable, name, n+2, err)
		}
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("%w: table %s: no row for cell %s", ErrTable, name, t.label(i))
		}
	}
	return t, nil
}

// readRow stores one CSV row in its cell.
func (t *Table) readRow(rec []string, nd int, seen []bool) error {
	levels := make([]string, nd)
	for d := range nd {
		levels[d] = rec[d][strings.LastIndex(rec[d], "/")+1:]
	}
	i, err := t.cell(levels)
	if err != nil {
		return err
	}
	if seen[i] {
		return errors.New("cell appears twice")
	}
	seen[i], t.set[i] = true, true
	if rec[nd] == Marker {
		t.sup[i] = true
	} else if t.count[i], err = strconv.ParseInt(rec[nd], 10, 64); err != nil || t.count[i] < 0 {
		return fmt.Errorf("column %s: count is not %s or a non-negative integer", CountColumn, Marker)
	}
	for k := range t.stats {
		f := rec[nd+1+k]
		st := &t.stats[k][i]
		switch f {
		case Marker:
			st.set, st.suppressed, st.value = true, true, math.NaN()
		case "":
		default:
			if st.value, err = strconv.ParseFloat(f, 64); err != nil {
				return fmt.Errorf("column %s: not %s, empty or a number", t.statNames[k], Marker)
			}
			st.set = true
		}
	}
	return nil
}

// dimFromPaths rebuilds a dimension from the level paths of a CSV column, in order of first
// appearance; a parent that only appears as a prefix is created where first seen.
func dimFromPaths(name string, paths []string) Dim {
	d := Dim{Name: name}
	type entry struct {
		level    *Level
		children []string
	}
	nodes := map[string]*entry{}
	var top []string
	var ensure func(p string)
	ensure = func(p string) {
		if _, ok := nodes[p]; ok {
			return
		}
		nodes[p] = &entry{level: &Level{Name: p[strings.LastIndex(p, "/")+1:]}}
		if k := strings.LastIndex(p, "/"); k >= 0 {
			ensure(p[:k])
			nodes[p[:k]].children = append(nodes[p[:k]].children, p)
		} else {
			top = append(top, p)
		}
	}
	for _, p := range paths {
		if p == TotalLevel {
			d.Total = true
			continue
		}
		ensure(p)
	}
	var build func(p string) Level
	build = func(p string) Level {
		l := *nodes[p].level
		for _, c := range nodes[p].children {
			l.Children = append(l.Children, build(c))
		}
		return l
	}
	for _, p := range top {
		d.Levels = append(d.Levels, build(p))
	}
	return d
}

// cellCount returns the number of cells of a table over dims, or -1 when it exceeds 1<<30.
func cellCount(dims []Dim) int {
	var levels func([]Level) int
	levels = func(ls []Level) int {
		n := len(ls)
		for _, l := range ls {
			n += levels(l.Children)
		}
		return n
	}
	n := 1
	for _, d := range dims {
		k := levels(d.Levels)
		if d.Total {
			k++
		}
		if n *= k; n > 1<<30 {
			return -1
		}
	}
	return n
}
