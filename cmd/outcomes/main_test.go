package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update testscript files with the actual output")

// testToday is the date the tests pin (the --today of data/README.md's samples).
const testToday = "2026-11-24"

func TestMain(m *testing.M) {
	// A test that needs a real outcomes process it can kill runs this test binary with
	// OUTCOMES_TEST_MAIN=1 (see outcomesCommand).
	// Time is an input: every command these tests run, in this process or a child, takes
	// its date from $OUTCOMES_TODAY unless the test passes --today.
	if os.Getenv(todayEnv) == "" {
		os.Setenv(todayEnv, testToday)
	}
	if os.Getenv("OUTCOMES_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"outcomes": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each one is a sequence of
// outcomes commands in a fresh temporary directory, as a user would type them.
func TestScripts(t *testing.T) {
	data, err := filepath.Abs(filepath.Join("..", "..", "data"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "script"),
		UpdateScripts: *update,
		Cmds:          scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("DATA", data)
			env.Setenv(todayEnv, testToday)
			env.Setenv("OUTCOMES_HOME", filepath.Join(env.WorkDir, "ws"))
			return writeBinaryFixtures(env.WorkDir)
		},
	})
}

// writeBinaryFixtures writes, into every script's directory, the inputs that a txtar archive
// cannot hold faithfully: byte-order marks, CRLF line ends and text that is not UTF-8.
func writeBinaryFixtures(dir string) error {
	const head = "practitioner_id;client_id;session_date;session_number;modality;presenting_complaint;pain_before;pain_after;adverse_event;adverse_event_type;consent_research\r\n"
	const rows = "P\xe9ter;C1;2024-03-01;1;CST;back_pain;6;4;none;;yes\r\n" +
		"P\xe9ter;C2;2024-03-01;1;CST;back_pain;7;5;none;;yes\r\n"
	files := map[string]string{
		// Excel's "CSV (semicolon)" on Windows: windows-1252, CRLF.
		"excel-1252.csv": head + rows,
		// Excel's "CSV UTF-8": a byte-order mark, UTF-8, CRLF.
		"excel-utf8.csv": "\xef\xbb\xbf" + head + strings.ReplaceAll(rows, "\xe9", "\u00e9"),
		// windows-1252 with LF line ends, for the error message without --encoding.
		"latin.csv": strings.ReplaceAll(head+rows, "\r\n", "\n"),
		// NUL and other control bytes inside identifiers (ingest_badids.txtar), after the
		// first 512 bytes, which the format sniffer reads (a NUL there means binary data).
		"nul-ids.csv": "practitioner_id,client_id,session_date,session_number,modality,presenting_complaint,adverse_event,consent_research\n" +
			strings.Repeat("P1,C1,2024-03-01,1,CST,back_pain,none,yes\n", 12) +
			"P1,C1\x00,2024-03-01,1,CST,back_pain,none,yes\n" +
			"P\x001,Secret\x01Name,2024-03-01,1,CST,back_pain,none,yes\n" +
			"P1,C2,2024-03-01,1,CST,back_pain,none,yes\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
