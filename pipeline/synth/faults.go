package synth

import "slices"

// Fault names an error injected into a row (Row.Fault), so tests can check that the
// ingest quarantines exactly the rows it should, for the right reason.
type Fault string

// The injected faults. Every kind but FaultDuplicate and FaultConflict changes the row in
// place; those two add a row (and FaultConflict tags both rows, since the ingest
// quarantines every row of a conflicting key).
const (
	FaultRange           Fault = "range"            // a value out of its range: pain 11, hit6 37, MYMOP 7, ...
	FaultEnumTypo        Fault = "enum_typo"        // a misspelt vocabulary value: "CTS", "migrane", ...
	FaultFutureDate      Fault = "future_date"      // a session date after Today
	FaultBadDate         Fault = "bad_date"         // a date that does not exist or parse: "31/02/2024"
	FaultDuplicate       Fault = "duplicate"        // an exact copy of the row before it
	FaultConflict        Fault = "conflict"         // same practitioner, client and session number, other values
	FaultSwapped         Fault = "swapped"          // pain_before and session_number swapped (only where pain_before is 0, so the swap is detectable)
	FaultMissingRequired Fault = "missing_required" // a required value left empty
	FaultMissingAEType   Fault = "missing_ae_type"  // adverse_event mild with no adverse_event_type
)

// Faults lists every kind, in the order they are injected.
var Faults = []Fault{
	FaultRange, FaultEnumTypo, FaultFutureDate, FaultBadDate, FaultDuplicate, FaultConflict,
	FaultSwapped, FaultMissingRequired, FaultMissingAEType,
}

// faultPicker cycles through the kinds so that a few bad rows already cover all of them;
// a kind that does not apply to a row (a swap needs pain_before 0) waits for one that does.
type faultPicker struct {
	next    int
	waiting []Fault
}

func (p *faultPicker) pick(applies func(Fault) bool) Fault {
	for i, f := range p.waiting {
		if applies(f) {
			p.waiting = slices.Delete(p.waiting, i, i+1)
			return f
		}
	}
	for range Faults {
		f := Faults[p.next]
		p.next = (p.next + 1) % len(Faults)
		if applies(f) {
			return f
		}
		if !slices.Contains(p.waiting, f) {
			p.waiting = append(p.waiting, f)
		}
	}
	return ""
}

// inject applies a fault to the current row and yields the row(s).
func (g *generator) inject(c *client, yield func(Row) bool) bool {
	f := g.faults.pick(func(f Fault) bool {
		return f != FaultSwapped || (g.get(colPainBefore) == "0" && !c.swapped)
	})
	r := g.frng
	switch f {
	case FaultRange:
		v := rangeFaults[r.IntN(len(rangeFaults))]
		g.set(v.col, v.value)
	case FaultEnumTypo:
		v := typoFaults[r.IntN(len(typoFaults))]
		g.set(v.col, v.value)
	case FaultFutureDate:
		g.set(colDate, g.date(g.today+1+r.IntN(90)))
	case FaultBadDate:
		g.set(colDate, badDates[r.IntN(len(badDates))])
	case FaultSwapped:
		c.swapped = true
		sn := g.get(colSession)
		g.set(colSession, g.get(colPainBefore))
		g.set(colPainBefore, sn)
	case FaultMissingRequired:
		g.set(requiredCols[r.IntN(len(requiredCols))], "")
	case FaultMissingAEType:
		g.set(colAdverse, "mild")
		g.set(colAdverseType, "")
	case FaultDuplicate:
		return yield(Row{Fields: g.fields}) && yield(Row{Fields: g.fields, Fault: f})
	case FaultConflict:
		if !yield(Row{Fields: g.fields, Fault: f}) {
			return false
		}
		g.set(colPainAfter, conflictingPain(g.get(colPainAfter)))
	}
	return yield(Row{Fields: g.fields, Fault: f})
}

// conflictingPain returns a pain score different from v.
func conflictingPain(v string) string {
	for i := range 11 {
		if numbers[i] == v {
			return numbers[(i+3)%11]
		}
	}
	return "5"
}

type faultValue struct {
	col   int
	value string
}

var (
	rangeFaults = []faultValue{
		{colPainBefore, "11"}, {colPainAfter, "12"}, {colPainAfter, "-1"}, {colHIT6, "37"},
		{colHIT6, "80"}, {colSymptom1, "7"}, {colHeadacheDays, "30"}, {colSleepQuality, "11"},
		{colSleepHours, "25"},
	}
	typoFaults = []faultValue{
		{colModality, "CTS"}, {colModality, "cranio"}, {colComplaint, "migrane"},
		{colComplaint, "back pian"}, {colComplaint, "neckpain"}, {colSex, "femal"},
		{colAdverse, "mlid"}, {colAgeBand, "45-60"},
	}
	badDates     = []string{"31/02/2024", "2024-02-30", "2024-13-01", "yesterday", "2023-06-31"}
	requiredCols = []int{colDate, colModality, colComplaint, colAdverse}
)
