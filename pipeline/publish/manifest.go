package publish

import (
	"bytes"
	"encoding/json"

	"github.com/cstoutcomes/outcomes/pipeline/disclosure"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
)

// FormatVersion is the version of the bundle's layout and manifest.
const FormatVersion = 1

// Manifest is manifest.json: what the bundle was made from, the disclosure rule, the table
// groups that were protected and must be audited together, and every other file with its
// SHA-256. It holds no clock time.
type Manifest struct {
	Format int `json:"format"`
	// Snapshot is the lake version the summary was made from.
	Snapshot int64 `json:"snapshot"`
	// SchemaVersion is summary.json's format version; RecordSchemaVersions are the session
	// record schema versions of the rows summarised.
	SchemaVersion        int           `json:"schema_version"`
	RecordSchemaVersions []int         `json:"record_schema_versions"`
	ProgramVersion       string        `json:"program_version"`         // the program that published
	SummaryProgram       string        `json:"summary_program_version"` // the program that summarised
	Plan                 *summary.Plan `json:"plan"`
	PlanSHA256           string        `json:"plan_sha256"`
	Disclosure           Rule          `json:"disclosure"`
	Groups               []Group       `json:"audit_groups"`
	Files                []FileEntry   `json:"files"`
}

// Rule is the disclosure rule the bundle was made with.
type Rule struct {
	MinCell         int    `json:"min_cell"`
	Protection      int    `json:"protection"`
	DateGranularity string `json:"date_granularity"`
	Marker          string `json:"marker"`
}

// Group is a set of tables protected by one disclosure.Suppress call and audited together.
type Group struct {
	Name          string   `json:"name"`
	Unit          string   `json:"unit"`
	SuppressZeros bool     `json:"suppress_zeros"`
	Tables        []string `json:"tables"` // file names
	Primary       int      `json:"suppressed_primary"`
	Secondary     int      `json:"suppressed_secondary"`
}

// FileEntry is one file of the bundle.
type FileEntry struct {
	Path   string `json:"path"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func newManifest(s *summary.Summary, groups []*protectedGroup, files []file, minCell int, program string) *Manifest {
	m := &Manifest{
		Format: FormatVersion, Snapshot: s.Snapshot, SchemaVersion: s.SchemaVersion,
		RecordSchemaVersions: s.Population.RecordSchemaVersions,
		ProgramVersion:       program, SummaryProgram: s.ProgramVersion,
		Plan: s.Plan, PlanSHA256: s.PlanSHA256,
		Disclosure: Rule{MinCell: minCell, Protection: protection(minCell), DateGranularity: disclosure.Year, Marker: disclosure.Marker},
	}
	for _, g := range groups {
		mg := Group{Name: g.Name, Unit: g.Unit, SuppressZeros: g.SuppressZeros, Primary: g.Result.Primary, Secondary: g.Result.Secondary}
		for _, t := range g.Result.Tables {
			mg.Tables = append(mg.Tables, t.Name()+".csv")
		}
		m.Groups = append(m.Groups, mg)
	}
	for _, f := range files {
		m.Files = append(m.Files, FileEntry{Path: f.name, Bytes: len(f.data), SHA256: sha256Hex(f.data)})
	}
	return m
}

// protection is disclosure's default protection level, ⌈minCell/2⌉.
func protection(minCell int) int { return (minCell + 1) / 2 }

func (m *Manifest) marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// config is the disclosure configuration a group was protected with.
func (m *Manifest) config(g Group) disclosure.Config {
	return disclosure.Config{MinCell: m.Disclosure.MinCell, Protection: m.Disclosure.Protection,
		SuppressZeros: g.SuppressZeros, DateGranularity: m.Disclosure.DateGranularity}
}
