package notebook_test

import (
	"fmt"

	"github.com/cstoutcomes/outcomes/pipeline/notebook"
)

func ExampleParse() {
	src := "---\ntitle: Caseload\nparams:\n  min_clients: {type: int, default: 5}\n---\n" +
		"Practitioners with at least {{ .min_clients }} clients.\n\n" +
		"```sql name=caseload chart=bar x=practitioner_key y=clients\n" +
		"SELECT practitioner_key, count(*) AS clients FROM clients\n" +
		"GROUP BY ALL HAVING count(*) >= $min_clients ORDER BY practitioner_key\n```\n"
	nb, err := notebook.Parse("caseload.md", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	vals, err := nb.Bind(map[string]string{"min_clients": "10"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := nb.Cells()[0]
	fmt.Printf("%s: %s = %v (%T)\n", nb.Title, vals[0].Name, vals[0].Value, vals[0].Value)
	fmt.Printf("cell at line %d: table %s, %s chart of %s by %s\n", c.Line, c.Name, c.Chart.Kind, c.Chart.Y, c.Chart.X)

	_, err = nb.Bind(map[string]string{"min_clients": "ten"})
	fmt.Println(err)
	// Output:
	// Caseload: min_clients = 10 (int64)
	// cell at line 8: table caseload, bar chart of clients by practitioner_key
	// parameter min_clients: "ten" is not an int
}
