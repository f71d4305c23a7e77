package duck

import (
	"fmt"
	"testing"
)

// benchSessions is the number of generated sessions (5 per client) the benchmarks read.
const benchSessions = 200_000

// benchLake writes benchSessions sessions, in two commits of which the second supersedes a
// tenth of the first's rows, and returns the snapshot.
func benchLake(b *testing.B) Snapshot {
	b.Helper()
	dir := b.TempDir()
	s := scratch(b)
	gen := func(commit int64, from, n int) string {
		return fmt.Sprintf(`SELECT 'p' || ((i // 5) %% 40) AS practitioner_key, 'c' || (i // 5) AS client_key,
  DATE '2024-01-01' + CAST(i %% 300 AS INTEGER) AS session_date, CAST(i %% 5 + 1 AS INTEGER) AS session_number,
  'CST' AS modality, 'back_pain' AS presenting_complaint, CAST(NULL AS VARCHAR) AS age_band, CAST(NULL AS VARCHAR) AS sex,
  CAST(i %% 11 AS INTEGER) AS pain_before, CAST(i %% 7 AS INTEGER) AS pain_after,
  CAST(i %% 10 AS INTEGER) AS sleep_quality, CAST(7.5 AS DOUBLE) AS sleep_hours,
  CAST(NULL AS INTEGER) AS headache_days, CAST(NULL AS INTEGER) AS hit6,
  CAST(1 AS INTEGER) AS mymop_symptom1, CAST(2 AS INTEGER) AS mymop_symptom2, CAST(3 AS INTEGER) AS mymop_activity,
  CAST(4 AS INTEGER) AS mymop_wellbeing, CAST(2.5 AS DOUBLE) AS mymop_profile, 'none' AS adverse_event,
  CAST(NULL AS VARCHAR) AS adverse_event_type, CAST(1 AS INTEGER) AS schema_version, 'sha' AS source_sha256,
  CAST(i + 2 AS BIGINT) AS source_line, CAST(%d AS BIGINT) AS commit_version
FROM range(%d, %d) AS r(i)`, commit, from, from+n)
	}
	f1 := writeParquet(b, s, dir, "c1.parquet", gen(1, 0, benchSessions))
	f2 := writeParquet(b, s, dir, "c2.parquet", gen(2, 0, benchSessions/10))
	return Snapshot{Version: 2, SessionsFiles: []string{f1, f2}}
}

// BenchmarkClients times one query of the clients view over the lake files (the sessions
// view's supersession and the per-client aggregation), with views and materialized.
func BenchmarkClients(b *testing.B) {
	snap := benchLake(b)
	for _, materialize := range []bool{false, true} {
		b.Run(fmt.Sprintf("materialize=%v", materialize), func(b *testing.B) {
			db := openDB(b, snap, Options{Materialize: materialize})
			b.ReportAllocs()
			for b.Loop() {
				tab, err := db.QueryTable(b.Context(), "SELECT count(*), sum(pain_before_last - pain_before_first) FROM clients", 0)
				if err != nil {
					b.Fatal(err)
				}
				if got := tab.Rows[0][0]; got != int64(benchSessions/5) {
					b.Fatalf("clients = %v", got)
				}
			}
			b.ReportMetric(float64(benchSessions)*float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}

// BenchmarkOpen times Open over the benchmark lake (schema discovery, views, lock-down).
func BenchmarkOpen(b *testing.B) {
	snap := benchLake(b)
	for b.Loop() {
		db, err := Open(b.Context(), snap, Options{Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
