package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	measures := flag.String("measures", "measures.json", "path of measures.json")
	out := flag.String("o", "sessions.v1.json", "output file")
	flag.Parse()
	if err := run(*measures, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(measuresPath, outPath string) error {
	in, err := os.ReadFile(measuresPath)
	if err != nil {
		return err
	}
	b, err := generate(in)
	if err != nil {
		return fmt.Errorf("%s: %w", measuresPath, err)
	}
	return os.WriteFile(outPath, b, 0o644)
}
