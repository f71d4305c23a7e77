package lake

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Key is the natural key of a session: pseudonymous keys and the session number, never a
// source id.
type Key struct {
	PractitionerKey string `json:"practitioner_key"`
	ClientKey       string `json:"client_key"`
	SessionNumber   int32  `json:"session_number"`
}

// Diff is how the sessions view of one lake version differs from another's.
type Diff struct {
	From, To int64
	// Added: natural keys in To's view and not in From's. Superseded: keys in both whose row
	// changed (a newer row replaced it). Removed: keys in From's view and not in To's (a
	// forget). Each sorted.
	Added, Superseded, Removed []Key
}

// Diff compares the sessions view (one row per natural key, as pipeline/duck defines it) of
// lake versions from and to (0: the latest). Both must be readable.
func (l *Lake) Diff(ctx context.Context, from, to int64) (*Diff, error) {
	st, err := l.loadState(ctx)
	if err != nil {
		return nil, err
	}
	var views [2]map[string]rank
	d := &Diff{}
	for i, v := range []int64{from, to} {
		c, err := st.version(v)
		if err != nil {
			return nil, err
		}
		files, err := planFiles(ctx, st.sessions, c.SessionsSnapshot)
		if err != nil {
			return nil, err
		}
		views[i], err = l.winners(ctx, paths(files))
		if err != nil {
			return nil, err
		}
		if i == 0 {
			d.From = c.Version
		} else {
			d.To = c.Version
		}
	}
	for k, r := range views[1] {
		old, ok := views[0][k]
		switch {
		case !ok:
			d.Added = append(d.Added, parseKey(k))
		case old.version != r.version || old.line != r.line || old.sha != r.sha:
			d.Superseded = append(d.Superseded, parseKey(k))
		}
	}
	for k := range views[0] {
		if _, ok := views[1][k]; !ok {
			d.Removed = append(d.Removed, parseKey(k))
		}
	}
	for _, s := range [][]Key{d.Added, d.Superseded, d.Removed} {
		slices.SortFunc(s, func(a, b Key) int {
			return cmp.Or(strings.Compare(a.PractitionerKey, b.PractitionerKey),
				strings.Compare(a.ClientKey, b.ClientKey), cmp.Compare(a.SessionNumber, b.SessionNumber))
		})
	}
	return d, nil
}

func parseKey(k string) Key {
	parts := strings.SplitN(k, "\x00", 3)
	if len(parts) != 3 {
		panic(fmt.Sprintf("lake: bad natural key %q", k))
	}
	n, _ := strconv.Atoi(parts[2])
	return Key{parts[0], parts[1], int32(n)}
}
