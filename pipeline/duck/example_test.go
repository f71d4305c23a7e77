package duck_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// Open an empty lake and query its views; a statement that writes is refused.
func ExampleOpen() {
	ctx := context.Background()
	db, err := duck.Open(ctx, duck.Snapshot{}, duck.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	tab, err := db.QueryTable(ctx, `SELECT count(*) AS sessions, count(DISTINCT client_key) AS clients
FROM sessions`, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tab.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}

	_, err = db.Query(ctx, "CREATE TABLE notes AS SELECT 1")
	fmt.Println(err)
	// Output:
	// sessions  clients
	// --------  -------
	//        0        0
	// (1 row)
	// CREATE statement refused: queries over the lake are read-only (allowed: SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN of a query, and PRAGMAs that only read, such as table_info)
}
