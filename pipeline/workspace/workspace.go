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
	dir, _ := locate(flag)
	return dir
}

// locate is Resolve that also names, for messages, what chose the directory: "--workspace",
// "$OUTCOMES_HOME", or "" for the default.
func locate(flag string) (dir, from string) {
	if flag != "" {
		return flag, "--workspace"
	}
	if env := os.Getenv("OUTCOMES_HOME"); env != "" {
		return env, "$OUTCOMES_HOME"
	}
	return DefaultDir, ""
}

// ErrNotWorkspace says a directory is not an initialised workspace.
var ErrNotWorkspace = errors.New("not a workspace")

// Open opens the workspace at dir and reads its outcomes.yaml, if any. A dir that is not a
// workspace is a usage error (wrapping [ErrNotWorkspace]) that says what dir is instead.
func Open(dir string) (*Workspace, error) {
	return open(dir, dir)
}

// Find opens the workspace that flag names, else $OUTCOMES_HOME, else DefaultDir (the order
// of [Resolve]). Unlike [Open], its errors name the flag or variable that chose the
// directory, so a user knows what to change.
func Find(flag string) (*Workspace, error) {
	dir, from := locate(flag)
	name := from + " " + dir
	switch from {
	case "":
		name = dir + " (the default workspace: neither --workspace nor $OUTCOMES_HOME is set)"
	case "$OUTCOMES_HOME":
		name = from + "=" + dir
	}
	return open(dir, name)
}

// open opens the workspace at dir; name is how its errors refer to dir.
func open(dir, name string) (*Workspace, error) {
	if err := check(dir, name); err != nil {
		return nil, err
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

// check returns nil if dir has the state/ directory of a workspace, and otherwise a usage
// error that says what dir is. It suggests `outcomes init` only where that is surely right:
// for a directory that does not exist yet or is empty, never for a file or for a directory
// that holds something else.
func check(dir, name string) error {
	if st, err := os.Stat(filepath.Join(dir, "state")); err == nil && st.IsDir() {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return exit.Usagef("%s: %w: no such directory (create a workspace there with `outcomes init %s`)", name, ErrNotWorkspace, dir)
	case err != nil:
		return exit.Usagef("%s: %w: %v", name, ErrNotWorkspace, err)
	case !st.IsDir():
		return exit.Usagef("%s: %w: it is a file, and a workspace is a directory", name, ErrNotWorkspace)
	}
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) == 0 {
		return exit.Usagef("%s: %w: the directory is empty (make it one with `outcomes init %s`)", name, ErrNotWorkspace, dir)
	}
	return exit.Usagef("%s: %w: the directory has other files and no state/ (is the path right?)", name, ErrNotWorkspace)
}

// Init creates a workspace at dir with its directories, a new key and a commented
// outcomes.yaml. An existing workspace is left as it is, and its key is never replaced.
func Init(dir string) (*Workspace, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, exit.Usagef("%s: it is a file, and a workspace is a directory", dir)
	}
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
