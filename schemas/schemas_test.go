package schemas

import (
	"encoding/json"
	"io/fs"
	"testing"
)

func TestEmbedded(t *testing.T) {
	names, err := fs.Glob(FS, "sessions.v*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no schema embedded: %v", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(FS, n)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Version int               `json:"x-version"`
			Fields  []json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal(b, &doc); err != nil || doc.Version == 0 || len(doc.Fields) == 0 {
			t.Errorf("%s: not a schema with x-version and fields: %v", n, err)
		}
	}
}
