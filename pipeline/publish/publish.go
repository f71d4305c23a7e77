package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/report"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// File names of the bundle.
const (
	ManifestFile = "manifest.json"
	ReadmeFile   = "README.txt"
	ReportFile   = "report-public.html"
)

var (
	// ErrStale: the summary was made from a lake snapshot older than the latest.
	ErrStale = errors.New("publish: summary is stale")
	// ErrRefused: the bundle would not be safe (the disclosure audit failed, or a table holds
	// something that may never be published); nothing was written.
	ErrRefused = errors.New("publish: refused")
	// ErrVerify: a bundle does not match its manifest or fails the disclosure audit.
	ErrVerify = errors.New("publish: bundle failed verification")
)

// Options say what to publish and where.
type Options struct {
	// Summary is the summary.json to publish; the tables/ directory beside it supplies the
	// trajectories of the public report.
	Summary string
	// Out is the bundle directory; it is replaced as a whole (see [Run]).
	Out string
	// MinCell is the threshold (workspace disclosure.min_cell); 0 means
	// disclosure.DefaultMinCell, below disclosure.LowestMinCell is refused (ErrConfig).
	MinCell int
	// MinCellFrom names where MinCell came from, for the usage error of a bad threshold
	// ("outcomes.yaml: disclosure.min_cell"); "" is "threshold".
	MinCellFrom string
	// LatestSnapshot is the lake's latest version. A summary of an older snapshot is
	// refused (ErrStale) unless AllowStale is set; 0 skips the check.
	LatestSnapshot int64
	AllowStale     bool
	// ProgramVersion is the publishing program's version, recorded in the manifest.
	ProgramVersion string
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

// Result says what Run wrote.
type Result struct {
	Dir      string
	Manifest *Manifest
	// Primary and Secondary count the suppressed cells over every table group.
	Primary, Secondary int
}

// DefaultOut returns publish/<date> for a summary at reports/<date>/summary.json: the bundle
// is named after the summary's directory (the date of its lake snapshot), and after today's
// date (given, as YYYY-MM-DD) when the summary is elsewhere.
func DefaultOut(publishDir, summaryPath, today string) string {
	d := filepath.Base(filepath.Dir(summaryPath))
	if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(d) {
		d = today
	}
	return filepath.Join(publishDir, d)
}

// Run publishes the summary at opt.Summary into opt.Out: it builds the public tables,
// suppresses them, renders the public report, checks the whole bundle, and writes it into a
// temporary directory beside opt.Out that replaces opt.Out by a rename. It writes nothing
// when it refuses: ErrStale, ErrRefused (wrapping disclosure.ErrUnsafe or ErrForbidden), or
// disclosure.ErrConfig for a bad threshold.
//
// Its errors carry their exit status (internal/exit): a bad threshold or a file that is not a
// summary.json is a usage error (2); a refusal needs a person (3, "nothing published: ...").
//
// This is what the nightly run calls when publish.enabled is set.
func Run(ctx context.Context, opt Options) (*Result, error) {
	res, err := run(ctx, opt)
	return res, opt.mark(err)
}

// mark gives err the exit status it has for the person who asked to publish.
func (o Options) mark(err error) error {
	switch {
	case errors.Is(err, disclosure.ErrConfig):
		from := o.MinCellFrom
		if from == "" {
			from = "threshold"
		}
		return exit.Usagef("%s: %w", from, err)
	case errors.Is(err, summary.ErrNotSummary):
		return exit.Mark(err, exit.ErrUsage)
	case errors.Is(err, ErrStale), errors.Is(err, ErrRefused):
		return exit.Attentionf("nothing published: %w", err)
	}
	return err
}

func run(ctx context.Context, opt Options) (*Result, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in, err := report.Load(opt.Summary)
	if err != nil {
		return nil, err
	}
	if s := in.Summary.Snapshot; opt.LatestSnapshot > 0 && s < opt.LatestSnapshot && !opt.AllowStale {
		return nil, fmt.Errorf("%w: %s summarises lake snapshot %d, the lake is at %d: run summarize first, or allow a stale summary",
			ErrStale, opt.Summary, s, opt.LatestSnapshot)
	}
	b, err := Build(ctx, in, opt.MinCell, opt.ProgramVersion)
	if err != nil {
		return nil, err
	}
	if err := writeDir(opt.Out, b.files); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	log.Info("published", "stage", "publish", "dir", opt.Out, "snapshot", in.Summary.Snapshot,
		"groups", len(b.Manifest.Groups), "files", len(b.Manifest.Files)+1, "suppressed_primary", b.Primary, "suppressed_secondary", b.Secondary)
	return &Result{Dir: opt.Out, Manifest: b.Manifest, Primary: b.Primary, Secondary: b.Secondary}, nil
}

// Bundle is a built bundle, in memory.
type Bundle struct {
	Manifest           *Manifest
	Primary, Secondary int
	files              []file // in manifest order, manifest.json last
}

// Files returns the bundle's file names and contents, manifest.json last.
func (b *Bundle) Files() map[string][]byte {
	m := map[string][]byte{}
	for _, f := range b.files {
		m[f.name] = f.data
	}
	return m
}

type file struct {
	name string
	data []byte
}

// Build makes the bundle of a summary (and the tables beside it, as report.Load reads them)
// with threshold minCell. The same input gives the same bytes.
func Build(ctx context.Context, in *report.Input, minCell int, programVersion string) (*Bundle, error) {
	if minCell == 0 {
		minCell = disclosure.DefaultMinCell
	}
	if minCell < disclosure.LowestMinCell {
		return nil, fmt.Errorf("%w: threshold %d: allowed: %d or more", disclosure.ErrConfig, minCell, disclosure.LowestMinCell)
	}
	v, err := loadVocabulary()
	if err != nil {
		return nil, err
	}
	cfg := disclosure.Config{MinCell: minCell}
	groups, err := protect(ctx, cfg, in.Summary, v)
	if err != nil {
		if errors.Is(err, disclosure.ErrUnsafe) || errors.Is(err, disclosure.ErrForbidden) {
			err = fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return nil, err
	}
	p := &published{groups: groups, minCell: minCell}
	b := &Bundle{}
	for _, g := range groups {
		b.Primary += g.Result.Primary
		b.Secondary += g.Result.Secondary
		for _, t := range g.Result.Tables {
			var buf bytes.Buffer
			if err := disclosure.WriteCSV(&buf, t); err != nil {
				return nil, err
			}
			b.files = append(b.files, file{t.Name() + ".csv", buf.Bytes()})
		}
	}
	pub, err := publicInput(in, p)
	if err != nil {
		return nil, err
	}
	html, err := renderPublic(pub, minCell)
	if err != nil {
		return nil, err
	}
	readme, err := readme(in.Summary, groups, b.files, minCell)
	if err != nil {
		return nil, err
	}
	b.files = append(b.files, file{ReportFile, html}, file{ReadmeFile, readme})
	if err := scanKeys(b.files, in.Summary.PlanSHA256); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	b.Manifest = newManifest(in.Summary, groups, b.files, minCell, programVersion)
	m, err := b.Manifest.marshal()
	if err != nil {
		return nil, err
	}
	b.files = append(b.files, file{ManifestFile, m})
	return b, nil
}

// renderPublic renders the public report with a note under its masthead that says what is
// withheld and where the rule is explained.
func renderPublic(in *report.Input, minCell int) ([]byte, error) {
	var buf bytes.Buffer
	if err := report.Render(&buf, in); err != nil {
		return nil, err
	}
	note := fmt.Sprintf(`<p class="meta" id="public-note"><strong>Public edition.</strong> Counts of 1 to %d people, `+
		`statistics computed from fewer than %d clients, and further values that would let a withheld one be worked out `+
		`from the totals are withheld (shown as <q>suppressed</q>, or left out); sessions are dated by year. `+
		`The bundle's %s explains the rule; its CSV tables mark each withheld value with %s.</p>`,
		minCell-1, minCell, ReadmeFile, disclosure.Marker)
	html := buf.String()
	i := strings.Index(html, "</header>")
	if i < 0 {
		return nil, fmt.Errorf("publish: the report has no masthead to put the public note under")
	}
	return []byte(html[:i] + note + "\n" + html[i:]), nil
}

// keyPattern matches what a pseudonymous key looks like (DESIGN.md section 5): 32 or more
// hex digits in a row.
var keyPattern = regexp.MustCompile(`[0-9a-fA-F]{32,}`)

// scanKeys refuses a bundle file that holds a run of 32 hex digits (a client_key or
// practitioner_key), wherever it is, other than the hashes given (the plan's, which the report
// and the README quote). manifest.json's hashes are added after this check.
func scanKeys(files []file, hashes ...string) error {
	for _, f := range files {
		data := f.data
		for _, h := range hashes {
			if h != "" {
				data = bytes.ReplaceAll(data, []byte(h), bytes.Repeat([]byte{'.'}, len(h)))
			}
		}
		if loc := keyPattern.FindIndex(data); loc != nil {
			return fmt.Errorf("%w: %s: byte %d: a value that looks like a pseudonymous key", disclosure.ErrForbidden, f.name, loc[0])
		}
	}
	return nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
