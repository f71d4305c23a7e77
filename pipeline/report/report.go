package report

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cstoutcomes/outcomes/internal/atomicfile"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// FileName is the name of the report Write writes.
const FileName = "report.html"

//go:embed report.html.tmpl
var pageTemplate string

//go:embed style.css
var styleSheet string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"css":   func() template.CSS { return template.CSS(styleSheet) },
	"count": count,
}).Parse(pageTemplate))

// Input is what a report is made from: the summary and the tables beside it that the plots
// need (nil when absent).
type Input struct {
	Summary *summary.Summary
	// Practitioners are tables/meta_practitioners.csv's rows.
	Practitioners []PractitionerRow
	// Trajectory and Changes are tables/trajectory.csv and tables/changes.csv; nil when the
	// summary was written without them.
	Trajectory []TrajectoryRow
	Changes    []ChangeRow
}

// Write reads the summary at summaryPath and the tables in the tables directory beside it,
// and writes outDir/report.html and each of its plots as outDir/plots/<id>.svg (for reuse in
// papers and slides). outDir is created if needed. The plots directory is written whole under
// a temporary name and swapped in, then report.html under a temporary name and renamed, so a
// reader never sees half a report. It returns the report's path.
func Write(summaryPath, outDir string) (string, error) {
	in, err := Load(summaryPath)
	if err != nil {
		return "", err
	}
	p, err := build(in)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	if err := writePlots(filepath.Join(outDir, PlotsDir), p.figures()); err != nil {
		return "", err
	}
	path := filepath.Join(outDir, FileName)
	return path, atomicfile.WriteFile(path, b.Bytes(), 0o644)
}

// PlotsDir is the directory beside report.html that Write puts the plots in.
const PlotsDir = "plots"

// figures returns every drawn plot of the page, in page order.
func (p *page) figures() []*figure {
	var all []*figure
	if p.Glance != nil {
		all = append(all, p.Glance)
	}
	for _, m := range p.Measures {
		all = append(all, m.Figures...)
	}
	all = append(all, p.Safety.Figures...)
	all = append(all, p.Quality.Figures...)
	var drawn []*figure
	for _, f := range all {
		if f.Missing == "" && f.SVG != "" {
			drawn = append(drawn, f)
		}
	}
	return drawn
}

// writePlots writes the figures as <id>.svg into a new directory and swaps it in for dir.
func writePlots(dir string, figs []*figure) error {
	return atomicfile.WriteDir(dir, func(d *atomicfile.Dir) error {
		for _, f := range figs {
			svg := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + string(f.SVG)
			if err := d.WriteFile(f.ID+".svg", []byte(svg), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// Load reads summary.json and the tables beside it.
func Load(summaryPath string) (*Input, error) {
	s, err := summary.Read(summaryPath)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	in := &Input{Summary: s}
	dir := filepath.Join(filepath.Dir(summaryPath), summary.TablesDir)
	if in.Practitioners, err = readTable(filepath.Join(dir, "meta_practitioners.csv"), parsePractitioner); err != nil {
		return nil, err
	}
	if in.Trajectory, err = readTable(filepath.Join(dir, summary.TrajectoryTable), parseTrajectory); err != nil {
		return nil, err
	}
	if in.Changes, err = readTable(filepath.Join(dir, summary.ChangesTable), parseChange); err != nil {
		return nil, err
	}
	return in, nil
}

// Render writes the report of in to w.
func Render(w io.Writer, in *Input) error {
	p, err := build(in)
	if err != nil {
		return err
	}
	return tmpl.Execute(w, p)
}

// readTable reads a CSV table with a header by its column names; a missing file gives nil.
func readTable[T any](path string, parse func(row map[string]string) (T, error)) ([]T, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	out := []T{}
	for i, rec := range recs[min(1, len(recs)):] {
		row := map[string]string{}
		for j, h := range recs[0] {
			if j < len(rec) {
				row[h] = rec[j]
			}
		}
		v, err := parse(row)
		if err != nil {
			return nil, fmt.Errorf("report: %s:%d: %w", path, i+2, err)
		}
		out = append(out, v)
	}
	return out, nil
}
