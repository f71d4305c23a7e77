#!/usr/bin/env bash
# Ingest benchmark: outcomes ingest vs DuckDB's own CSV -> Parquet COPY, in the same run.
# Usage: bench/ingest.sh [ROWS] [RUNS]   (defaults: 1000000 rows, 5 runs; try 10000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/ingest -rows "${1:-1000000}" -runs "${2:-5}"
