package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook builds the test workbook: a "Notes" sheet first, then "Sessions" with two
// empty rows above the header, an empty row inside the data, and the cell kinds the reader
// must render (real dates under builtin and custom formats, a date-time, a date string,
// numbers under formats that would change their text, a formula with a cached value,
// formula-looking text, a boolean, and a value right of the header).
func writeWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Notes"))
	must(f.SetCellValue("Notes", "A1", "read me"))
	_, err := f.NewSheet("Sessions")
	must(err)
	s := "Sessions"
	custom := "dd/mm/yyyy"
	dmy, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must(err)
	builtin, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	dtFmt := "yyyy-mm-dd hh:mm"
	dt, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt})
	must(err)
	fourDp := "0.0000"
	dp4, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fourDp})
	must(err)
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	must(err)

	must(f.SetSheetRow(s, "A3", &[]any{"session_date", "visit", "pain_before", "sleep_hours", "score", "notes", "consent_research"}))
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	must(f.SetSheetRow(s, "A4", &[]any{day, day, 7, 6.5, 0.25, "=HYPERLINK(\"http://x\")", true}))
	must(f.SetCellStyle(s, "A4", "A4", dmy))
	must(f.SetCellStyle(s, "B4", "B4", builtin))
	must(f.SetCellStyle(s, "C4", "C4", dp4))
	must(f.SetCellStyle(s, "E4", "E4", pct))
	// row 5 empty
	must(f.SetSheetRow(s, "A6", &[]any{"2024-03-01", day.Add(9*time.Hour + 30*time.Minute), 3, nil, nil, "a;b", false}))
	must(f.SetCellStyle(s, "B6", "B6", dt))
	must(f.SetCellFormula(s, "E6", "1+1"))
	must(f.SetSheetRow(s, "A7", &[]any{"2024-03-02", nil, 4}))
	must(f.SetCellValue(s, "J7", "stray"))
	must(f.SetCellValue(s, "A8", "2024-03-03")) // shorter than the header

	var buf bytes.Buffer
	must(f.Write(&buf))
	path := filepath.Join(t.TempDir(), "book.xlsx")
	must(os.WriteFile(path, cacheFormula(t, buf.Bytes()), 0o600))
	return path
}

// cacheFormula adds the cached value 2 to the formula 1+1, as Excel does when it saves
// (excelize writes formulas without one).
func cacheFormula(t *testing.T, book []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			b = bytes.ReplaceAll(b, []byte("<f>1+1</f></c>"), []byte("<f>1+1</f><v>2</v></c>"))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

func TestXLSX(t *testing.T) {
	path := writeWorkbook(t)
	r, err := Open(path, Options{Sheet: "sessions"})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	wantHeader := []string{"session_date", "visit", "pain_before", "sleep_hours", "score", "notes", "consent_research"}
	if !reflect.DeepEqual(r.Header(), wantHeader) {
		t.Errorf("Header = %q", r.Header())
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{4, []string{"2024-02-29", "2024-02-29", "7", "6.5", "0.25", "=HYPERLINK(\"http://x\")", "TRUE"}, nil},
		{6, []string{"2024-03-01", "2024-02-29 09:30", "3", "", "2", "a;b", "FALSE"}, nil},
		{7, []string{"2024-03-02", "", "4", "", "", "", ""}, ErrFieldCount},
		{8, []string{"2024-03-03", "", "", "", "", "", ""}, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %v\nwant %v", rows, want)
	}
}

func TestXLSXFirstSheetAndErrors(t *testing.T) {
	path := writeWorkbook(t)
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); !reflect.DeepEqual(h, []string{"read me"}) {
		t.Errorf("first sheet header = %q", h)
	}
	mustClose(t, r)

	_, err = Open(path, Options{Sheet: "Visits"})
	const wantMsg = `no such sheet "Visits"; the workbook has: "Notes", "Sessions"`
	if !errors.Is(err, ErrSheet) || !strings.HasSuffix(err.Error(), wantMsg) {
		t.Errorf("unknown sheet: %v", err)
	}

	good, _ := os.ReadFile(path)
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"garbage":   []byte("PK\x03\x04 not really a zip"),
	} {
		p := filepath.Join(dir, name+".xlsx")
		os.WriteFile(p, data, 0o600)
		_, err := Open(p, Options{})
		want := ErrCorrupt
		if data == nil {
			want = ErrEmpty
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", name, err, want)
		}
	}
}

func TestXLSXEmptySheet(t *testing.T) {
	f := excelize.NewFile()
	p := filepath.Join(t.TempDir(), "blank.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Open(p, Options{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("err = %v, want ErrNoHeader", err)
	}
}

func TestDateKind(t *testing.T) {
	custom := map[int]string{
		164: "dd/mm/yyyy", 165: "0.0000", 166: `"day "0`, 167: "[$-409]mmmm d, yyyy;@",
		168: "yyyy-mm-dd hh:mm:ss", 169: "#,##0.00 [$EUR]", 170: `mm:ss`, 171: `[Red]0;"d"`,
	}
	want := map[int]fmtKind{
		0: kindOther, 2: kindOther, 14: kindDate, 22: kindDateTime, 20: kindOther, 49: kindOther,
		164: kindDate, 165: kindOther, 166: kindOther, 167: kindDate, 168: kindDateTime,
		169: kindOther, 170: kindOther, 171: kindOther,
	}
	for id, w := range want {
		if got := dateKind(id, custom); got != w {
			t.Errorf("dateKind(%d %q) = %d, want %d", id, custom[id], got, w)
		}
	}
}

func TestXLSXHeaderOnly(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "B2", &[]any{"client_id", "pain_before"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "header.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	if h := r.Header(); !reflect.DeepEqual(h, []string{"", "client_id", "pain_before"}) {
		t.Errorf("Header = %q (column A is empty)", h)
	}
	if rows, err := readAll(t, r); err != nil || len(rows) != 0 {
		t.Errorf("rows %v, err %v", rows, err)
	}
}
