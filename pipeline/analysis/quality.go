package analysis

import (
	"database/sql"
	"fmt"
	"github.com/cstoutcomes/outcomes/pipeline/summary"
	"slices"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

const methodSafety = "Sessions and adverse events by severity (adverse_event) and type (adverse_event_type), overall " +
	"and by the session's modality and presenting complaint; the rate of sessions with any adverse event (severity " +
	"other than none) per 1,000 sessions with its exact Poisson 95% CI (Garwood 1936; R poisson.test), and the " +
	"same for adverse events other than emotional_reaction (analysed apart: in SER it may be the intended process)."

var safetyReferences = []string{
	"Garwood F. Fiducial limits for the Poisson distribution. Biometrika 1936;28:437-442",
	"Carnes D, Mullinger B, Underwood M. Defining adverse events in manual therapies: a modified Delphi consensus study. Man Ther 2010;15(1):2-6",
}

// aeRow is one group of sessions with the same subgroup levels, severity and type.
type aeRow struct {
	modality, complaint, severity, typ string
	sessions                           int
}

func (r *runner) safety() error {
	var rows []aeRow
	err := r.query(`SELECT coalesce(modality, '(missing)'), coalesce(presenting_complaint, '(missing)'),
		coalesce(adverse_event, '(missing)'), coalesce(adverse_event_type, ''), count(*) FROM sessions
		GROUP BY ALL ORDER BY ALL`, func(rs *sql.Rows) error {
		var a aeRow
		err := rs.Scan(&a.modality, &a.complaint, &a.severity, &a.typ, &a.sessions)
		rows = append(rows, a)
		return err
	})
	if err != nil {
		return err
	}
	s := &r.res.Summary.Safety
	s.Method, s.References = methodSafety, safetyReferences
	s.Overall = r.safetyBlock(rows, func(aeRow) bool { return true })
	s.ByModality, s.ByComplaint = summary.Ordered[*summary.SafetyBlock]{}, summary.Ordered[*summary.SafetyBlock]{}
	for _, sg := range r.plan.Subgroups {
		levels := make([]string, len(rows))
		for i, a := range rows {
			levels[i] = a.modality
			if sg == "presenting_complaint" {
				levels[i] = a.complaint
			}
		}
		by := &s.ByModality
		if sg == "presenting_complaint" {
			by = &s.ByComplaint
		}
		for _, level := range sortedLevels(levels) {
			b := r.safetyBlock(rows, func(a aeRow) bool {
				return sg == "modality" && a.modality == level || sg == "presenting_complaint" && a.complaint == level
			})
			*by = append(*by, summary.Entry[*summary.SafetyBlock]{Key: level, Value: b})
		}
	}
	return r.safetyClients(s)
}

// safetyClients fills in the distinct clients behind each severity count and behind the
// count of sessions with any adverse event, overall and per subgroup level.
func (r *runner) safetyClients(s *summary.Safety) error {
	type key struct{ subgroup, level, severity string }
	clients := map[key]int{}
	err := r.query(`SELECT CASE WHEN grouping(modality) = 0 THEN 'modality'
			WHEN grouping(presenting_complaint) = 0 THEN 'presenting_complaint' ELSE '' END,
		coalesce(CASE WHEN grouping(modality) = 0 THEN modality ELSE presenting_complaint END, '(missing)'),
		coalesce(ae, '(missing)'), count(DISTINCT (practitioner_key, client_key))
		FROM (SELECT *, adverse_event AS ae FROM sessions
			UNION ALL SELECT *, '(any)' AS ae FROM sessions WHERE adverse_event <> 'none')
		GROUP BY GROUPING SETS ((ae), (modality, ae), (presenting_complaint, ae)) ORDER BY ALL`,
		func(rs *sql.Rows) error {
			var k key
			var n int
			err := rs.Scan(&k.subgroup, &k.level, &k.severity, &n)
			clients[k] = n
			return err
		})
	if err != nil {
		return err
	}
	severities := r.ref.Field("adverse_event").Values
	fill := func(b *summary.SafetyBlock, subgroup, level string) {
		if b == nil {
			return
		}
		counts := map[string]int{}
		for _, e := range b.BySeverity {
			counts[e.Key] = clients[key{subgroup, level, e.Key}]
		}
		b.ClientsBySeverity = orderedCounts(severities, counts)
		b.ClientsAnyAdverseEvent = clients[key{subgroup, level, "(any)"}]
	}
	fill(s.Overall, "", "(missing)")
	for _, e := range s.ByModality {
		fill(e.Value, "modality", e.Key)
	}
	for _, e := range s.ByComplaint {
		fill(e.Value, "presenting_complaint", e.Key)
	}
	return nil
}

// safetyBlock counts the rows that keep selects.
func (r *runner) safetyBlock(rows []aeRow, keep func(aeRow) bool) *summary.SafetyBlock {
	severities := r.ref.Field("adverse_event").Values
	types := r.ref.Field("adverse_event_type").Values
	sev, typ := map[string]int{}, map[string]int{}
	b := &summary.SafetyBlock{RatePer1000: summary.Null, RateCILow: summary.Null, RateCIHigh: summary.Null, NonEmotionalRate: summary.Null,
		NonEmotionalRateCILow: summary.Null, NonEmotionalRateCIHigh: summary.Null}
	for _, a := range rows {
		if !keep(a) {
			continue
		}
		b.Sessions += a.sessions
		sev[a.severity] += a.sessions
		if a.typ != "" {
			typ[a.typ] += a.sessions
		}
		if a.severity != "none" && a.severity != "(missing)" {
			b.AnyAdverseEvent += a.sessions
			if a.typ != emotionalReaction {
				b.NonEmotional += a.sessions
			}
		}
	}
	b.BySeverity, b.ByType = orderedCounts(severities, sev), orderedCounts(types, typ)
	if b.Sessions == 0 {
		b.UndefinedReason = "no sessions"
		return b
	}
	var err error
	b.RatePer1000, b.RateCILow, b.RateCIHigh, err = ratePer1000(b.AnyAdverseEvent, b.Sessions)
	if err != nil {
		b.UndefinedReason = "rate: " + err.Error()
		return b
	}
	b.NonEmotionalRate, b.NonEmotionalRateCILow, b.NonEmotionalRateCIHigh, _ = ratePer1000(b.NonEmotional, b.Sessions)
	return b
}

// emotionalReaction is the adverse_event_type analysed apart (measures.md section 6).
const emotionalReaction = "emotional_reaction"

// ratePer1000 is the rate of x events in n sessions per 1,000 sessions with its exact Poisson
// 95% CI.
func ratePer1000(x, n int) (rate, low, high summary.Float, err error) {
	pr, err := stats.PoissonRate(x, float64(n)/1000, stats.PoissonOptions{})
	if err != nil {
		return summary.Null, summary.Null, summary.Null, err
	}
	return summary.Float(pr.Estimate), summary.Float(pr.ConfLow), summary.Float(pr.ConfHigh), nil
}

// orderedCounts lists every value of vocab (in its order, zeros included), then any other
// value seen, sorted.
func orderedCounts(vocab []string, counts map[string]int) summary.Ordered[int] {
	out := summary.Ordered[int]{}
	for _, v := range vocab {
		out = append(out, summary.Entry[int]{Key: v, Value: counts[v]})
	}
	var other []string
	for k := range counts {
		if !slices.Contains(vocab, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	for _, k := range other {
		out = append(out, summary.Entry[int]{Key: k, Value: counts[k]})
	}
	return out
}

// missingnessFields are the fields of sessions whose missingness data_quality reports.
var missingnessFields = []string{"session_date", "modality", "presenting_complaint", "age_band", "sex",
	"pain_before", "pain_after", "sleep_quality", "sleep_hours", "headache_days", "hit6",
	"mymop_symptom1", "mymop_symptom2", "mymop_activity", "mymop_wellbeing", "mymop_profile",
	"adverse_event", "adverse_event_type"}

func (r *runner) dataQuality() error {
	steps := []func(*summary.DataQuality) error{r.quarantine, r.missingness, r.sessionsPerClient, r.months, r.commits}
	dq := &r.res.Summary.DataQuality
	for _, step := range steps {
		if err := step(dq); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) quarantine(dq *summary.DataQuality) error {
	err := r.query(`SELECT count(*), count(DISTINCT (commit_version, source_sha256, source_line)) FROM quarantine`,
		func(rows *sql.Rows) error { return rows.Scan(&dq.Violations, &dq.QuarantinedRows) })
	if err != nil {
		return err
	}
	dq.ViolationsByRule = []summary.RuleCount{}
	return r.query(`SELECT coalesce(rule, ''), coalesce("column", ''), count(*),
		count(DISTINCT (commit_version, source_sha256, source_line)) FROM quarantine GROUP BY ALL ORDER BY 1, 2`,
		func(rows *sql.Rows) error {
			var c summary.RuleCount
			err := rows.Scan(&c.Rule, &c.Column, &c.Violations, &c.Rows)
			dq.ViolationsByRule = append(dq.ViolationsByRule, c)
			return err
		})
}

func (r *runner) missingness(dq *summary.DataQuality) error {
	q := "SELECT count(*)"
	for _, f := range missingnessFields {
		q += fmt.Sprintf(", count(*) FILTER (WHERE %s IS NULL)", f)
	}
	counts := make([]int, len(missingnessFields)+1)
	ptrs := make([]any, len(counts))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	if err := r.query(q+" FROM sessions", func(rows *sql.Rows) error { return rows.Scan(ptrs...) }); err != nil {
		return err
	}
	dq.Missingness = make([]summary.Missingness, len(missingnessFields))
	for i, f := range missingnessFields {
		dq.Missingness[i] = summary.Missingness{Field: f, Missing: counts[i+1], Share: summary.Null}
		if counts[0] > 0 {
			dq.Missingness[i].Share = summary.Float(float64(counts[i+1]) / float64(counts[0]))
		}
	}
	return nil
}

func (r *runner) sessionsPerClient(dq *summary.DataQuality) error {
	spc := &dq.SessionsPerClient
	var n []float64
	spc.Distribution = []summary.CountCount{}
	err := r.query(`SELECT n_sessions, count(*) FROM clients GROUP BY n_sessions ORDER BY n_sessions`,
		func(rows *sql.Rows) error {
			var c summary.CountCount
			if err := rows.Scan(&c.Sessions, &c.Clients); err != nil {
				return err
			}
			spc.Distribution = append(spc.Distribution, c)
			for range c.Clients {
				n = append(n, float64(c.Sessions))
			}
			spc.Clients += c.Clients
			return nil
		})
	if err != nil {
		return err
	}
	spc.Mean, spc.Min, spc.Q1, spc.Median, spc.Q3, spc.Max = summary.Null, summary.Null, summary.Null, summary.Null, summary.Null, summary.Null
	if d, err := stats.Describe(n); err == nil {
		spc.Mean, spc.Min, spc.Q1, spc.Median, spc.Q3, spc.Max = summary.Float(d.Mean), summary.Float(d.Min), summary.Float(d.Q1), summary.Float(d.Median), summary.Float(d.Q3), summary.Float(d.Max)
	}
	return nil
}

func (r *runner) months(dq *summary.DataQuality) error {
	dq.SessionsByMonth = []summary.MonthCount{}
	return r.query(`SELECT coalesce(strftime(session_date, '%Y-%m'), '(missing)') AS month, count(*) FROM sessions
		GROUP BY month ORDER BY month`, func(rows *sql.Rows) error {
		var m summary.MonthCount
		err := rows.Scan(&m.Month, &m.Sessions)
		dq.SessionsByMonth = append(dq.SessionsByMonth, m)
		return err
	})
}

func (r *runner) commits(dq *summary.DataQuality) error {
	dq.Commits = []summary.CommitRows{}
	return r.query(`SELECT version, coalesce(operation, ''), coalesce(source_name, ''), rows_read, rows_accepted,
		rows_quarantined, rows_excluded, violations FROM commits ORDER BY version`, func(rows *sql.Rows) error {
		var c summary.CommitRows
		err := rows.Scan(&c.Version, &c.Operation, &c.Source, &c.RowsRead, &c.RowsAccepted, &c.RowsQuarantined,
			&c.RowsExcluded, &c.Violations)
		dq.Commits = append(dq.Commits, c)
		return err
	})
}

var multiplicityReferences = map[string][]string{
	"holm": {"Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat 1979;6:65-70; R p.adjust(method = \"holm\")"},
	"bh":   {"Benjamini Y, Hochberg Y. Controlling the false discovery rate. J R Stat Soc B 1995;57:289-300; R p.adjust(method = \"BH\")"},
}

func (r *runner) multiplicity() error {
	m := &r.res.Summary.Multiplicity
	m.Method, m.References = r.plan.Multiplicity.Method, multiplicityReferences[r.plan.Multiplicity.Method]
	m.Tests = []summary.TestResult{}
	p := make([]float64, len(r.plan.Multiplicity.Confirmatory))
	for i, id := range r.plan.Multiplicity.Confirmatory {
		p[i] = float64(r.testP(id))
	}
	adj := stats.AdjustHolm(p)
	if m.Method == "bh" {
		adj = stats.AdjustBH(p)
	}
	for i, id := range r.plan.Multiplicity.Confirmatory {
		m.Tests = append(m.Tests, summary.TestResult{ID: id, P: summary.Float(p[i]), PAdjusted: summary.Float(adj[i])})
	}
	return nil
}

// testP returns the p-value a confirmatory id names (NaN when undefined).
func (r *runner) testP(id string) summary.Float {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return summary.Null
	}
	m, a, t := parts[0], parts[1], parts[2]
	o, ok := r.res.Summary.Outcomes.Get(m)
	if !ok {
		return summary.Null
	}
	pick := func(pa *summary.PairedAnalysis) summary.Float {
		if pa == nil {
			return summary.Null
		}
		if t == "wilcoxon" {
			return pa.Overall.WilcoxonP
		}
		return pa.Overall.P
	}
	switch {
	case a == summary.WithinSession:
		return pick(o.WithinSession)
	case a == summary.Course:
		return pick(o.Course)
	case a == summary.MixedModel && o.MixedModel != nil && o.MixedModel.Overall.Fixed != nil:
		return o.MixedModel.Overall.Fixed.SessionNumber.P
	case a == summary.MetaAnalysis && o.MetaAnalysis != nil:
		return o.MetaAnalysis.Overall.P
	}
	return summary.Null
}
