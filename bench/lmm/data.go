package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/cstoutcomes/outcomes/pipeline/stats"
)

// Sizes of the benchmark data: 500 practitioners with 200 clients each, 10 sessions per client.
const (
	nPractitioners    = 500
	clientsPerPract   = 200
	sessionsPerClient = 10
	nRows             = nPractitioners * clientsPerPract * sessionsPerClient // 1,000,000
)

// generate draws the benchmark's nested data from a PCG seeded with seed:
// y = 6.5 - 0.3 session_number + u_practitioner + u_client + e, with sds 0.9, 1.2 and 1.1.
// Keys are 32 hex digits like the lake's pseudonymised keys; client keys are unique overall.
func generate(seed uint64) stats.LMMData {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := stats.LMMData{
		Y:      make([]float64, 0, nRows),
		X:      [][]float64{make([]float64, 0, nRows)},
		XNames: []string{"session_number"},
		Group:  make([]string, 0, nRows),
		Outer:  make([]string, 0, nRows),
	}
	for range nPractitioners {
		pKey := hexKey(rng)
		up := 0.9 * rng.NormFloat64()
		for range clientsPerPract {
			cKey := hexKey(rng)
			uc := 1.2 * rng.NormFloat64()
			for s := 1; s <= sessionsPerClient; s++ {
				d.Y = append(d.Y, 6.5-0.3*float64(s)+up+uc+1.1*rng.NormFloat64())
				d.X[0] = append(d.X[0], float64(s))
				d.Group = append(d.Group, cKey)
				d.Outer = append(d.Outer, pKey)
			}
		}
	}
	return d
}

func hexKey(rng *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
}

// writeCSV writes d as client_key,practitioner_key,session_number,y with y in the shortest
// decimal that reads back as the same double, so R fits exactly the data Go fits.
func writeCSV(w io.Writer, d stats.LMMData) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString("client_key,practitioner_key,session_number,y\n"); err != nil {
		return err
	}
	var buf []byte
	for i, y := range d.Y {
		buf = buf[:0]
		buf = append(buf, d.Group[i]...)
		buf = append(buf, ',')
		buf = append(buf, d.Outer[i]...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, d.X[0][i], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, y, 'g', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
