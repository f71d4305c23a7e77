package atomicfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cstoutcomes/outcomes/internal/atomicfile"
)

func ExampleWriteDir() {
	parent, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	plots := filepath.Join(parent, "plots")
	for _, run := range []string{"first", "second"} {
		err := atomicfile.WriteDir(plots, func(d *atomicfile.Dir) error {
			return d.WriteFile(run+".svg", []byte("<svg/>"), 0o644)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(plots)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// second.svg
}
