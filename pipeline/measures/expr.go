package measures

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// ErrNotExpression is returned for a rule that is not an expression of the supported forms
// (such as pain_ladder's list of bands).
var ErrNotExpression = errors.New("measures: rule is not an expression")

// Expr is a parsed rule or evaluability condition.
type Expr struct {
	text string
	root node
}

// String returns the expression's source text.
func (e *Expr) String() string { return e.text }

// value is the result of a node: a rational or a truth value.
type value struct {
	num    *big.Rat
	truth  bool
	isBool bool
	undef  bool // a division by zero happened below: comparisons with it are false
}

type node interface {
	eval(env map[string]*big.Rat) (value, error)
}

type numNode struct{ v *big.Rat }
type nameNode struct{ name string }
type binNode struct {
	op   string
	l, r node
}

func (n numNode) eval(map[string]*big.Rat) (value, error) { return value{num: n.v}, nil }

func (n nameNode) eval(env map[string]*big.Rat) (value, error) {
	v, ok := env[n.name]
	if !ok {
		return value{}, fmt.Errorf("measures: unknown name %q", n.name)
	}
	return value{num: v}, nil
}

func (n binNode) eval(env map[string]*big.Rat) (value, error) {
	l, err := n.l.eval(env)
	if err != nil {
		return l, err
	}
	r, err := n.r.eval(env)
	if err != nil {
		return r, err
	}
	switch n.op {
	case "AND", "OR":
		if !l.isBool || !r.isBool {
			return value{}, fmt.Errorf("measures: %s needs truth values", n.op)
		}
		if n.op == "AND" {
			return value{isBool: true, truth: l.truth && r.truth}, nil
		}
		return value{isBool: true, truth: l.truth || r.truth}, nil
	}
	if l.isBool || r.isBool {
		return value{}, fmt.Errorf("measures: %s needs numbers", n.op)
	}
	if l.undef || r.undef {
		if isComparison(n.op) {
			return value{isBool: true}, nil
		}
		return value{undef: true}, nil
	}
	return arith(n.op, l.num, r.num), nil
}

func isComparison(op string) bool {
	switch op {
	case "<", "<=", ">", ">=", "==", "!=":
		return true
	}
	return false
}

func arith(op string, a, b *big.Rat) value {
	switch op {
	case "+":
		return value{num: new(big.Rat).Add(a, b)}
	case "-":
		return value{num: new(big.Rat).Sub(a, b)}
	case "*":
		return value{num: new(big.Rat).Mul(a, b)}
	case "/":
		if b.Sign() == 0 {
			return value{undef: true}
		}
		return value{num: new(big.Rat).Quo(a, b)}
	}
	c := a.Cmp(b)
	t := map[string]bool{"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "==": c == 0, "!=": c != 0}[op]
	return value{isBool: true, truth: t}
}

// ParseExpr parses an expression of the package's language; "always" parses to true.
func ParseExpr(text string) (*Expr, error) {
	if strings.TrimSpace(text) == "always" {
		return &Expr{text: text, root: binNode{op: "==", l: numNode{new(big.Rat)}, r: numNode{new(big.Rat)}}}, nil
	}
	toks, err := tokenize(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, text: text}
	root, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("%w: %q: unexpected %q", ErrNotExpression, text, p.toks[p.pos])
	}
	return &Expr{text: text, root: root}, nil
}

// Eval evaluates a boolean expression with the given names bound.
func (e *Expr) Eval(env map[string]*big.Rat) (bool, error) {
	v, err := e.root.eval(env)
	if err != nil {
		return false, fmt.Errorf("%w (in %q)", err, e.text)
	}
	if !v.isBool {
		return false, fmt.Errorf("measures: %q is not a condition", e.text)
	}
	return v.truth, nil
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case strings.ContainsRune("()+-*/", c):
			toks = append(toks, string(c))
			i++
		case strings.ContainsRune("<>=!", c):
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, s[i:i+2])
				i += 2
			} else if c == '<' || c == '>' {
				toks = append(toks, string(c))
				i++
			} else {
				return nil, fmt.Errorf("%w: %q: bad operator at %d", ErrNotExpression, s, i)
			}
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("%w: %q: unexpected %q at %d", ErrNotExpression, s, c, i)
		}
	}
	return toks, nil
}

var precedence = map[string]int{"OR": 1, "AND": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "/": 5}

type parser struct {
	toks []string
	pos  int
	text string
}

// parse is a precedence-climbing parser of binary operators over primaries.
func (p *parser) parse(minPrec int) (node, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.pos < len(p.toks) {
		op := p.toks[p.pos]
		prec, ok := precedence[op]
		if !ok || prec < minPrec {
			break
		}
		p.pos++
		right, err := p.parse(prec + 1)
		if err != nil {
			return nil, err
		}
		left = binNode{op: op, l: left, r: right}
	}
	return left, nil
}

func (p *parser) primary() (node, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%w: %q: unexpected end", ErrNotExpression, p.text)
	}
	t := p.toks[p.pos]
	p.pos++
	switch {
	case t == "(":
		n, err := p.parse(0)
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos] != ")" {
			return nil, fmt.Errorf("%w: %q: missing )", ErrNotExpression, p.text)
		}
		p.pos++
		return n, nil
	case t == "-":
		n, err := p.primary()
		if err != nil {
			return nil, err
		}
		return binNode{op: "-", l: numNode{new(big.Rat)}, r: n}, nil
	case t[0] >= '0' && t[0] <= '9' || t[0] == '.':
		v, ok := new(big.Rat).SetString(t)
		if !ok {
			return nil, fmt.Errorf("%w: %q: bad number %q", ErrNotExpression, p.text, t)
		}
		return numNode{v}, nil
	case precedence[t] != 0 || t == ")":
		return nil, fmt.Errorf("%w: %q: unexpected %q", ErrNotExpression, p.text, t)
	default:
		return nameNode{t}, nil
	}
}

// Exact returns x as a rational: a multiple of 1/12 when x is within 1e-9 of one (integer
// scores and MYMOP profiles, means of 3 or 4 integers), else the shortest decimal that reads
// back as x. NaN and ±Inf give nil.
func Exact(x float64) *big.Rat {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	if k := math.Round(x * 12); math.Abs(x*12-k) <= 12e-9 {
		return big.NewRat(int64(k), 12)
	}
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	return r
}
