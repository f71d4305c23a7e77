package pseudo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// reference computes DESIGN.md section 5's formula directly, without the Hasher's caching.
func reference(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func TestHasherMatchesDesignFormula(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	h := NewHasher(key)
	tests := []struct{ pract, client, wantP, wantC string }{
		{"P017", "C00423", reference(key, "practitioner\x00P017"), reference(key, "client\x00P017\x00C00423")},
		{"  P017 ", " C00423", reference(key, "practitioner\x00P017"), reference(key, "client\x00P017\x00C00423")},
		{"P1", "7", reference(key, "practitioner\x00P1"), reference(key, "client\x00P1\x007")},
	}
	for range 2 { // the second pass is served from the cache
		for _, tt := range tests {
			if got := h.Practitioner(tt.pract); got != tt.wantP {
				t.Errorf("Practitioner(%q) = %s, want %s", tt.pract, got, tt.wantP)
			}
			if got := h.Client(tt.pract, tt.client); got != tt.wantC {
				t.Errorf("Client(%q, %q) = %s, want %s", tt.pract, tt.client, got, tt.wantC)
			}
		}
	}
	// The same client id under two practitioners is two clients.
	if h.Client("P1", "C1") == h.Client("P2", "C1") {
		t.Error("client keys of C1 under P1 and P2 are equal")
	}
	// Inner spaces are part of the id.
	if h.Practitioner("P 1") == h.Practitioner("P1") {
		t.Error("inner spaces were removed from the id")
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if _, err := LoadKey(path); !errors.Is(err, ErrNoKey) || exit.Code(err) != exit.Usage {
		t.Fatalf("LoadKey of a missing key: %v (exit %d), want ErrNoKey and exit 2", err, exit.Code(err))
	}
	if err := NewKeyFile(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", st.Mode().Perm())
	}
	if err := NewKeyFile(path); err == nil {
		t.Error("NewKeyFile replaced an existing key")
	}
	key, err := LoadKey(path)
	if err != nil || len(key) != KeySize {
		t.Fatalf("LoadKey: %d bytes, %v", len(key), err)
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadKey(path); exit.Code(err) != exit.Usage {
		t.Errorf("LoadKey of a short key: %v, want a usage error", err)
	}
}

// TestHasherCacheBounded checks that keys stay right past the cache's bound.
func TestHasherCacheBounded(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	h := NewHasher(key)
	for i := range CacheSize + 10 {
		c := fmt.Sprint("C", i)
		if got, want := h.Client("P1", c), reference(key, "client\x00P1\x00"+c); got != want {
			t.Fatalf("Client(P1, %s) = %s, want %s", c, got, want)
		}
	}
	if len(h.clients) > CacheSize {
		t.Errorf("cache holds %d keys, more than CacheSize %d", len(h.clients), CacheSize)
	}
	if got, want := h.Client("P1", "C3"), reference(key, "client\x00P1\x00C3"); got != want {
		t.Errorf("after the cache was cleared: %s, want %s", got, want)
	}
}
