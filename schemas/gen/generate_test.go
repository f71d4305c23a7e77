package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// measuresPath is schemas/measures.json, the source of truth the schema is generated from.
var measuresPath = filepath.Join("..", "measures.json")

// TestCommittedSchemaIsGenerated fails when schemas/sessions.v1.json differs from what the
// generator makes of measures.json: rerun go generate ./schemas and review the diff.
func TestCommittedSchemaIsGenerated(t *testing.T) {
	in, err := os.ReadFile(measuresPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "sessions.v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schemas/sessions.v1.json has drifted from measures.json (first difference at line %d); run: go generate ./schemas",
			firstDiffLine(got, want))
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func TestGenerateRejectsBadMeasures(t *testing.T) {
	in, err := os.ReadFile(measuresPath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"wrong record version", `"record_schema_version": "1"`, `"record_schema_version": "2"`, "record schema"},
		{"impossible value listed as allowed", `"invalid_values_in_range": [
        37,`, `"invalid_values_in_range": [
        36,`, "both allowed and invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := strings.Replace(string(in), tt.old, tt.new, 1)
			if mod == string(in) {
				t.Fatalf("test input not found in measures.json: %q", tt.old)
			}
			_, err := generate([]byte(mod))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("generate: err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
