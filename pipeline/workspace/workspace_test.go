package workspace

import (
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
