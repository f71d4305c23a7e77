#!/usr/bin/env bash
# Summarize benchmark: build a lake of about SESSIONS sessions with `outcomes gen` + `outcomes
# ingest` (a fixed seed), time `outcomes summarize` with the default plan and its peak memory
# (maximum resident set size, from GNU time when installed), then, in the same run, time
# bench/summarize.R computing the same default-plan numbers in R (data.table, lme4 + lmerTest,
# metafor) from the same sessions, print both times and their ratio, and check that every number
# agrees within the reference tolerances (the R script exits 1 on any difference).
#
# Usage: bench/summarize.sh [SESSIONS] [RUNS]   (defaults: 1000000 sessions, 3 runs)
# The lake is kept in $BENCH_DIR (default a temporary directory, removed at the end).
# R comes from Debian's packages, installed beforehand (not at run time):
#   apt-get install r-base-core r-cran-data.table r-cran-lme4 r-cran-lmertest r-cran-metafor r-cran-jsonlite
# NO_R=1 skips the R part.
#
# Measured on 2 shared cores (load ~4), default plan:
#   100,000 sessions:   summarize 3.1 s, 0.29 GB max RSS; R 77 s; ratio 0.04; 1271 numbers agree
#   1,000,000 sessions: summarize 17 s, 1.3 GB max RSS; R had not finished after 35 minutes
#                       (lme4 + lmerTest on ~700,000 rows per measure), so run R at 100,000.
#
# Memory bound: summarize holds, per analysis, the vectors of one measure (two float64 and a few
# strings per row) and DuckDB's materialised views, bounded by duckdb.memory_limit in
# outcomes.yaml; the mixed model reads its rows once into per-group sufficient statistics.
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-1000000}"
runs="${2:-3}"
clients=$(( sessions * 10 / 52 ))   # synth averages about 5.2 sessions per client

dir="${BENCH_DIR:-}"
if [ -z "$dir" ]; then
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
bin="$dir/outcomes"
go build -o "$bin" ./cmd/outcomes
export OUTCOMES_HOME="$dir/ws"

if [ ! -d "$OUTCOMES_HOME/lake" ]; then
	"$bin" init >/dev/null
	"$bin" gen --clients "$clients" --seed 1 --format csv --today 2025-06-30 -o "$dir/export.csv"
	"$bin" ingest --quiet "$dir/export.csv" >/dev/null || [ $? -eq 3 ]
fi
"$bin" sql "SELECT count(*) AS sessions, count(DISTINCT practitioner_key) AS practitioners FROM sessions"

timer=()
if command -v /usr/bin/time >/dev/null; then
	timer=(/usr/bin/time -f "%e s elapsed, %M KB max RSS")
fi
best=
for i in $(seq "$runs"); do
	start=$(date +%s.%N)
	"${timer[@]}" "$bin" summarize --out "$dir/out"
	end=$(date +%s.%N)
	t=$(echo "$end - $start" | bc)
	echo "summarize run $i: $t s"
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
ls -l "$dir/out/summary.json"
[ "${NO_R:-}" = 1 ] && exit 0

"$bin" sql --format csv "SELECT practitioner_key, client_key, session_number, modality, presenting_complaint,
	pain_before, pain_after, sleep_quality, headache_days, hit6, mymop_profile, adverse_event FROM sessions
	ORDER BY practitioner_key, client_key, session_number" >"$dir/sessions.csv"
Rscript bench/summarize.R "$dir/sessions.csv" "$dir/out/summary.json" | tee "$dir/r.out"
rtime=$(sed -n 's/^R: \([0-9.]*\) s$/\1/p' "$dir/r.out")
echo "summarize (best of $runs): $best s; R: $rtime s; ratio Go/R: $(echo "scale=3; $best / $rtime" | bc)"
