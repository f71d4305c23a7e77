#!/usr/bin/env bash
# Summarize benchmark: build a lake of about SESSIONS sessions with `outcomes gen` + `outcomes
# ingest` (a fixed seed), then time `outcomes summarize` with the default plan and report its
# peak memory (maximum resident set size, from GNU time when installed).
#
# Usage: bench/summarize.sh [SESSIONS] [RUNS]   (defaults: 1000000 sessions, 3 runs)
# The lake is kept in $BENCH_DIR (default a temporary directory, removed at the end).
#
# Memory bound: summarize holds, per analysis, the vectors of one measure (two float64 and a few
# strings per row) and DuckDB's materialised views, bounded by duckdb.memory_limit in
# outcomes.yaml; the mixed model reads its rows once into per-group sufficient statistics.
# The R comparison of the issue (data.table, lme4, metafor on the same data) is not part of this
# script yet.
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
for i in $(seq "$runs"); do
	start=$(date +%s.%N)
	"${timer[@]}" "$bin" summarize --out "$dir/out"
	end=$(date +%s.%N)
	echo "run $i: $(echo "$end - $start" | bc) s"
done
ls -l "$dir/out/summary.json"
