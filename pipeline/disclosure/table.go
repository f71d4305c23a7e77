package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// TotalLevel is the name of a dimension's grand-total level, in [Table.Set] and in the CSV.
const TotalLevel = "Total"

// Level is one category of a dimension. A level with Children is a subtotal: its count is
// the sum of its children's (complaint group → complaints).
type Level struct {
	Name     string
	Children []Level
}

// Dim is one classification of a table (complaint, modality, ...). Levels are its top-level
// categories; with Total set, the dimension also has a grand-total level [TotalLevel] that is
// the sum of the top-level categories. Level names are unique within a dimension, are not
// "Total", and contain no "/" (the CSV writes a level as its path, "group/leaf").
type Dim struct {
	Name   string
	Levels []Level
	Total  bool
}

// Flat returns a dimension with leaf levels only, and a total.
func Flat(name string, levels ...string) Dim {
	d := Dim{Name: name, Total: true}
	for _, l := range levels {
		d.Levels = append(d.Levels, Level{Name: l})
	}
	return d
}

// Grouped returns a dimension with a total whose leaves are grouped: leaf l goes into the
// group named group(l) ("" leaves it ungrouped), groups and leaves in order of first
// appearance. A group must not share a leaf's name (presenting_complaint's public_group
// "headache" holds the code "headache"): name groups apart, e.g. "headache_group", or
// [NewTable] refuses the dimension.
func Grouped(name string, leaves []string, group func(leaf string) string) Dim {
	d := Dim{Name: name, Total: true}
	at := map[string]int{}
	for _, l := range leaves {
		g := group(l)
		if g == "" {
			d.Levels = append(d.Levels, Level{Name: l})
			continue
		}
		k, ok := at[g]
		if !ok {
			k = len(d.Levels)
			at[g] = k
			d.Levels = append(d.Levels, Level{Name: g})
		}
		d.Levels[k].Children = append(d.Levels[k].Children, Level{Name: l})
	}
	return d
}

// node is one level of a dimension in pre-order (the total first, when there is one).
type node struct {
	name     string
	path     string // "group/leaf"; TotalLevel for the total
	parent   int    // -1 for a top level without a total, or the total itself
	children []int
}

// dimIndex is a dimension flattened to pre-order.
type dimIndex struct {
	name   string
	nodes  []node
	byName map[string]int
}

// stat is one statistic of one cell.
type stat struct {
	value      float64
	n          int
	set        bool
	suppressed bool
}

// Table is a cross-classification of counts over one or more dimensions, with all its
// margins: every combination of levels (leaves, subtotals and totals) is a cell. The counts of
// the original table are set with [Table.Set]; a published table (from [Suppress] or
// [ReadCSV]) holds no value for a suppressed cell.
//
// Statistics (a mean, a percentage, a test result) may be attached to any cell with
// [Table.SetStat]; each names the number of clients it was computed from.
type Table struct {
	name      string
	dims      []dimIndex
	stride    []int
	count     []int64
	set       []bool
	sup       []bool
	sensitive []bool // marked sensitive whatever the count (MarkSensitive)
	statNames []string
	stats     [][]stat // by statistic, then cell
}

// NewTable returns an empty table (all counts unset) over dims.
func NewTable(name string, dims ...Dim) (*Table, error) {
	if name == "" || len(dims) == 0 {
		return nil, fmt.Errorf("%w: a table needs a name and at least one dimension", ErrTable)
	}
	t := &Table{name: name}
	seen := map[string]bool{}
	size := 1
	for _, d := range dims {
		if d.Name == "" || seen[d.Name] {
			return nil, fmt.Errorf("%w: table %s: dimension name %q empty or repeated", ErrTable, name, d.Name)
		}
		seen[d.Name] = true
		di, err := indexDim(d)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		t.dims = append(t.dims, di)
		size *= len(di.nodes)
	}
	t.stride = make([]int, len(dims))
	s := 1
	for i := len(dims) - 1; i >= 0; i-- {
		t.stride[i] = s
		s *= len(t.dims[i].nodes)
	}
	t.count = make([]int64, size)
	t.set = make([]bool, size)
	t.sup = make([]bool, size)
	t.sensitive = make([]bool, size)
	return t, nil
}

func indexDim(d Dim) (dimIndex, error) {
	di := dimIndex{name: d.Name, byName: map[string]int{}}
	if len(d.Levels) == 0 {
		return di, fmt.Errorf("%w: dimension %s has no levels", ErrTable, d.Name)
	}
	root := -1
	if d.Total {
		di.nodes = append(di.nodes, node{name: TotalLevel, path: TotalLevel, parent: -1})
		di.byName[TotalLevel] = 0
		root = 0
	}
	var add func(l Level, parent int, prefix string) error
	add = func(l Level, parent int, prefix string) error {
		if l.Name == "" || l.Name == TotalLevel || strings.Contains(l.Name, "/") {
			return fmt.Errorf("%w: dimension %s: level name %q is empty, reserved or contains /", ErrTable, d.Name, l.Name)
		}
		if _, dup := di.byName[l.Name]; dup {
			return fmt.Errorf("%w: dimension %s: level %q appears twice", ErrTable, d.Name, l.Name)
		}
		i := len(di.nodes)
		di.nodes = append(di.nodes, node{name: l.Name, path: prefix + l.Name, parent: parent})
		di.byName[l.Name] = i
		if parent >= 0 {
			di.nodes[parent].children = append(di.nodes[parent].children, i)
		}
		for _, c := range l.Children {
			if err := add(c, i, prefix+l.Name+"/"); err != nil {
				return err
			}
		}
		return nil
	}
	for _, l := range d.Levels {
		if err := add(l, root, ""); err != nil {
			return di, err
		}
	}
	return di, nil
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Dims returns the names of the table's dimensions, in order.
func (t *Table) Dims() []string {
	out := make([]string, len(t.dims))
	for i, d := range t.dims {
		out[i] = d.name
	}
	return out
}

// Stats returns the names of the table's statistics, in the order they were first set.
func (t *Table) Stats() []string { return append([]string(nil), t.statNames...) }

// cell returns the index of the cell with the given level names, one per dimension.
func (t *Table) cell(levels []string) (int, error) {
	if len(levels) != len(t.dims) {
		return 0, fmt.Errorf("%w: table %s: %d levels given for %d dimensions", ErrTable, t.name, len(levels), len(t.dims))
	}
	idx := 0
	for i, l := range levels {
		k, ok := t.dims[i].byName[l]
		if !ok {
			return 0, fmt.Errorf("%w: table %s: dimension %s has no level %q", ErrTable, t.name, t.dims[i].name, l)
		}
		idx += k * t.stride[i]
	}
	return idx, nil
}

// coords returns the node index in each dimension of cell i.
func (t *Table) coords(i int) []int {
	c := make([]int, len(t.dims))
	for d := range t.dims {
		c[d] = i / t.stride[d] % len(t.dims[d].nodes)
	}
	return c
}

// label returns "dim=level, dim=level" for cell i, for messages.
func (t *Table) label(i int) string {
	var b strings.Builder
	for d, k := range t.coords(i) {
		if d > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.dims[d].name + "=" + t.dims[d].nodes[k].name)
	}
	return b.String()
}

// levels returns the level names of cell i.
func (t *Table) levels(i int) []string {
	c := t.coords(i)
	out := make([]string, len(c))
	for d, k := range c {
		out[d] = t.dims[d].nodes[k].name
	}
	return out
}

// isLeaf reports whether every coordinate of cell i is a leaf level.
func (t *Table) isLeaf(i int) bool {
	for d, k := range t.coords(i) {
		if len(t.dims[d].nodes[k].children) > 0 {
			return false
		}
	}
	return true
}

// Set sets the count of the cell with the given level names (one per dimension, in order;
// [TotalLevel] for a total). Leaf cells left unset count as zero; margins left unset are
// computed from the leaves, and margins that are set must equal that sum ([Suppress] checks).
func (t *Table) Set(count int64, levels ...string) error {
	i, err := t.cell(levels)
	if err != nil {
		return err
	}
	if count < 0 {
		return fmt.Errorf("%w: table %s: cell %s: negative count %d", ErrTable, t.name, t.label(i), count)
	}
	t.count[i], t.set[i] = count, true
	return nil
}

// MarkSensitive makes the cell with the given levels a primary suppression whatever its count:
// for a count of events or sessions that comes from fewer than MinCell individuals, which
// the count alone does not show (twelve sessions of one client).
func (t *Table) MarkSensitive(levels ...string) error {
	i, err := t.cell(levels)
	if err != nil {
		return err
	}
	t.sensitive[i] = true
	return nil
}

// SetStat attaches the statistic name (a mean, a percentage, a p value) with value v, computed
// from n clients, to the cell with the given levels. NaN means undefined and is published
// as an empty field. The statistic is suppressed when n is below the threshold or the cell's
// count is suppressed.
func (t *Table) SetStat(name string, v float64, n int, levels ...string) error {
	i, err := t.cell(levels)
	if err != nil {
		return err
	}
	if name == "" || n < 0 || math.IsInf(v, 0) {
		return fmt.Errorf("%w: table %s: cell %s: statistic %q with n=%d, value %v", ErrTable, t.name, t.label(i), name, n, v)
	}
	s := t.statIndex(name)
	t.stats[s][i] = stat{value: v, n: n, set: true}
	return nil
}

func (t *Table) statIndex(name string) int {
	for k, s := range t.statNames {
		if s == name {
			return k
		}
	}
	t.statNames = append(t.statNames, name)
	t.stats = append(t.stats, make([]stat, len(t.count)))
	return len(t.statNames) - 1
}

// Count returns the count of a cell; ok is false when the cell is suppressed or the levels
// name no cell.
func (t *Table) Count(levels ...string) (n int64, ok bool) {
	i, err := t.cell(levels)
	if err != nil || t.sup[i] {
		return 0, false
	}
	return t.count[i], true
}

// Suppressed reports whether the cell's count is suppressed.
func (t *Table) Suppressed(levels ...string) bool {
	i, err := t.cell(levels)
	return err == nil && t.sup[i]
}

// Stat returns a statistic of a cell; ok is false when it is suppressed, undefined (NaN) or
// not set.
func (t *Table) Stat(name string, levels ...string) (v float64, ok bool) {
	i, err := t.cell(levels)
	if err != nil {
		return 0, false
	}
	for k, s := range t.statNames {
		if s == name {
			st := t.stats[k][i]
			return st.value, st.set && !st.suppressed && !math.IsNaN(st.value)
		}
	}
	return 0, false
}

// complete fills unset margins with the sum of their leaves and checks set margins. It
// returns ErrInconsistent naming the first cell whose count is not that sum.
func (t *Table) complete() error {
	sum := make([]int64, len(t.count))
	for i := range t.count {
		if !t.isLeaf(i) {
			continue
		}
		t.forAncestors(t.coords(i), 0, 0, func(j int) { sum[j] += t.count[i] })
	}
	for i := range t.count {
		if t.isLeaf(i) {
			continue
		}
		if t.set[i] && t.count[i] != sum[i] {
			return fmt.Errorf("%w: table %s: cell %s is %d, but its parts sum to %d", ErrInconsistent, t.name, t.label(i), t.count[i], sum[i])
		}
		t.count[i], t.set[i] = sum[i], true
	}
	for i := range t.set {
		t.set[i] = true
	}
	return nil
}

// forAncestors calls f for every cell whose coordinate in each dimension is the given one or
// one of its ancestors (the cell itself included).
func (t *Table) forAncestors(c []int, d, idx int, f func(int)) {
	if d == len(c) {
		f(idx)
		return
	}
	for k := c[d]; k >= 0; k = t.dims[d].nodes[k].parent {
		t.forAncestors(c, d+1, idx+k*t.stride[d], f)
	}
}

// constraints returns the table's linear constraints, each as the cell of a total followed by
// the cells of its parts: total = sum of parts.
func (t *Table) constraints() [][]int {
	var out [][]int
	for i := range t.count {
		c := t.coords(i)
		for d, k := range c {
			ch := t.dims[d].nodes[k].children
			if len(ch) == 0 {
				continue
			}
			row := []int{i}
			for _, kc := range ch {
				row = append(row, i+(kc-k)*t.stride[d])
			}
			out = append(out, row)
		}
	}
	return out
}

// key returns the cell's identity across tables: its non-total levels, by dimension name.
func (t *Table) key(i int) string {
	var parts []string
	for d, k := range t.coords(i) {
		if t.dims[d].nodes[k].name != TotalLevel {
			parts = append(parts, t.dims[d].name+"="+t.dims[d].nodes[k].name)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x00")
}

// clone returns a deep copy of t.
func (t *Table) clone() *Table {
	c := *t
	c.count = append([]int64(nil), t.count...)
	c.set = append([]bool(nil), t.set...)
	c.sup = append([]bool(nil), t.sup...)
	c.sensitive = append([]bool(nil), t.sensitive...)
	c.statNames = append([]string(nil), t.statNames...)
	c.stats = make([][]stat, len(t.stats))
	for k := range t.stats {
		c.stats[k] = append([]stat(nil), t.stats[k]...)
	}
	return &c
}
