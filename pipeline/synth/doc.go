// Package synth generates synthetic practitioners' exports for `outcomes gen`, `outcomes
// demo`, the tests and the benchmarks: session records with the structure of real data
// and, on request, the errors real exports have.
//
// It leaves validation to pipeline/schema and reading to pipeline/source; its tests read
// what it writes back through pipeline/source.
//
// # Structure
//
// Practitioners (about one per ten clients, at least three) get log-normal caseloads, a
// random effect on their clients' levels and their own mix of modalities. Each client has
// a presenting complaint drawn from the whole vocabulary of measures.json, an age band
// and sex consistent with it, a course of 1 to 12 sessions a week or two apart (all
// before [Config.Today]) and a random effect of its own. Pain (0..10 before and after
// each session) follows a trajectory that improves on average, with noise, a drop within
// each session and some courses that get worse; values are integers, so ties are common.
// Sleep quality and hours, MYMOP items (symptom2 often absent) and, for headache and
// migraine clients, headache days and HIT-6 totals (sums of six item scores, so only
// achievable totals) come with missing values as in practice. A few sessions have adverse
// events (adverse_event_type set exactly then), and about 2% of clients refuse consent.
//
// # Faults
//
// With [Config.BadShare] > 0, that share of consenting rows gets one of the [Faults],
// cycling through the kinds so that every kind appears after a few bad rows, and each such
// row carries its [Fault] so tests can check the ingest's quarantine. Faults only touch
// rows that consent, never create a natural-key collision other than the intended
// duplicate or conflict, and draw from their own random stream: the clean rows of a seed
// are the same whatever the bad share.
//
// # Determinism and streaming
//
// All randomness comes from math/rand/v2 PCG seeded by [Config.Seed]; "today" is an input.
// The same Config gives byte-identical CSV and JSON Lines and identical rows in Parquet
// and xlsx. [Rows] yields one row at a time and [Write] streams, so memory does not grow
// with the number of clients (xlsx aside, which excelize buffers in a temporary file).
package synth
