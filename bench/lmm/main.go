// Command lmm is the end-to-end benchmark of stats.FitLMM against R's lme4 on the same data:
// 1,000,000 rows, 100,000 clients nested in 500 practitioners, fitted by REML as
// y ~ session_number + (1 | practitioner/client).
//
//	go run ./bench/lmm -csv data.csv   # write the data for lme4.R
//	go run ./bench/lmm -fit            # time FitLMM and print the estimates
//
// run.sh runs both and R, and prints the times and their ratio. The Go benchmark proper
// (ns/op, allocations) is BenchmarkFitLMMNested in this folder:
//
//	go test -run '^$' -bench . -benchtime 3x ./bench/lmm/
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

func main() {
	csvPath := flag.String("csv", "", "write the benchmark data to this CSV file")
	fit := flag.Bool("fit", false, "fit the model with stats.FitLMM and print the time taken")
	reps := flag.Int("reps", 3, "with -fit: number of timed fits (the fastest is reported)")
	seed := flag.Uint64("seed", 1, "seed of the data (PCG)")
	flag.Parse()
	if err := run(*csvPath, *fit, *reps, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "lmm:", err)
		os.Exit(1)
	}
}

func run(csvPath string, fit bool, reps int, seed uint64) error {
	d := generate(seed)
	if csvPath != "" {
		if err := writeFile(csvPath, d); err != nil {
			return err
		}
	}
	if !fit {
		return nil
	}
	best := time.Duration(1<<63 - 1)
	var res *stats.LMMFit
	for range max(reps, 1) {
		start := time.Now()
		r, err := stats.FitLMM(context.Background(), d, stats.LMMOptions{})
		if err != nil {
			return err
		}
		best, res = min(best, time.Since(start)), r
	}
	for _, fe := range res.Fixed {
		fmt.Printf("go %-15s %.10f se %.10f df %.4f\n", fe.Name, fe.Estimate, fe.SE, fe.DF)
	}
	fmt.Printf("go theta %.10f %.10f sigma %.10f REML %.8f evaluations %d\n",
		res.Theta[0], res.Theta[1], res.Sigma, res.Criterion, res.Evaluations)
	fmt.Printf("go_seconds %.4f\n", best.Seconds())
	return nil
}

func writeFile(path string, d stats.LMMData) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return writeCSV(f, d)
}
