package analysis

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cstoutcomes/outcomes/internal/testlake"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// testLake is a lake in a temporary directory (internal/testlake: a fixed key, today and
// commit time).
type testLake struct {
	t  testing.TB
	tl *testlake.Lake
}

func newLake(t testing.TB) testLake {
	t.Helper()
	return testLake{t, testlake.New(t)}
}

// ingest writes content to a file called name and ingests it in one commit.
func (l testLake) ingest(name, content string) {
	l.t.Helper()
	l.tl.Ingest(name, content)
}

// db opens DuckDB over lake version asOf (0: the latest), as summarize reads it; it is closed
// when the test ends.
func (l testLake) db(asOf int64) *duck.DB {
	l.t.Helper()
	return l.tl.DB(asOf, duck.Options{Threads: 2, Materialize: true})
}

// summarize runs the default plan over db and returns summary.json's bytes.
func summarize(t testing.TB, db *duck.DB) (*Result, []byte) {
	t.Helper()
	plan, err := DefaultPlan()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), db, plan, Options{ProgramVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Summary.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// genCSV returns a clean synthetic export ending at testlake.Today.
func genCSV(t testing.TB, clients int, seed uint64) string {
	t.Helper()
	return testlake.Export(t, clients, seed)
}

// shuffleLines returns csv with its data lines (not the header) in another order. The synthetic
// export has no quoted newlines.
func shuffleLines(csv string, seed uint64) string {
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	body := lines[1:]
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	return lines[0] + "\n" + strings.Join(body, "\n") + "\n"
}
