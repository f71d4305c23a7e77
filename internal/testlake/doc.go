// Package testlake builds small lakes for tests: a lake in a temporary directory, CSV exports
// ingested into it, and the snapshot pipeline/duck reads, as the pipeline's stages build them,
// so that a test of a later stage (analysis, notebooks) runs on real ingested data.
//
// # Fixed inputs
//
// A test lake depends only on what is ingested into it. Every lake uses the one key [Key]
// for its pseudonyms and the one date [Today]: the validator's "today" (no session may be
// later), the last date of the synthetic exports of [Export], and the time of every commit.
// Nothing here reads the wall clock or a random source other than the seed it is given.
//
// # Use
//
// In a test, [New] opens a lake that is closed when the test ends; its methods fail the test
// on any error:
//
//	tl := testlake.New(t)
//	tl.Ingest("export.csv", testlake.Export(t, 60, 3))
//	db := tl.DB(0, duck.Options{Threads: 1})
//
// A lake shared by a package's tests is built once in TestMain, which has no testing.TB:
// [WriteExport], [Open] and [IngestFile] do the same steps and return errors.
//
// # Room
//
// It is for tests only (it imports testing). The packages it builds on cannot use it in their
// own tests (pipeline/ingest, pipeline/lake, pipeline/duck: an import cycle); their tests
// build what they need by hand.
package testlake
