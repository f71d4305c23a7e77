package synth

import (
	"io"
	"testing"

	"github.com/cstoutcomes/outcomes/pipeline/source"
)

// BenchmarkWrite reports how fast each format is generated (200k rows of data).
func BenchmarkWrite(b *testing.B) {
	cfg := testConfig(36_000, 1)
	for _, f := range []source.Format{source.FormatCSV, source.FormatJSONL, source.FormatParquet} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			rows := 0
			for b.Loop() {
				st, err := Write(b.Context(), io.Discard, f, cfg)
				if err != nil {
					b.Fatal(err)
				}
				rows += st.Rows
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
