package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
)

// Verify checks a bundle on its own: every file of manifest.json is there with its SHA-256
// and nothing else is; every CSV belongs to an audit group; each group's tables, read back
// with disclosure.ReadCSV, pass disclosure.Check and disclosure.Audit under the manifest's
// rule; and no file holds a run of 32 hex digits (a pseudonymous key). It returns nil, or an
// error wrapping ErrVerify that lists every problem found. It checks ctx between groups.
func Verify(ctx context.Context, dir string) error {
	mb, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVerify, err)
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrVerify, ManifestFile, err)
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if m.Format != FormatVersion {
		add("%s: format %d, want %d", ManifestFile, m.Format, FormatVersion)
	}
	files := checkFiles(dir, &m, add)
	if err := auditGroups(ctx, dir, &m, add); err != nil {
		return err
	}
	if err := scanKeys(files, m.PlanSHA256); err != nil {
		add("%v", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s: %s", ErrVerify, dir, strings.Join(problems, "; "))
	}
	return nil
}

// checkFiles compares the directory with the manifest's file list and returns the files it
// could read.
func checkFiles(dir string, m *Manifest, add func(string, ...any)) []file {
	var files []file
	listed := map[string]bool{ManifestFile: true}
	for _, f := range m.Files {
		listed[f.Path] = true
		if f.Path != filepath.Base(f.Path) || f.Path == "." || f.Path == ".." {
			add("%s: not a file name of the bundle", f.Path)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			add("%s: %v", f.Path, err)
			continue
		}
		if got := sha256Hex(data); got != f.SHA256 {
			add("%s: changed: sha256 %s, manifest says %s", f.Path, got, f.SHA256)
		}
		files = append(files, file{f.Path, data})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		add("%v", err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			add("%s: not in the manifest", e.Name())
		}
	}
	return files
}

// auditGroups reruns the disclosure check and audit on each group of tables; problems with
// the tables are added, and only a cancelled context is returned.
func auditGroups(ctx context.Context, dir string, m *Manifest, add func(string, ...any)) error {
	grouped := map[string]bool{}
	for _, g := range m.Groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		cfg := m.config(g)
		var tables []*disclosure.Table
		for _, name := range g.Tables {
			grouped[name] = true
			t, err := readTable(dir, name)
			if err != nil {
				add("%s: %v", name, err)
				continue
			}
			if err := disclosure.Check(cfg, t); err != nil {
				add("%s: %v", name, err)
				continue
			}
			tables = append(tables, t)
		}
		if len(tables) == 0 {
			continue
		}
		rep, err := disclosure.Audit(ctx, cfg, tables...)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			add("audit group %s: %v", g.Name, err)
			continue
		}
		if err := rep.Err(); err != nil {
			add("audit group %s: %v", g.Name, err)
		}
	}
	for _, f := range m.Files {
		if strings.HasSuffix(f.Path, ".csv") && !grouped[f.Path] {
			add("%s: a table in no audit group", f.Path)
		}
	}
	return nil
}

func readTable(dir, name string) (*disclosure.Table, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return disclosure.ReadCSV(bytes.NewReader(data), strings.TrimSuffix(name, ".csv"))
}
