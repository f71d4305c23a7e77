package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

func TestLoad(t *testing.T) {
	if got := Versions(); !slices.Equal(got, []int{1}) {
		t.Errorf("Versions() = %v, want [1]", got)
	}
	s, err := Load(1)
	if err != nil {
		t.Fatal(err)
	}
	if s != Latest() {
		t.Error("Latest() is not the cached version 1")
	}
	if s.Version() != 1 || s.Name() != "sessions" || len(s.Fields()) != 21 {
		t.Errorf("version %d name %q fields %d", s.Version(), s.Name(), len(s.Fields()))
	}
	if _, err := Load(99); err == nil {
		t.Error("Load(99): no error")
	}
	if !json.Valid(s.JSON()) {
		t.Error("JSON() is not valid JSON")
	}
	var buf bytes.Buffer
	if err := s.Describe(&buf); err != nil || !bytes.Equal(buf.Bytes(), s.JSON()) {
		t.Errorf("Describe: err %v, output differs from the (already indented) embedded file", err)
	}
}
