package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// PCG streams: clean data and injected faults draw from separate streams, so the clean
// values of a seed are the same whatever BadShare is.
const (
	streamData  = 1
	streamFault = 2
)

// generator walks practitioners, their clients and the clients' sessions in order.
type generator struct {
	cfg    Config
	extra  bool
	today  int // days since 1970-01-01
	rng    *rand.Rand
	frng   *rand.Rand
	fields []string
	dates  map[int]string
	faults faultPicker
}

func newGenerator(cfg Config) *generator {
	y, m, d := cfg.Today.Date()
	return &generator{
		cfg:    cfg,
		extra:  cfg.ExtraColumns,
		today:  int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400),
		rng:    rand.New(rand.NewPCG(cfg.Seed, streamData)),
		frng:   rand.New(rand.NewPCG(cfg.Seed, streamFault)),
		fields: make([]string, len(cfg.Header())),
		dates:  map[int]string{},
	}
}

// practitioner holds what is shared by one practitioner's clients.
type practitioner struct {
	id        string
	effect    float64   // random effect on pain and symptom levels (negative = better)
	modality  []float64 // weights of the modalities this practitioner uses
	nextID    int       // next client number
	idStride  int
	aeRateMul float64
}

// client holds one client's course.
type client struct {
	id, name           string
	complaint          int
	ageBand, sex       string
	modality           string
	sessions           int
	consent            bool
	start              int     // day of the first session
	level, slope       float64 // pain level at the start and its change per session
	sessionRelief      float64 // mean drop of pain within a session
	recordsPain        bool
	recordsSleep       bool
	headache           bool
	hdBase, hdSlope    float64
	mymop, symptom2    bool
	m1, m2, act, well  float64 // MYMOP starting levels
	mSlope             float64
	swapped            bool // a swapped-columns fault was injected (at most one per client)
	sleepBase, hrsBase float64
}

// run generates every row and stops early when yield returns false.
func (g *generator) run(yield func(Row) bool) {
	counts := caseloads(g.rng, g.cfg.Clients, g.cfg.practitionerCount())
	for p, n := range counts {
		pr := g.newPractitioner(p)
		for range n {
			c := g.newClient(pr)
			for s := range c.sessions {
				if !g.session(pr, c, s, yield) {
					return
				}
			}
		}
	}
}

// caseloads splits clients among n practitioners with log-normal weights (a few large
// practices, many small ones), each getting at least one client.
func caseloads(rng *rand.Rand, clients, n int) []int {
	w := make([]float64, n)
	total := 0.0
	for i := range w {
		w[i] = math.Exp(rng.NormFloat64() * 0.8)
		total += w[i]
	}
	counts := make([]int, n)
	rest := clients - n
	given := 0
	for i := range counts {
		share := int(float64(rest) * w[i] / total)
		counts[i] = 1 + share
		given += share
	}
	for i := 0; given < rest; i = (i + 1) % n { // the rounding remainder, round robin
		counts[i]++
		given++
	}
	return counts
}

func (g *generator) newPractitioner(i int) *practitioner {
	r := g.rng
	mod := make([]float64, len(modalityWeights))
	for j, w := range modalityWeights {
		mod[j] = w * r.Float64()
	}
	return &practitioner{
		id:        fmt.Sprintf("%sP%03d", g.cfg.PractitionerPrefix, i+1),
		effect:    r.NormFloat64() * 0.6,
		modality:  mod,
		nextID:    1 + r.IntN(400),
		idStride:  1 + r.IntN(3),
		aeRateMul: 0.5 + r.Float64(),
	}
}

func (g *generator) newClient(pr *practitioner) *client {
	r := g.rng
	c := &client{
		id:        fmt.Sprintf("C%05d", pr.nextID),
		complaint: pick(r, complaintWeights),
		modality:  modalities[pick(r, pr.modality)],
		sessions:  1 + pick(r, sessionsWeights),
		consent:   r.Float64() >= 0.02,
	}
	pr.nextID += pr.idStride
	c.ageBand, c.sex = demographics(r, complaints[c.complaint])
	ce := r.NormFloat64() * 0.8
	c.level = 4 + 3*r.Float64() + pr.effect + ce
	c.slope = 0.35 + r.NormFloat64()*0.3 // about 12% of courses get worse
	c.sessionRelief = 1.2 + r.NormFloat64()*0.4
	c.recordsPain = r.Float64() < painRecording(complaints[c.complaint])
	c.recordsSleep = r.Float64() < 0.7
	c.sleepBase, c.hrsBase = 4+2*r.Float64(), 5.5+1.5*r.Float64()
	c.headache = c.complaint <= 1 // headache, migraine
	c.hdBase, c.hdSlope = 6+18*r.Float64(), 0.4+r.NormFloat64()*0.6
	c.mymop, c.symptom2 = r.Float64() < 0.85, r.Float64() < 0.65
	c.m1, c.m2, c.act, c.well = 3+2*r.Float64(), 2+3*r.Float64(), 2+3*r.Float64(), 2+3*r.Float64()
	c.mSlope = 0.2 + r.NormFloat64()*0.2 + ce*0.02
	c.start = g.courseStart(c.sessions)
	if g.extra {
		c.name = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
	}
	return c
}

// demographics draws an age band and sex consistent with the complaint.
func demographics(r *rand.Rand, complaint string) (string, string) {
	switch complaint {
	case "infant":
		return ageBands[0], sexes[r.IntN(2)]
	case "pregnancy":
		return ageBands[1+r.IntN(2)], "female"
	}
	return ageBands[pick(r, ageBandWeights)], sexes[pick(r, sexWeights)]
}

// painRecording is the share of clients whose pain is recorded, by complaint.
func painRecording(complaint string) float64 {
	switch complaint {
	case "anxiety", "stress", "ptsd", "sleep", "fatigue", "infant", "pregnancy":
		return 0.4
	}
	return 0.95
}

// courseStart picks the first session's day: within the last three years, early enough
// that the whole course (up to two weeks between sessions) ends before today.
func (g *generator) courseStart(sessions int) int {
	latest := g.today - 15*sessions - 1 - g.rng.IntN(30)
	earliest := g.today - 3*365
	if latest <= earliest {
		return latest
	}
	return earliest + g.rng.IntN(latest-earliest)
}

// session fills and yields session s (0-based) of client c, with any injected fault.
func (g *generator) session(pr *practitioner, c *client, s int, yield func(Row) bool) bool {
	if s > 0 {
		c.start += 7*(1+g.rng.IntN(2)) + g.rng.IntN(3) - 1 // a week or two later
	}
	g.fill(pr, c, s)
	if !c.consent || g.frng.Float64() >= g.cfg.BadShare {
		return yield(Row{Fields: g.fields})
	}
	return g.inject(c, yield)
}

// fill writes the clean values of one session into g.fields.
func (g *generator) fill(pr *practitioner, c *client, s int) {
	r, f := g.rng, g.fields
	clear(f)
	t := float64(s)
	g.set(colPractitioner, pr.id)
	g.set(colClient, c.id)
	g.set(colDate, g.date(c.start))
	g.set(colSession, itoa(s+1))
	g.set(colModality, c.modality)
	g.set(colComplaint, complaints[c.complaint])
	g.set(colAgeBand, c.ageBand)
	g.set(colSex, c.sex)
	level := c.level - c.slope*t + r.NormFloat64()*0.7
	if c.recordsPain {
		after := level - (c.sessionRelief + r.NormFloat64()*1.0)
		g.setMaybe(colPainBefore, itoa(clamp(level, 0, 10)), 0.02)
		g.setMaybe(colPainAfter, itoa(clamp(after, 0, 10)), 0.03)
	}
	if c.recordsSleep {
		q := c.sleepBase + 0.35*(7-level) + r.NormFloat64()*1.2
		h := c.hrsBase + 0.1*(7-level) + r.NormFloat64()*0.7
		g.setMaybe(colSleepQuality, itoa(clamp(q, 0, 10)), 0.05)
		g.setMaybe(colSleepHours, halfHours(h), 0.15)
	}
	if c.headache && (s%3 == 0) {
		days := c.hdBase - c.hdSlope*t + r.NormFloat64()*2
		g.setMaybe(colHeadacheDays, itoa(clamp(days, 0, 28)), 0.05)
		g.setMaybe(colHIT6, itoa(hit6(r, days)), 0.1)
	}
	if c.mymop && r.Float64() < 0.85 {
		d := c.mSlope*t + r.NormFloat64()*0.5
		g.set(colSymptom1, itoa(clamp(c.m1-d, 0, 6)))
		if c.symptom2 {
			g.set(colSymptom2, itoa(clamp(c.m2-d+r.NormFloat64()*0.5, 0, 6)))
		}
		g.set(colActivity, itoa(clamp(c.act-d+r.NormFloat64()*0.5, 0, 6)))
		g.setMaybe(colWellbeing, itoa(clamp(c.well-d+r.NormFloat64()*0.5, 0, 6)), 0.05)
	}
	g.adverse(pr)
	g.set(colConsent, strconv.FormatBool(c.consent))
	if g.extra {
		g.set(colName, c.name)
		if r.Float64() < 0.4 {
			g.set(colNotes, notes[r.IntN(len(notes))])
		}
	}
}

// adverse draws the session's adverse event; rates are a few percent minor events and
// rare major ones, roughly as Carnes 2010 report for manual therapy (measures.json).
func (g *generator) adverse(pr *practitioner) {
	u := g.rng.Float64() / pr.aeRateMul
	sev := 0
	switch {
	case u < 0.0002:
		sev = 4
	case u < 0.0012:
		sev = 3
	case u < 0.008:
		sev = 2
	case u < 0.035:
		sev = 1
	}
	g.set(colAdverse, adverseEvents[sev])
	if sev > 0 {
		g.set(colAdverseType, adverseEventTypes[pick(g.rng, []float64{25, 15, 10, 20, 15, 10, 5})])
	}
}

// hit6 draws the six item responses for a client with about days headache days in 28,
// so the total is always an achievable HIT-6 score.
func hit6(r *rand.Rand, days float64) int {
	centre := 0.5 + 3*days/28
	total := 0
	for range 6 {
		total += hit6Items[clamp(centre+r.NormFloat64()*0.9, 0, 4)]
	}
	return total
}

// halfHours formats hours rounded to the half hour, within 0..24, as strconv 'g' would.
func halfHours(h float64) string {
	return halfHourText[clamp(h*2, 0, 48)]
}

// halfHourText[i] is i/2 hours as text: "0", "0.5", "1", ... "24".
var halfHourText = func() []string {
	s := make([]string, 49)
	for i := range s {
		s[i] = strconv.FormatFloat(float64(i)/2, 'g', -1, 64)
	}
	return s
}()

func (g *generator) set(col int, v string) { g.fields[fieldIndex(col, g.extra)] = v }

// setMaybe sets v unless the value is missing, which happens with probability pMissing.
func (g *generator) setMaybe(col int, v string, pMissing float64) {
	if g.rng.Float64() >= pMissing {
		g.set(col, v)
	}
}

func (g *generator) get(col int) string { return g.fields[fieldIndex(col, g.extra)] }

// date returns day (days since 1970-01-01) as YYYY-MM-DD.
func (g *generator) date(day int) string {
	if s, ok := g.dates[day]; ok {
		return s
	}
	s := time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly)
	g.dates[day] = s
	return s
}
