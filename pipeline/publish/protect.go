package publish

import (
	"context"
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// protectedGroup is a group of tables after disclosure control.
type protectedGroup struct {
	group
	Config disclosure.Config
	Result *disclosure.Result
}

// table returns the published table of the given name, or nil.
func (p *protectedGroup) table(name string) *disclosure.Table {
	for _, t := range p.Result.Tables {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// protect builds the public tables of s and suppresses each group in one disclosure.Suppress
// call. It runs twice: a responder share reveals both of its counts once one of them is
// known, so the second pass withholds the share of every row where the first pass suppressed
// the responders or the non-responders (the suppression pattern depends on the counts only,
// so the second pass suppresses the same cells).
func protect(ctx context.Context, cfg disclosure.Config, s *summary.Summary, v *vocabulary) ([]*protectedGroup, error) {
	first, err := suppressAll(ctx, cfg, s, v, nil)
	if err != nil {
		return nil, err
	}
	withheld := func(table string, levels ...string) bool {
		for _, p := range first {
			if t := p.table(table); t != nil {
				return t.Suppressed(levels...)
			}
		}
		return false
	}
	return suppressAll(ctx, cfg, s, v, withheld)
}

func suppressAll(ctx context.Context, cfg disclosure.Config, s *summary.Summary, v *vocabulary, withheld withheldFunc) ([]*protectedGroup, error) {
	groups, err := buildGroups(s, v, withheld, cfg.MinCell)
	if err != nil {
		return nil, err
	}
	var out []*protectedGroup
	for _, g := range groups {
		c := cfg
		c.SuppressZeros = g.SuppressZeros
		res, err := disclosure.Suppress(ctx, c, g.Tables...)
		if err != nil {
			return nil, fmt.Errorf("publish: %s: %w", g.Name, err)
		}
		out = append(out, &protectedGroup{group: g, Config: c, Result: res})
	}
	return out, nil
}

// published is the view of the protected tables that the public summary is made from.
type published struct {
	groups  []*protectedGroup
	minCell int
}

// lookup returns the published table named name, or nil.
func (p *published) lookup(name string) *disclosure.Table {
	for _, g := range p.groups {
		if t := g.table(name); t != nil {
			return t
		}
	}
	return nil
}
