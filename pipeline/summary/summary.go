package summary

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// FileName and TablesDir are the names analysis.Write uses inside its directory; the tables
// TrajectoryTable and ChangesTable (analysis.ReportTables) are the report's plots' data.
const (
	FileName        = "summary.json"
	TablesDir       = "tables"
	TrajectoryTable = "trajectory.csv"
	ChangesTable    = "changes.csv"
)

// SchemaVersion is the version of the summary.json format described in docs/summary.md. It
// changes only when a field is removed or changes meaning; adding fields keeps it.
const SchemaVersion = 1

// Summary is summary.json: every number of the analysis plan computed on one lake snapshot.
// Keys are written in the order of the struct fields; see docs/summary.md for each field.
type Summary struct {
	Plan           *Plan              `json:"plan"`
	PlanSHA256     string             `json:"plan_sha256"`
	Snapshot       int64              `json:"snapshot"` // the lake version summarised
	SchemaVersion  int                `json:"schema_version"`
	ProgramVersion string             `json:"program_version"`
	Seed           uint64             `json:"seed"`
	Population     Population         `json:"population"`
	Outcomes       Ordered[*Outcome]  `json:"outcomes"` // measure → its analyses, plan order
	Safety         Safety             `json:"safety"`
	DataQuality    DataQuality        `json:"data_quality"`
	Multiplicity   MultiplicityResult `json:"multiplicity"`
}

// Population counts what the snapshot holds.
type Population struct {
	Sessions      int     `json:"sessions"`
	Clients       int     `json:"clients"`       // distinct (practitioner_key, client_key)
	Practitioners int     `json:"practitioners"` // distinct practitioner_key
	FirstDate     *string `json:"first_date"`    // earliest session_date, YYYY-MM-DD; null when empty
	LastDate      *string `json:"last_date"`
	// RecordSchemaVersions are the session-record schema versions of the rows.
	RecordSchemaVersions []int `json:"record_schema_versions"`
}

// Outcome holds the analyses of one measure; an analysis the plan does not ask for is absent.
type Outcome struct {
	Field         string            `json:"field"`     // lake column analysed (pain: pain_before)
	Direction     string            `json:"direction"` // from measures.json: higher_is_worse, higher_is_better
	WithinSession *PairedAnalysis   `json:"within_session,omitempty"`
	Course        *PairedAnalysis   `json:"course,omitempty"`
	MixedModel    *MixedModelResult `json:"mixed_model,omitempty"`
	MetaAnalysis  *MetaResult       `json:"meta_analysis,omitempty"`
}

// PairedAnalysis is within_session or course: the paired block overall and per level of each
// subgroup of the plan (levels sorted; a subgroup the plan leaves out is {}).
type PairedAnalysis struct {
	Method      string                `json:"method"`
	References  []string              `json:"references"`
	Overall     *PairedBlock          `json:"overall"`
	ByModality  Ordered[*PairedBlock] `json:"by_modality"`
	ByComplaint Ordered[*PairedBlock] `json:"by_complaint"`
}

// PairedBlock holds the paired statistics of d = last − first (within_session: pain_after −
// pain_before). Statistics that are undefined are null and UndefinedReason says why.
type PairedBlock struct {
	N          int   `json:"n"` // pairs
	MeanFirst  Float `json:"mean_first"`
	MeanLast   Float `json:"mean_last"`
	MeanChange Float `json:"mean_change"`
	SDChange   Float `json:"sd_change"`
	CILow      Float `json:"ci_low"` // t-based 95% CI of the mean change
	CIHigh     Float `json:"ci_high"`
	T          Float `json:"t"` // paired t-test, two-sided
	DF         Float `json:"df"`
	P          Float `json:"p"`
	WilcoxonV  Float `json:"wilcoxon_v"` // sum of the ranks of the positive d, zeros dropped
	WilcoxonP  Float `json:"wilcoxon_p"`
	HLEstimate Float `json:"hl_estimate"` // Hodges–Lehmann (pseudo)median of d
	Dz         Float `json:"dz"`          // mean(d)/sd(d)
	DzCILow    Float `json:"dz_ci_low"`   // noncentral-t 95% CI
	DzCIHigh   Float `json:"dz_ci_high"`

	ResponderRule   *string `json:"responder_rule"` // id in measures.json; null: none for this measure
	Evaluable       *int    `json:"evaluable"`
	Responders      *int    `json:"responders"`
	ResponderShare  Float   `json:"responder_share"` // responders / evaluable
	ResponderCILow  Float   `json:"responder_ci_low"`
	ResponderCIHigh Float   `json:"responder_ci_high"` // Wilson 95%
	// DeteriorationRule is the worse rule's id, or "<default rule> (mirrored)" when the
	// measure's default rule is applied in the worse direction.
	DeteriorationRule      *string `json:"deterioration_rule"`
	DeteriorationEvaluable *int    `json:"deterioration_evaluable"`
	Deteriorated           *int    `json:"deteriorated"`
	DeterioratedShare      Float   `json:"deteriorated_share"` // deteriorated / deterioration_evaluable
	// ResponderUndefinedReason says why the responder and deterioration fields are null.
	ResponderUndefinedReason string `json:"responder_undefined_reason,omitempty"`
	UndefinedReason          string `json:"undefined_reason,omitempty"`
}

// MixedModelResult is the mixed model of one measure (overall only).
type MixedModelResult struct {
	Method     string    `json:"method"`
	References []string  `json:"references"`
	Overall    *LMMBlock `json:"overall"`
}

// LMMBlock is value ~ session_number + (1 | practitioner/client) fitted by REML.
type LMMBlock struct {
	Formula        string       `json:"formula"`
	Fixed          *LMMFixed    `json:"fixed"`
	Variance       *LMMVariance `json:"variance"`
	REMLCriterion  Float        `json:"reml_criterion"`
	NObs           int          `json:"n_obs"`
	NClients       int          `json:"n_clients"`
	NPractitioners int          `json:"n_practitioners"`
	Singular       *bool        `json:"singular"`
	// Iterations and DF method are not part of the result: the fit is deterministic.
	UndefinedReason string `json:"undefined_reason,omitempty"`
}

// LMMFixed are the fixed effects.
type LMMFixed struct {
	Intercept     FixedEffect `json:"(Intercept)"`
	SessionNumber FixedEffect `json:"session_number"`
}

// FixedEffect is one row of lmerTest's coefficient table (Satterthwaite df).
type FixedEffect struct {
	Estimate Float `json:"estimate"`
	SE       Float `json:"se"`
	DF       Float `json:"df"`
	T        Float `json:"t"`
	P        Float `json:"p"`
}

// LMMVariance are the variance components.
type LMMVariance struct {
	Practitioner Float `json:"practitioner"`
	Client       Float `json:"client"` // clients within practitioners
	Residual     Float `json:"residual"`
}

// MetaResult is the meta-analysis of one measure's course change (overall only).
type MetaResult struct {
	Method     string     `json:"method"`
	References []string   `json:"references"`
	Overall    *MetaBlock `json:"overall"`
}

// MetaBlock is the random-effects model over practitioners.
type MetaBlock struct {
	MinClients int `json:"min_clients"`
	// Practitioners counts those with at least min_clients clients with a course change;
	// ExcludedZeroVariance those of them left out because every client changed alike (vi = 0).
	Practitioners        int    `json:"practitioners"`
	ExcludedZeroVariance int    `json:"excluded_zero_variance"`
	K                    int    `json:"k"`
	Test                 string `json:"test"` // "z", or "t" with knha
	Estimate             Float  `json:"estimate"`
	SE                   Float  `json:"se"`
	Z                    Float  `json:"z"` // null with knha
	T                    Float  `json:"t"` // null without knha
	DF                   Float  `json:"df"`
	P                    Float  `json:"p"`
	CILow                Float  `json:"ci_low"`
	CIHigh               Float  `json:"ci_high"`
	Tau2                 Float  `json:"tau2"`
	I2                   Float  `json:"i2"` // percent
	H2                   Float  `json:"h2"`
	Q                    Float  `json:"q"`
	QP                   Float  `json:"q_p"`
	PILow                Float  `json:"pi_low"`
	PIHigh               Float  `json:"pi_high"`
	UndefinedReason      string `json:"undefined_reason,omitempty"`
}

// Safety is the adverse-event analysis, overall and per subgroup level.
type Safety struct {
	Method      string                `json:"method"`
	References  []string              `json:"references"`
	Overall     *SafetyBlock          `json:"overall"`
	ByModality  Ordered[*SafetyBlock] `json:"by_modality"`
	ByComplaint Ordered[*SafetyBlock] `json:"by_complaint"`
}

// SafetyBlock counts sessions and adverse events.
type SafetyBlock struct {
	Sessions int `json:"sessions"`
	// BySeverity counts sessions per adverse_event value, in measures.json's order (none first).
	BySeverity Ordered[int] `json:"by_severity"`
	// ByType counts sessions per adverse_event_type, in measures.json's order.
	ByType Ordered[int] `json:"by_type"`
	// AnyAdverseEvent counts sessions with adverse_event other than none.
	AnyAdverseEvent int `json:"any_adverse_event"`
	// ClientsBySeverity counts the distinct clients with a session of each severity, and
	// ClientsAnyAdverseEvent those with any adverse event: a count of sessions may come from
	// fewer clients than the disclosure threshold, which publish must know.
	ClientsBySeverity      Ordered[int] `json:"clients_by_severity"`
	ClientsAnyAdverseEvent int          `json:"clients_any_adverse_event"`
	RatePer1000            Float        `json:"rate_per_1000"` // exact Poisson 95% CI (Garwood)
	RateCILow              Float        `json:"rate_ci_low"`
	RateCIHigh             Float        `json:"rate_ci_high"`
	// NonEmotional counts sessions with an adverse event whose type is not emotional_reaction,
	// with its rate and CI: in SomatoEmotional Release an emotional release may be the intended
	// process, so measures.md asks for it to be analysed apart from other adverse events.
	NonEmotional           int    `json:"non_emotional_adverse_event"`
	NonEmotionalRate       Float  `json:"non_emotional_rate_per_1000"`
	NonEmotionalRateCILow  Float  `json:"non_emotional_rate_ci_low"`
	NonEmotionalRateCIHigh Float  `json:"non_emotional_rate_ci_high"`
	UndefinedReason        string `json:"undefined_reason,omitempty"`
}

// DataQuality describes the lake snapshot itself.
type DataQuality struct {
	QuarantinedRows   int               `json:"quarantined_rows"` // distinct (source file, line)
	Violations        int               `json:"violations"`
	ViolationsByRule  []RuleCount       `json:"violations_by_rule"` // sorted by rule, column
	Missingness       []Missingness     `json:"missingness"`        // per field of sessions
	SessionsPerClient SessionsPerClient `json:"sessions_per_client"`
	SessionsByMonth   []MonthCount      `json:"sessions_by_month"`
	Commits           []CommitRows      `json:"commits"` // rows per commit, by version
}

// RuleCount counts violations of one rule on one column.
type RuleCount struct {
	Rule       string `json:"rule"`
	Column     string `json:"column"`
	Violations int    `json:"violations"`
	Rows       int    `json:"rows"` // distinct quarantined rows with this violation
}

// Missingness is the share of sessions without a value in a field.
type Missingness struct {
	Field   string `json:"field"`
	Missing int    `json:"missing"`
	Share   Float  `json:"share"` // null when there are no sessions
}

// SessionsPerClient is the distribution of the number of sessions per client.
type SessionsPerClient struct {
	Clients      int          `json:"clients"`
	Mean         Float        `json:"mean"`
	Min          Float        `json:"min"`
	Q1           Float        `json:"q1"`
	Median       Float        `json:"median"`
	Q3           Float        `json:"q3"`
	Max          Float        `json:"max"`
	Distribution []CountCount `json:"distribution"` // clients per number of sessions
}

// CountCount is one bar of SessionsPerClient.Distribution.
type CountCount struct {
	Sessions int `json:"sessions"`
	Clients  int `json:"clients"`
}

// MonthCount counts sessions in one month (YYYY-MM of session_date).
type MonthCount struct {
	Month    string `json:"month"`
	Sessions int    `json:"sessions"`
}

// CommitRows is one lake commit up to the snapshot, with its row counts.
type CommitRows struct {
	Version         int64  `json:"version"`
	Operation       string `json:"operation"`
	Source          string `json:"source"`
	RowsRead        int64  `json:"rows_read"`
	RowsAccepted    int64  `json:"rows_accepted"`
	RowsQuarantined int64  `json:"rows_quarantined"`
	RowsExcluded    int64  `json:"rows_excluded"`
	Violations      int64  `json:"violations"`
}

// MultiplicityResult adjusts the p-values of the plan's confirmatory tests.
type MultiplicityResult struct {
	Method     string       `json:"method"` // holm or bh
	References []string     `json:"references"`
	Tests      []TestResult `json:"tests"` // in the plan's order
}

// TestResult is one confirmatory test: its p and adjusted p (null when the test is undefined;
// an undefined test is not counted in the adjustment, as R's p.adjust with NA).
type TestResult struct {
	ID        string `json:"id"` // <measure>.<analysis>.<test>
	P         Float  `json:"p"`
	PAdjusted Float  `json:"p_adjusted"`
}

// Marshal returns summary.json's bytes: two-space indentation, no HTML escaping, a final
// newline.
func (s *Summary) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ErrNotSummary says a file is not a summary.json this program can read: not JSON, JSON of
// another shape, or a summary of another SchemaVersion.
var ErrNotSummary = errors.New("not a summary.json")

// Read reads a summary.json written by analysis.Write. A file that is not one gives an error
// wrapping [ErrNotSummary] that says why in one line.
func Read(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// parse decodes summary.json. Every summary has schema_version and plan_sha256 (an
// empty lake's too), so JSON without them is some other file.
func parse(b []byte) (*Summary, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrNotSummary, fmt.Sprintf(format, args...))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, bad("the file is empty")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, bad("a JSON %s, not an object", typ.Value)
		}
		return nil, bad("not JSON (%v)", err)
	}
	if top == nil {
		return nil, bad("JSON null, not an object")
	}
	for _, key := range []string{"schema_version", "plan_sha256"} {
		if _, ok := top[key]; !ok {
			return nil, bad("a JSON object without %s (outcomes summarize writes summary.json)", key)
		}
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			return nil, bad("%s is a JSON %s, of the wrong type", typ.Field, typ.Value)
		}
		return nil, bad("%v", err)
	}
	if s.SchemaVersion != SchemaVersion {
		return nil, bad("schema_version %d, and this program reads %d", s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}
