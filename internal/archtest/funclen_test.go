package archtest

import (
	"go/ast"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// Limits of STYLE.md section 11 ("small functions"), in lines from a body's opening brace to
// its closing brace, over the non-test files walkGo reads (bench/ is left out: its programs
// are drivers, not library code).
const (
	maxFuncLines    = 80
	maxP90Lines     = 35
	maxCmdMedianLen = 15 // cmd/outcomes is flags and printing
)

// TestFunctionLength: no function is longer than maxFuncLines, the 90th percentile of the
// repository's function lengths is at most maxP90Lines, and cmd/outcomes' median is at most
// maxCmdMedianLen.
func TestFunctionLength(t *testing.T) {
	var all, cmd []int
	walkGoFset(t, func(fset *token.FileSet, path string, f *ast.File) {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			n := fset.Position(fn.Body.Rbrace).Line - fset.Position(fn.Body.Lbrace).Line + 1
			key := path + ":" + fn.Name.Name
			all = append(all, n)
			if strings.HasPrefix(path, "cmd/outcomes/") {
				cmd = append(cmd, n)
			}
			if n > maxFuncLines {
				t.Errorf("%s is %d lines (limit %d): split it into steps", key, n, maxFuncLines)
			}
		}
	})
	if p := percentile(all, 0.9); p > maxP90Lines {
		t.Errorf("90th percentile of function length is %d lines, limit %d", p, maxP90Lines)
	}
	if m := percentile(cmd, 0.5); m > maxCmdMedianLen {
		t.Errorf("median function length in cmd/outcomes is %d lines, limit %d: move logic into pipeline/", m, maxCmdMedianLen)
	}
}

// percentile returns the nearest-rank (lower) q-quantile of ns.
func percentile(ns []int, q float64) int {
	if len(ns) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ns))
	return s[int(q*float64(len(s)-1))]
}
