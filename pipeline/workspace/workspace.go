// Package workspace locates a deployment's directory and reads its configuration
// (DESIGN.md section 2).
//
// A workspace is chosen by --workspace, else $OUTCOMES_HOME, else ./outcomes-data. Everything
// a deployment owns lives under it:
//
//	outcomes.yaml        configuration; every key has a default, so the file is optional
//	inbox/ archive/ rejected/
//	lake/                the tables
//	state/key            the pseudonymisation key (mode 0600)
//	state/runs/          run records
//	state/lock           the writers' lock
//	reports/ publish/
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
)

// DefaultDir is the workspace used when neither --workspace nor $OUTCOMES_HOME names one.
const DefaultDir = "outcomes-data"

// Workspace is an opened workspace directory and its configuration.
type Workspace struct {
	Dir    string
	Config Config
}

// Resolve returns the workspace directory: flag, else $OUTCOMES_HOME, else DefaultDir.
func Resolve(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("OUTCOMES_HOME"); env != "" {
		return env
	}
	return DefaultDir
}

// ErrNotWorkspace says a directory is not an initialised workspace.
var ErrNotWorkspace = errors.New("not a workspace")

// Open opens the workspace at dir and reads its outcomes.yaml, if any.
func Open(dir string) (*Workspace, error) {
	st, err := os.Stat(filepath.Join(dir, "state"))
	if err != nil || !st.IsDir() {
		return nil, exit.Usagef("%s is %w (no state/ directory): create one with `outcomes init %s`", dir, ErrNotWorkspace, dir)
	}
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Workspace{Dir: abs, Config: cfg}, nil
}

// Init creates a workspace at dir with its directories, a new key and a commented
// outcomes.yaml. An existing workspace is left as it is, and its key is never replaced.
func Init(dir string) (*Workspace, error) {
	for _, sub := range []string{"inbox", "archive", "rejected", "lake", "state/runs", "reports", "publish"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("init workspace: %w", err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "state"), 0o700); err != nil {
		return nil, fmt.Errorf("init workspace: %w", err)
	}
	w := &Workspace{Dir: dir}
	if _, err := os.Stat(w.KeyPath()); errors.Is(err, fs.ErrNotExist) {
		if err := pseudo.NewKeyFile(w.KeyPath()); err != nil {
			return nil, err
		}
	}
	cfgPath := filepath.Join(dir, ConfigFile)
	if _, err := os.Stat(cfgPath); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(cfgPath, []byte(DefaultConfigYAML), 0o644); err != nil {
			return nil, fmt.Errorf("init workspace: %w", err)
		}
	}
	return Open(dir)
}

// Paths inside the workspace.
func (w *Workspace) LakeDir() string     { return filepath.Join(w.Dir, "lake") }
func (w *Workspace) KeyPath() string     { return filepath.Join(w.Dir, "state", "key") }
func (w *Workspace) LockPath() string    { return filepath.Join(w.Dir, "state", "lock") }
func (w *Workspace) RunsDir() string     { return filepath.Join(w.Dir, "state", "runs") }
func (w *Workspace) InboxDir() string    { return filepath.Join(w.Dir, "inbox") }
func (w *Workspace) ArchiveDir() string  { return filepath.Join(w.Dir, "archive") }
func (w *Workspace) RejectedDir() string { return filepath.Join(w.Dir, "rejected") }
func (w *Workspace) ReportsDir() string  { return filepath.Join(w.Dir, "reports") }
func (w *Workspace) PublishDir() string  { return filepath.Join(w.Dir, "publish") }

// Key reads the pseudonymisation key: keyFile if given, else $OUTCOMES_KEY_FILE, else state/key.
func (w *Workspace) Key(keyFile string) ([]byte, error) {
	switch {
	case keyFile != "":
	case os.Getenv("OUTCOMES_KEY_FILE") != "":
		keyFile = os.Getenv("OUTCOMES_KEY_FILE")
	default:
		keyFile = w.KeyPath()
	}
	return pseudo.LoadKey(keyFile)
}
