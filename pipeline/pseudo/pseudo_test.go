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

// TestHasherKnownAnswer checks the keys against digests computed outside Go, so that a change
// to what is hashed (the domain, the NUL separators, the trimming) or to the truncation is
// caught: TestHasherMatchesDesignFormula compares with reference, which could change with
// it. The wants are the first 32 hex digits of these OpenSSL 3 digests (ids in UTF-8), and
// Python's hmac.new(key, msg, hashlib.sha256).hexdigest()[:32] gives the same:
//
//	K=0123456789abcdef0123456789abcdef
//	printf 'practitioner\0P017' | openssl dgst -sha256 -hmac $K
//	printf 'client\0P017\0C00423' | openssl dgst -sha256 -hmac $K
//	H=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
//	printf 'practitioner\0Dr Ümit' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$H
//	printf 'client\0Dr Ümit\0c-0001' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$H
func TestHasherKnownAnswer(t *testing.T) {
	ascii := []byte("0123456789abcdef0123456789abcdef")
	binary := make([]byte, KeySize)
	for i := range binary {
		binary[i] = byte(i)
	}
	tests := []struct {
		name          string
		key           []byte
		pract, client string
		wantP, wantC  string
	}{
		{"ASCII key", ascii, "P017", "C00423", "c53590ed23ff26ad38d9a38bf597424a", "b7692355835d0921ced052dd85f932ca"},
		{"surrounding spaces trimmed", ascii, " P017\t", "C00423 ", "c53590ed23ff26ad38d9a38bf597424a", "b7692355835d0921ced052dd85f932ca"},
		{"binary key, UTF-8 ids", binary, "Dr Ümit", "c-0001", "49e685f32e9aca96e1758586fdc73c84", "ec11eda362cc1362dbf113e98f081aec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHasher(tt.key)
			if got := h.Practitioner(tt.pract); got != tt.wantP {
				t.Errorf("Practitioner(%q) = %s, want %s", tt.pract, got, tt.wantP)
			}
			if got := h.Client(tt.pract, tt.client); got != tt.wantC {
				t.Errorf("Client(%q, %q) = %s, want %s", tt.pract, tt.client, got, tt.wantC)
			}
		})
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
