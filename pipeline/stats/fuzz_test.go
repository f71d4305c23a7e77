package stats

import (
	"encoding/binary"
	"math"
	"testing"
)

// floatsFrom decodes 8 bytes per value; used by the fuzz targets.
func floatsFrom(b []byte) []float64 {
	out := make([]float64, 0, len(b)/8)
	for len(b) >= 8 {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

func floatBytes(x ...float64) []byte {
	b := make([]byte, 0, 8*len(x))
	for _, v := range x {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// FuzzNoPanic feeds arbitrary numbers to every method: data may be anything, and no method
// may panic (errors and documented NaN are fine).
func FuzzNoPanic(f *testing.F) {
	f.Add(floatBytes(7, 3, 2, 2, 1, 7, 9, 5, 4, 4, 3, 9))
	f.Add(floatBytes(1, math.NaN(), 3, 4, 5, 6))
	f.Add(floatBytes(0, 0, 0, 0))
	f.Add(floatBytes(1e308, -1e308, 5, 3))
	f.Add(floatBytes(math.Inf(1), 1, 2, 3))
	f.Add(floatBytes(1e-300, 2e-300, 3e-300, 1e-300, 0, 5e-324))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := floatsFrom(b)
		if len(v) > 400 {
			t.Skip("large inputs only slow the fuzzer down")
		}
		h := len(v) / 2
		x, y := v[:h], v[h:2*h]
		_, _ = Describe(v)
		_, _ = Quantile(v, 0.3)
		_, _ = PairedTTest(x, y, TTestOptions{})
		_, _ = WelchTTest(x, v[h:], TTestOptions{Alternative: Greater})
		_, _ = WilcoxonSignedRank(x, y, WilcoxonOptions{})
		_, _ = WilcoxonSignedRank(x, y, WilcoxonOptions{Alternative: Less, Method: WilcoxonNormal})
		_, _ = CohensDz(x, y, EffectSizeOptions{})
		_, _ = HedgesG(x, v[h:], EffectSizeOptions{})
		_, _ = SignTest(x, y, HigherIsBetter, ProportionOptions{})
		_ = AdjustHolm(v)
		_ = AdjustBH(v)
		vi := make([]float64, len(y))
		for i := range y {
			vi[i] = math.Abs(y[i])
		}
		_, _ = MetaAnalysis(x, vi, MetaOptions{KnappHartung: true, MaxIter: 200})
		_, _ = MetaAnalysis(x, vi, MetaOptions{Method: Tau2DL})
		if len(v) >= 3 {
			n := int(math.Mod(math.Abs(v[0]), 1e4))
			k := int(math.Mod(math.Abs(v[1]), 1e4))
			_, _ = Wilson(k, n, ProportionOptions{ConfLevel: math.Mod(math.Abs(v[2]), 1)})
			_, _ = ClopperPearson(k, n, ProportionOptions{})
			_, _ = PoissonRate(k, v[2], PoissonOptions{Rate0: math.Abs(v[0])})
			_ = NoncentralTCDF(v[0], v[1], v[2])
		}
	})
}
