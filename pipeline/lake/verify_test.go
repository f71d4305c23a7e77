package lake

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func TestVerifyFindsDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		want   []string // substrings of the problem
	}{
		{"deleted", func(t *testing.T, p string) { must(t, os.Remove(p)) }, []string{"missing"}},
		{"truncated", func(t *testing.T, p string) {
			fi, err := os.Stat(p)
			must(t, err)
			must(t, os.Truncate(p, fi.Size()-100))
		}, []string{"size", "the manifest says"}},
		{"changed byte", func(t *testing.T, p string) {
			data, err := os.ReadFile(p)
			must(t, err)
			data[len(data)/2] ^= 0x40
			must(t, os.WriteFile(p, data, 0o644))
		}, []string{"sha256"}},
		{"footer overwritten", func(t *testing.T, p string) {
			data, err := os.ReadFile(p)
			must(t, err)
			copy(data[len(data)-12:], "garbagegarba")
			must(t, os.WriteFile(p, data, 0o644))
		}, []string{"sha256", "footer unreadable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := openTestLake(t)
			ctx := t.Context()
			appendBatch(t, l, "v1", randomRows(rand.New(rand.NewPCG(13, 13)), 2000, 2020, 2022), 2)
			if p, err := l.Verify(ctx); err != nil || len(p) != 0 {
				t.Fatalf("Verify of an intact lake = %v, %v", p, err)
			}
			snap, err := l.Snapshot(ctx, 0)
			must(t, err)
			victim := snap.SessionsFiles[1]
			tc.damage(t, victim)
			problems, err := l.Verify(ctx)
			must(t, err)
			if len(problems) == 0 {
				t.Fatal("Verify found nothing")
			}
			text := ""
			for _, p := range problems {
				if p.File != victim {
					t.Errorf("problem with an intact file: %v", p)
				}
				text += p.String() + "\n"
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("problems %q do not mention %q", text, w)
				}
			}
		})
	}
}

func TestVerifyChecksumFile(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	c := appendBatch(t, l, "v1", randomRows(rand.New(rand.NewPCG(14, 14)), 20, 2020), 0)
	must(t, os.Remove(l.dir+"/"+c.checksums))
	problems, err := l.Verify(ctx)
	must(t, err)
	if len(problems) < 2 || !strings.Contains(problems[0].Msg, "checksum file") {
		t.Fatalf("problems = %v", problems)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
