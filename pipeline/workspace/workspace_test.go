package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

func TestInitOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	if _, err := Open(dir); exit.Code(err) != exit.Usage {
		t.Fatalf("Open of a missing workspace: %v, want a usage error", err)
	}
	w, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	key1, err := w.Key("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Init(dir); err != nil {
		t.Fatalf("Init of an existing workspace: %v", err)
	}
	key2, _ := w.Key("")
	if string(key1) != string(key2) {
		t.Error("a second Init replaced the key")
	}
	got := w.Config
	if len(got.Notebooks) == 0 {
		got.Notebooks = nil // the file says [], the default is nil: the same empty list
	}
	if !reflect.DeepEqual(got, DefaultConfig()) {
		t.Errorf("the written outcomes.yaml does not read back as the defaults:\n%+v\n%+v", w.Config, DefaultConfig())
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "quarantine:\n  alert_shar: 0.1\n", "alert_shar"},
		{"bad duration", "inbox:\n  settle: soon\n", "not a duration"},
		{"threshold too low", "disclosure:\n  min_cell: 2\n", "min_cell is 2"},
		{"share out of range", "quarantine:\n  alert_share: 5\n", "alert_share"},
		{"date format", "ingest:\n  date_format: european\n", `ingest.date_format: "european" is not a date format; write it as dd/mm/yyyy`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ConfigFile)
			os.WriteFile(path, []byte(tt.yaml), 0o644)
			_, err := LoadConfig(path)
			if exit.Code(err) != exit.Usage || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig: %v, want a usage error naming %q", err, tt.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), ConfigFile)
	os.WriteFile(path, []byte("ingest:\n  date_format: dd/mm/yyyy\ninbox:\n  settle: 5m\nnotebooks: [a.md]\n"), 0o644)
	cfg, err := LoadConfig(path)
	if err != nil || time.Duration(cfg.Inbox.Settle) != 5*time.Minute || len(cfg.Notebooks) != 1 || cfg.Archive.KeepDays != 30 || cfg.Ingest.DateFormat != "dd/mm/yyyy" {
		t.Errorf("LoadConfig = %+v, %v", cfg, err)
	}
}

// TestFindErrors: a directory that is not a workspace is a usage error that names the flag
// or variable that chose it and the path, and suggests `outcomes init` only for a missing or
// empty directory.
func TestFindErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	empty := filepath.Join(root, "empty")
	full := filepath.Join(root, "full")
	os.WriteFile(file, []byte("x"), 0o644)
	os.Mkdir(empty, 0o755)
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("x"), 0o644)
	missing := filepath.Join(root, "missing")
	tests := []struct {
		name, flag, env string
		want            []string
		init            bool
	}{
		{"missing flag", missing, "", []string{"--workspace " + missing + ": not a workspace", "no such directory"}, true},
		{"missing env", "", missing, []string{"$OUTCOMES_HOME=" + missing + ": not a workspace"}, true},
		{"flag over env", file, missing, []string{"--workspace " + file + ": not a workspace", "a file"}, false},
		{"file env", "", file, []string{"$OUTCOMES_HOME=" + file, "a file"}, false},
		{"empty", empty, "", []string{"--workspace " + empty, "empty"}, true},
		{"not empty", full, "", []string{"--workspace " + full, "no state/"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OUTCOMES_HOME", tt.env)
			_, err := Find(tt.flag)
			if exit.Code(err) != exit.Usage || !errors.Is(err, ErrNotWorkspace) {
				t.Fatalf("Find: %v, want a usage error wrapping ErrNotWorkspace", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Find: %q does not say %q", err, w)
				}
			}
			if got := strings.Contains(err.Error(), "outcomes init"); got != tt.init {
				t.Errorf("Find: %q: suggests outcomes init = %v, want %v", err, got, tt.init)
			}
		})
	}
	t.Run("default", func(t *testing.T) {
		t.Setenv("OUTCOMES_HOME", "")
		t.Chdir(root)
		_, err := Find("")
		if exit.Code(err) != exit.Usage || !strings.Contains(err.Error(), DefaultDir+" (the default workspace") {
			t.Errorf("Find: %v, want a usage error naming the default", err)
		}
	})
	if _, err := Init(file); exit.Code(err) != exit.Usage || !strings.Contains(err.Error(), "a file") {
		t.Errorf("Init of a file: %v, want a usage error", err)
	}
	if w, err := Init(empty); err != nil {
		t.Errorf("Init of an empty directory: %v", err)
	} else if _, err := Find(empty); err != nil {
		t.Errorf("Find after Init: %v", err)
	} else if w.Dir == "" {
		t.Error("Init returned no directory")
	}
}
