package source_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// A spreadsheet export with a semicolon delimiter, a byte-order mark, CRLF line ends, a
// quoted field spanning two lines, and one row with a missing field.
func ExampleNewCSV() {
	export := "\uFEFFclient_id;pain_before;notes\r\n" +
		"C001;7;\"first visit,\r\nslept badly\"\r\n" +
		"C002;5\r\n" +
		"C003;3;\r\n"
	r, err := source.NewCSV(strings.NewReader(export), "visits.csv", source.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Printf("header %q\n", r.Header())
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("reject the file:", err)
			return
		}
		if rec.Err != nil {
			fmt.Println("quarantine:", rec.Err, "| parse:", errors.Is(rec.Err, source.ErrFieldCount))
			continue
		}
		fmt.Printf("line %d: %q\n", rec.Line, rec.Fields)
	}
	// Output:
	// header ["client_id" "pain_before" "notes"]
	// line 2: ["C001" "7" "first visit,\nslept badly"]
	// quarantine: visits.csv:4: wrong number of fields: 2 fields, the header has 3 | parse: true
	// line 5: ["C003" "3" ""]
}

// An encoding error is file-level: it names the file, line and byte column, says what to
// do, and does not show the cell.
func ExampleFileError() {
	r, err := source.NewCSV(strings.NewReader("client_id,notes\nC1,caf\xe9\n"), "visits.csv", source.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	_, err = r.Next()
	fmt.Println(err)
	fmt.Println(errors.Is(err, source.ErrEncoding))
	// Output:
	// visits.csv:2:7: not valid UTF-8; if the file was saved by Excel on Windows, use --encoding windows-1252
	// true
}
