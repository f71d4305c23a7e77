package disclosure

import "fmt"

// system is the linear model of one or more tables: one variable per distinct cell (cells of
// different tables with the same key are one variable) and the equations total = sum of parts.
type system struct {
	tables []*Table
	vars   []cellRef   // the first table cell of each variable
	of     [][]int     // of[table][cell] = variable
	value  []int64     // the variable's count (0 when unknown)
	known  []bool      // published (not suppressed)
	rows   [][]term    // each row: sum coef*var = 0
	cells  [][]cellRef // every table cell of each variable
}

type cellRef struct{ table, cell int }

type term struct {
	v    int
	coef float64
}

// newSystem links the tables' cells by key and collects their constraints. Suppressed cells
// are unknown; a shared cell must have the same count (or be suppressed) in every table.
func newSystem(tables []*Table) (*system, error) {
	s := &system{tables: tables, of: make([][]int, len(tables))}
	byKey := map[string]int{}
	for ti, t := range tables {
		s.of[ti] = make([]int, len(t.count))
		for i := range t.count {
			k := t.key(i)
			v, ok := byKey[k]
			if !ok {
				v = len(s.vars)
				byKey[k] = v
				s.vars = append(s.vars, cellRef{ti, i})
				s.cells = append(s.cells, nil)
				s.value = append(s.value, t.count[i])
				s.known = append(s.known, !t.sup[i])
			} else if err := s.link(v, ti, i); err != nil {
				return nil, err
			}
			s.of[ti][i] = v
			s.cells[v] = append(s.cells[v], cellRef{ti, i})
		}
	}
	for ti, t := range tables {
		for _, c := range t.constraints() {
			row := []term{{s.of[ti][c[0]], 1}}
			for _, p := range c[1:] {
				row = append(row, term{s.of[ti][p], -1})
			}
			s.rows = append(s.rows, row)
		}
	}
	return s, nil
}

// link adds cell i of table ti to variable v, which another table holds. A cell published in
// any table is known (published in one and suppressed in another is published); two
// published counts of one cell must agree.
func (s *system) link(v, ti, i int) error {
	t := s.tables[ti]
	if t.sup[i] {
		return nil
	}
	if s.known[v] && t.count[i] != s.value[v] {
		first := s.tables[s.vars[v].table]
		return fmt.Errorf("%w: cell %s is %d in table %s but %d in table %s", ErrInconsistent, t.label(i),
			t.count[i], t.name, s.value[v], first.name)
	}
	s.known[v], s.value[v] = true, t.count[i]
	return nil
}

// label names variable v by its first table and cell.
func (s *system) label(v int) string {
	r := s.vars[v]
	return s.tables[r.table].name + ": " + s.tables[r.table].label(r.cell)
}
