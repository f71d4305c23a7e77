package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go"
)

// ErrNoSuchClient says forget found no row of the client key in the latest version, and no
// earlier forget of it.
var ErrNoSuchClient = errors.New("no rows of this client key in the lake")

// ForgetResult is what [Lake.Forget] did.
type ForgetResult struct {
	// Commit is the forget version; nil when the client had no rows (AlreadyForgotten).
	Commit *Commit
	// AlreadyForgotten is the version of an earlier forget of the same key (0: none).
	AlreadyForgotten int64
	// FilesRewritten counts the live data files that held the client's rows and were
	// replaced (by a copy without them, or by nothing).
	FilesRewritten int
	// ExpiredVersions counts the versions whose snapshots were expired: they can no longer
	// be read (--as-of), and vacuum deletes the files only they used.
	ExpiredVersions int
}

// KeySHA256 returns the hex sha256 of a client key: what the log records of an erasure.
func KeySHA256(clientKey string) string {
	h := sha256.Sum256([]byte(clientKey))
	return hex.EncodeToString(h[:])
}

// Forget erases every row of a client (its client_key) from sessions and quarantine: a
// copy-on-write commit that replaces each live data file holding the client's rows by a copy
// without them, recorded as a lake version with operation forget, the sha256 of the key and
// the reason. It then expires every snapshot of both tables before that version: they still
// name the old files, so versions before the erasure can no longer be read, and [Lake.Vacuum]
// deletes the files only they used. The caller holds the workspace lock.
//
// A quarantine row is the client's when its client_key column is the key; rows quarantined
// before that column existed, or whose ids were invalid, carry no key and are not found (their
// identifier values were always masked).
func (l *Lake) Forget(ctx context.Context, clientKey, reason string) (*ForgetResult, error) {
	if clientKey == "" {
		return nil, errors.New("forget: empty client key")
	}
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return nil, err
	}
	res := &ForgetResult{}
	rw := l.newRewrite(st, OpForget, 0)
	rw.forgetKeySHA, rw.reason = KeySHA256(clientKey), reason
	if err := l.forgetRows(ctx, st, rw, clientKey); err != nil {
		rw.abort()
		return nil, err
	}
	if rw.empty() {
		rw.abort()
		for _, c := range st.log() {
			if c.Operation == OpForget && c.ForgetKeySHA256 == rw.forgetKeySHA {
				res.AlreadyForgotten = c.Version
			}
		}
		// Complete the expiry of an earlier forget a crash interrupted.
		if n, err := l.expireErased(ctx); err != nil {
			return nil, err
		} else {
			res.ExpiredVersions = n
		}
		if res.AlreadyForgotten == 0 {
			return res, ErrNoSuchClient
		}
		return res, nil
	}
	res.FilesRewritten = len(rw.removeS) + len(rw.removeQ)
	cm, err := l.publishRewrite(ctx, rw)
	if err != nil {
		return nil, err
	}
	res.Commit = cm
	n, err := l.expireErased(ctx)
	if err != nil {
		return res, fmt.Errorf("forget committed version %d, but expiring the older snapshots failed (run lake vacuum): %w", cm.Version, err)
	}
	res.ExpiredVersions = n
	return res, nil
}

// forgetRows writes, for each live file holding rows of clientKey, a copy without them.
func (l *Lake) forgetRows(ctx context.Context, st *state, rw *rewrite, clientKey string) error {
	c, _ := st.latest()
	for _, t := range []struct {
		tbl    *tableWriter
		files  func() ([]iceberg.DataFile, error)
		sc     *arrow.Schema
		remove *[]iceberg.DataFile
	}{
		{rw.s, func() ([]iceberg.DataFile, error) { return planFiles(ctx, st.sessions, c.SessionsSnapshot) }, SessionsSchema(), &rw.removeS},
		{rw.q, func() ([]iceberg.DataFile, error) { return planFiles(ctx, st.quarantine, c.QuarantineSnapshot) }, QuarantineSchema(), &rw.removeQ},
	} {
		files, err := t.files()
		if err != nil {
			return err
		}
		for _, f := range files {
			path, err := local(f.FilePath())
			if err != nil {
				return err
			}
			n, err := l.countKey(ctx, path, t.sc, clientKey)
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			err = readFile(ctx, path, t.sc, l.mem, nil, func(rec arrow.RecordBatch) error {
				keys := stringColumn(rec, "client_key")
				keep := make([]bool, rec.NumRows())
				for i := range keep {
					keep[i] = keys == nil || keys.IsNull(i) || keys.Value(i) != clientKey
				}
				_, err := copyRows(ctx, t.tbl, rec, keep, l.mem)
				return err
			})
			if err != nil {
				return err
			}
			*t.remove = append(*t.remove, f)
		}
	}
	return nil
}

// countKey counts the rows of a data file whose client_key is key.
func (l *Lake) countKey(ctx context.Context, path string, sc *arrow.Schema, key string) (int64, error) {
	var n int64
	err := readFile(ctx, path, sc, l.mem, []string{"client_key"}, func(rec arrow.RecordBatch) error {
		keys := stringColumn(rec, "client_key")
		for i := range int(rec.NumRows()) {
			if keys != nil && keys.IsValid(i) && keys.Value(i) == key {
				n++
			}
		}
		return nil
	})
	return n, err
}

// expireErased expires the snapshots before the latest forget version, if any remain (the
// forget's own expiry, or one a crash interrupted), and returns how many versions it expired.
func (l *Lake) expireErased(ctx context.Context) (int, error) {
	st, err := l.prepareWrite(ctx)
	if err != nil {
		return 0, err
	}
	f := st.forgetAfter(0)
	if f == 0 {
		return 0, nil
	}
	e := planExpiry(st, f, f)
	if err := l.commitExpiry(ctx, st, e); err != nil {
		return 0, err
	}
	return len(e.versions), nil
}
