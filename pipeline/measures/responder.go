package measures

import (
	"fmt"
	"math/big"
	"sync"
)

// Outcome is the result of a responder rule for one pair of values.
type Outcome int

const (
	NotEvaluable Outcome = iota // the evaluable_if condition is false (e.g. before = 0 for a % rule)
	NotMet                      // evaluable, rule false
	Met                         // evaluable, rule true
)

type compiled struct {
	once       sync.Once
	rule, eval *Expr
	err        error
}

var cache sync.Map // *Responder → *compiled

func (r *Responder) compile() (*Expr, *Expr, error) {
	c, _ := cache.LoadOrStore(r, &compiled{})
	cc := c.(*compiled)
	cc.once.Do(func() {
		if cc.rule, cc.err = ParseExpr(r.Rule); cc.err != nil {
			cc.err = fmt.Errorf("responder %s: %w", r.ID, cc.err)
			return
		}
		if cc.eval, cc.err = ParseExpr(r.EvaluableIf); cc.err != nil {
			cc.err = fmt.Errorf("responder %s evaluable_if: %w", r.ID, cc.err)
		}
	})
	return cc.rule, cc.eval, cc.err
}

// Check reports whether the rule and its condition are expressions this package evaluates.
func (r *Responder) Check() error {
	_, _, err := r.compile()
	return err
}

// Evaluate applies the rule to the earlier value before and the later value after (exact
// arithmetic, see the package documentation): NotEvaluable when evaluable_if is false,
// else Met or NotMet. Names: before, after, and <field>_before, <field>_after.
func (r *Responder) Evaluate(before, after *big.Rat) (Outcome, error) {
	rule, cond, err := r.compile()
	if err != nil {
		return NotEvaluable, err
	}
	env := map[string]*big.Rat{"before": before, "after": after,
		r.Field + "_before": before, r.Field + "_after": after}
	ok, err := cond.Eval(env)
	if err != nil || !ok {
		return NotEvaluable, err
	}
	met, err := rule.Eval(env)
	if err != nil {
		return NotEvaluable, err
	}
	if met {
		return Met, nil
	}
	return NotMet, nil
}

// EvaluateMirrored applies the rule in the worse direction: to before and the value mirrored
// about it, 2·before − after, so that a rule for a fall of at least k (or k%) of the baseline
// becomes a rule for a rise of at least k (or k%) of the baseline. Evaluability is that of
// the original rule at before.
func (r *Responder) EvaluateMirrored(before, after *big.Rat) (Outcome, error) {
	m := new(big.Rat).Mul(before, big.NewRat(2, 1))
	return r.Evaluate(before, m.Sub(m, after))
}
