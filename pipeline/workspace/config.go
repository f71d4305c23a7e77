package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
)

// ConfigFile is the name of the configuration file in a workspace.
const ConfigFile = "outcomes.yaml"

// Config is outcomes.yaml. Every key has a default; an unknown key is an error that names it.
type Config struct {
	Ingest     IngestConfig     `yaml:"ingest"`
	Quarantine QuarantineConfig `yaml:"quarantine"`
	Inbox      InboxConfig      `yaml:"inbox"`
	Archive    ArchiveConfig    `yaml:"archive"`
	Runs       RunsConfig       `yaml:"runs"`
	Summarize  SummarizeConfig  `yaml:"summarize"`
	Duck       DuckConfig       `yaml:"duckdb"`
	Disclosure DisclosureConfig `yaml:"disclosure"`
	Publish    PublishConfig    `yaml:"publish"`
	Notebooks  []string         `yaml:"notebooks"`
}

// IngestConfig configures reading and validating exports.
type IngestConfig struct {
	// DateFormat is a format for session_date besides ISO 8601: a pattern such as
	// dd/mm/yyyy or a Go layout such as 02/01/2006 (schema.DateLayout); "" = ISO only.
	DateFormat string `yaml:"date_format"`
}

// QuarantineConfig says when quarantined rows need a person.
type QuarantineConfig struct {
	// AlertShare: exit 3 when the share of quarantined rows of a file is above it (default 0).
	AlertShare float64 `yaml:"alert_share"`
}

// InboxConfig configures the nightly run's inbox.
type InboxConfig struct {
	// Settle: files modified more recently than this wait for the next run (default 60s).
	Settle Duration `yaml:"settle"`
}

// ArchiveConfig configures the retention of archived source files.
type ArchiveConfig struct {
	KeepDays int `yaml:"keep_days"` // default 30
}

// RunsConfig configures the retention of run records.
type RunsConfig struct {
	Keep int `yaml:"keep"` // default 100
}

// SummarizeConfig configures summarize.
type SummarizeConfig struct {
	Plan string `yaml:"plan"` // path of the analysis plan; "" = the embedded default
}

// DuckConfig configures the embedded DuckDB.
type DuckConfig struct {
	Threads     int    `yaml:"threads"`      // 0 = DuckDB's default (all cores)
	MemoryLimit string `yaml:"memory_limit"` // "" = DuckDB's default
}

// DisclosureConfig configures the public bundle's disclosure control.
type DisclosureConfig struct {
	MinCell int `yaml:"min_cell"` // default 10; below 3 is refused
}

// PublishConfig configures whether the nightly run publishes.
type PublishConfig struct {
	Enabled bool `yaml:"enabled"`
}

// Duration is a time.Duration written as "60s" or "5m" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a duration such as "60s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (e.g. 60s, 5m)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config {
	return Config{
		Inbox:      InboxConfig{Settle: Duration(60 * time.Second)},
		Archive:    ArchiveConfig{KeepDays: 30},
		Runs:       RunsConfig{Keep: 100},
		Disclosure: DisclosureConfig{MinCell: 10},
	}
}

// LoadConfig reads path over the defaults. A missing file gives the defaults.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, exit.Usagef("%s: %v", path, err)
	}
	if err := cfg.check(); err != nil {
		return cfg, exit.Usagef("%s: %v", path, err)
	}
	return cfg, nil
}

func (c Config) check() error {
	switch {
	case c.Quarantine.AlertShare < 0 || c.Quarantine.AlertShare > 1:
		return fmt.Errorf("quarantine.alert_share is %v; allowed: 0..1", c.Quarantine.AlertShare)
	case c.Inbox.Settle < 0:
		return fmt.Errorf("inbox.settle is negative")
	case c.Archive.KeepDays < 0:
		return fmt.Errorf("archive.keep_days is %d; allowed: 0 or more", c.Archive.KeepDays)
	case c.Runs.Keep < 1:
		return fmt.Errorf("runs.keep is %d; allowed: 1 or more", c.Runs.Keep)
	case c.Disclosure.MinCell < 3:
		return fmt.Errorf("disclosure.min_cell is %d; allowed: 3 or more", c.Disclosure.MinCell)
	case c.Duck.Threads < 0:
		return fmt.Errorf("duckdb.threads is %d; allowed: 0 (all cores) or more", c.Duck.Threads)
	}
	if _, err := schema.DateLayout(c.Ingest.DateFormat); err != nil {
		return fmt.Errorf("ingest.date_format: %w", err)
	}
	return nil
}

// DefaultConfigYAML is the outcomes.yaml that `outcomes init` writes: every key, commented,
// at its default.
const DefaultConfigYAML = `# outcomes.yaml: every key is optional; the values shown are the defaults.
ingest:
  date_format: ""        # session_date besides ISO 8601: dd/mm/yyyy, mm/dd/yyyy, dd.mm.yy, or a Go layout
quarantine:
  alert_share: 0         # exit 3 when a file's share of quarantined rows is above this (0..1)
inbox:
  settle: 60s            # files modified more recently wait for the next run
archive:
  keep_days: 30          # archived source files older than this are deleted at the end of a run
runs:
  keep: 100              # run records kept in state/runs
summarize:
  plan: ""               # analysis plan file; "" = the built-in plans/default.yaml
duckdb:
  threads: 0             # 0 = all cores
  memory_limit: ""       # e.g. "2GB"; "" = DuckDB's default
disclosure:
  min_cell: 10           # public tables suppress counts below this (3 or more)
publish:
  enabled: false         # the nightly run publishes the public bundle
notebooks: []            # notebook files the nightly run executes after summarize
`
