// Package pseudo turns source identifiers into keyed pseudonyms (DESIGN.md section 5).
//
//	client_key       = hex(HMAC-SHA256(key, "client\x00" + practitioner_id + "\x00" + client_id))[:32]
//	practitioner_key = hex(HMAC-SHA256(key, "practitioner\x00" + practitioner_id))[:32]
//
// Ids are trimmed of surrounding spaces, nothing else. The key is 32 random bytes kept in
// state/key with mode 0600; it is never logged. Without the key, new batches cannot be linked
// to old ones: back it up with the workspace's other secrets.
//
// A [Hasher] caches the keys of the ids it has seen, since a client's id repeats in every
// session: the HMAC is computed once per distinct id, not once per row. The cache is bounded
// ([CacheSize] entries; it starts afresh when full), so memory does not grow with the file.
package pseudo

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"strings"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// KeySize is the length of a pseudonymisation key in bytes.
const KeySize = 32

// CacheSize bounds the number of cached keys of each kind. Exports list a client's sessions
// together, so a cache far smaller than the number of clients still serves most rows.
const CacheSize = 1 << 16

// ErrNoKey says the workspace has no key. It is a usage error: `outcomes init` creates one.
var ErrNoKey = errors.New("no pseudonymisation key")

// NewKeyFile writes a new random key to path with mode 0600. It refuses to replace an
// existing key, since that would unlink every later batch from the earlier ones.
func NewKeyFile(path string) error {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("new key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("new key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return fmt.Errorf("new key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("new key %s: %w", path, err)
	}
	return f.Close()
}

// LoadKey reads the key at path. A missing file wraps ErrNoKey and exit.ErrUsage.
func LoadKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, exit.Usagef("%w at %s: run `outcomes init` to create a workspace with a key, or pass --key-file", ErrNoKey, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if len(key) != KeySize {
		return nil, exit.Usagef("key file %s holds %d bytes, want %d: it is not a key made by `outcomes init`", path, len(key), KeySize)
	}
	return key, nil
}

// Hasher computes practitioner and client keys. It is not safe for concurrent use.
type Hasher struct {
	mac           hash.Hash
	buf           []byte
	sum           []byte
	practitioners map[string]string
	clients       map[[2]string]string
}

// NewHasher returns a Hasher for key.
func NewHasher(key []byte) *Hasher {
	return &Hasher{
		mac:           hmac.New(sha256.New, key),
		practitioners: make(map[string]string),
		clients:       make(map[[2]string]string),
	}
}

// Practitioner returns the practitioner_key of a source practitioner id.
func (h *Hasher) Practitioner(practitionerID string) string {
	p := strings.TrimSpace(practitionerID)
	if k, ok := h.practitioners[p]; ok {
		return k
	}
	k := h.keyed("practitioner", p)
	if len(h.practitioners) >= CacheSize {
		clear(h.practitioners)
	}
	h.practitioners[strings.Clone(p)] = k
	return k
}

// Client returns the client_key of a client id within its practitioner.
func (h *Hasher) Client(practitionerID, clientID string) string {
	id := [2]string{strings.TrimSpace(practitionerID), strings.TrimSpace(clientID)}
	if k, ok := h.clients[id]; ok {
		return k
	}
	k := h.keyed("client", id[0], id[1])
	if len(h.clients) >= CacheSize {
		clear(h.clients)
	}
	h.clients[[2]string{strings.Clone(id[0]), strings.Clone(id[1])}] = k
	return k
}

// keyed returns hex(HMAC(key, domain \x00 parts joined by \x00))[:32].
func (h *Hasher) keyed(domain string, parts ...string) string {
	h.buf = append(h.buf[:0], domain...)
	for _, p := range parts {
		h.buf = append(h.buf, 0)
		h.buf = append(h.buf, p...)
	}
	h.mac.Reset()
	h.mac.Write(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	return hex.EncodeToString(h.sum)[:32]
}
