package notebook

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goldenNotebooks are the example notebooks of notebooks/ and the feature notebook of
// testdata/: each is run over the fixed lake with its defaults and rendered in both formats.
var goldenNotebooks = []string{
	"../../notebooks/trajectories.md",
	"../../notebooks/caseload.md",
	"../../notebooks/safety.md",
	"testdata/features.md",
}

// TestGolden compares the rendered notebooks with testdata/golden/: Markdown exactly, HTML
// after normalising the numbers inside SVG to one decimal (coordinates may differ in the
// last digits between CPUs with and without fused multiply-add). Run with -update to
// rewrite the files, then review the diff.
func TestGolden(t *testing.T) {
	db := openDB(t)
	for _, path := range goldenNotebooks {
		name := strings.TrimSuffix(filepath.Base(path), ".md")
		t.Run(name, func(t *testing.T) {
			res, err := RunFile(t.Context(), db, path, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []Format{Markdown, HTML} {
				var b bytes.Buffer
				if err := res.Write(&b, f); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join("testdata", "golden", name+"."+string(f)), b.Bytes(), f == HTML)
			}
		})
	}
}

// compareGolden compares got with the golden file, or rewrites it under -update.
func compareGolden(t *testing.T, path string, got []byte, html bool) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if html {
		got, want = normaliseHTML(got), normaliseHTML(want)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered output (run go test -update and review the diff):\n%s", path, firstDiff(got, want))
	}
}

var (
	svgElement = regexp.MustCompile(`(?s)<svg.*?</svg>`)
	decimal    = regexp.MustCompile(`-?\d+\.\d+`)
)

// normaliseHTML rounds every decimal number inside <svg> elements to one decimal.
func normaliseHTML(b []byte) []byte {
	return svgElement.ReplaceAllFunc(b, func(svg []byte) []byte {
		return decimal.ReplaceAllFunc(svg, func(n []byte) []byte {
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return n
			}
			return []byte(strconv.FormatFloat(f, 'f', 1, 64))
		})
	})
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %.200s\nwant: %.200s", i+1, gl, wl)
		}
	}
	return "(same lines)"
}
