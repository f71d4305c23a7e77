package summary

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadNotSummary: a file that is not a summary.json is ErrNotSummary with a
// one-line reason, whatever it holds.
func TestReadNotSummary(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "the file is empty"},
		{"blank", " \n", "the file is empty"},
		{"csv", "a,b\n1,2\n", "not JSON (invalid character 'a' looking for beginning of value)"},
		{"truncated", `{"schema_version": 1, "plan_sha256": "ab`, "not JSON (unexpected end of JSON input)"},
		{"array", "[1, 2]", "a JSON array, not an object"},
		{"string", `"summary"`, "a JSON string, not an object"},
		{"null", "null", "JSON null, not an object"},
		{"other object", `{"a": 1}`, "a JSON object without schema_version"},
		{"manifest", `{"schema_version": 1, "files": []}`, "a JSON object without plan_sha256"},
		{"wrong type", `{"schema_version": 1, "plan_sha256": "x", "snapshot": "7"}`, "snapshot is a JSON string, of the wrong type"},
		{"other version", `{"schema_version": 2, "plan_sha256": "x"}`, "schema_version 2, and this program reads 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if !errors.Is(err, ErrNotSummary) {
				t.Fatalf("Read: %v, want ErrNotSummary", err)
			}
			want := path + ": not a summary.json: " + tc.want
			if got := err.Error(); !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
				t.Errorf("Read:\n got %q\nwant %q", got, want)
			}
		})
	}
	s, err := Read(filepath.Join(t.TempDir(), "missing.json"))
	if s != nil || err == nil || errors.Is(err, ErrNotSummary) {
		t.Errorf("Read of a missing file: %v, %v: want the open error", s, err)
	}
}
