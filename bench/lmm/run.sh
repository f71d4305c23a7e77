#!/usr/bin/env bash
# End-to-end comparison of stats.FitLMM with R's lme4 on 1,000,000 rows (100,000 clients in
# 500 practitioners): writes the data, fits it in Go and in R (REML,
# y ~ session_number + (1 | practitioner/client)), and prints both times and their ratio.
#
# Run from anywhere: bash bench/lmm/run.sh
# Needs Go and R with lme4. This script installs nothing; on Debian:
#   apt-get install -y r-base-core r-cran-lme4
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v Rscript >/dev/null || { echo "run.sh: Rscript not found (apt-get install -y r-base-core r-cran-lme4)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/lmm" ./bench/lmm
"$tmp/lmm" -csv "$tmp/data.csv"
"$tmp/lmm" -fit -reps 3 | tee "$tmp/go.txt"
Rscript "$here/lme4.R" "$tmp/data.csv" | tee "$tmp/r.txt"
g="$(awk '/^go_seconds/ {print $2}' "$tmp/go.txt")"
r="$(awk '/^r_seconds/ {print $2}' "$tmp/r.txt")"
awk -v g="$g" -v r="$r" 'BEGIN { printf "Go %.3f s, lme4 %.3f s, lme4/Go = %.1f\n", g, r, r / g }'
