package source

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

var update = flag.Bool("update", false, "rewrite testdata/kinds from the builders in sniff_test.go")

// The builders below make the smallest files of each kind that the sniffing must
// recognise. testdata/kinds holds some of them for the end-to-end scripts of cmd/outcomes;
// TestKindFixtures keeps those equal to what the builders make (-update rewrites them).

// zipOf returns a zip archive with the named members (each holding a short text), in order.
func zipOf(tb testing.TB, members ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		name, body, _ := strings.Cut(m, "=")
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			tb.Fatal(err)
		}
		if body == "" {
			body = "<x/>"
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func docx(tb testing.TB) []byte {
	return zipOf(tb, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
}

// ole2 returns a minimal Office 97-2003 compound file (MS-CFB version 3, 512-byte sectors)
// whose root storage holds one empty stream of the given name, as .xls (Workbook) and .doc
// (WordDocument) files do: a header, one FAT sector and one directory sector.
func ole2(stream string) []byte {
	const (
		sector     = 512
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	le := binary.LittleEndian
	b := make([]byte, 3*sector)
	h := b[:sector]
	copy(h, magicOLE2)
	le.PutUint16(h[0x18:], 0x003E)     // minor version
	le.PutUint16(h[0x1A:], 0x0003)     // major version 3
	le.PutUint16(h[0x1C:], 0xFFFE)     // little-endian
	le.PutUint16(h[0x1E:], 9)          // sector size 2^9
	le.PutUint16(h[0x20:], 6)          // mini sector size 2^6
	le.PutUint32(h[0x2C:], 1)          // one FAT sector
	le.PutUint32(h[0x30:], 1)          // the directory starts at sector 1
	le.PutUint32(h[0x38:], 0x1000)     // mini stream cutoff
	le.PutUint32(h[0x3C:], endOfChain) // no mini FAT
	le.PutUint32(h[0x44:], endOfChain) // no DIFAT sectors
	le.PutUint32(h[0x4C:], 0)          // DIFAT[0]: the FAT is sector 0
	for i := 0x50; i < sector; i += 4 {
		le.PutUint32(h[i:], freeSect)
	}
	fat := b[sector : 2*sector]
	for i := 0; i < sector; i += 4 {
		le.PutUint32(fat[i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	dir := b[2*sector:]
	entry := func(i int, name string, typ byte, child uint32) {
		e := dir[i*128 : (i+1)*128]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
		if name == "" {
			return
		}
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1 // type; black
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], endOfChain)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, noStream)
	entry(2, "", 0, noStream)
	entry(3, "", 0, noStream)
	return b
}

func pngImage(tb testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func jpegImage(tb testing.TB) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)), nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pdf is the smallest PDF worth the name; only its first bytes matter here.
const pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"

// fixtures are the files in testdata/kinds, by name.
func fixtures(tb testing.TB) map[string][]byte {
	return map[string][]byte{
		"report.docx": docx(tb),
		"scan.pdf":    []byte(pdf),
		"old.xls":     ole2("Workbook"),
		"photo.csv":   pngImage(tb),
	}
}

func TestKindFixtures(t *testing.T) {
	for name, want := range fixtures(t) {
		p := filepath.Join("testdata", "kinds", name)
		if *update {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what its builder makes; run go test -run TestKindFixtures -update", p)
		}
	}
}

// TestOLE2Builder checks the hand-made compound file with a real reader, so that the
// sniffing is not tested only against this package's idea of the format.
func TestOLE2Builder(t *testing.T) {
	doc, err := mscfb.New(bytes.NewReader(ole2("Workbook")))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		names = append(names, e.Name)
	}
	if len(names) != 1 || names[0] != "Workbook" {
		t.Errorf("streams %q, want [Workbook]", names)
	}
}

func TestDetectFormatKinds(t *testing.T) {
	dir := t.TempDir()
	xlsx := zipOf(t, "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
	tests := []struct {
		name    string
		content []byte
		format  Format
		want    Format
		err     string // a part of the message; "" for no error
		not     string // a part the message must not have
	}{
		{"report.docx", docx(t), "", "", "a Word document (.docx), not a data export", ""},
		{"report.docx", docx(t), FormatXLSX, "", "a Word document (.docx)", ""},
		{"slides.pptx", zipOf(t, "ppt/presentation.xml"), "", "", "PowerPoint presentation", ""},
		{"sheet.ods", zipOf(t, "mimetype=application/vnd.oasis.opendocument.spreadsheet", "content.xml"), "", "", "OpenDocument spreadsheet (.ods), which outcomes cannot read: save it as .xlsx or CSV", ""},
		{"bundle.zip", zipOf(t, "a.csv"), "", "", "a zip archive, not a data export: unpack it", ""},
		{"bundle.csv", zipOf(t, "a.csv"), "", "", "a zip archive", ""},
		{"scan.pdf", []byte(pdf), "", "", "a PDF document, not a data export", ""},
		{"scan.csv", []byte(pdf), "", "", "a PDF document", ""},
		{"old.xls", ole2("Workbook"), "", "", "an Excel 97-2003 workbook (.xls), which outcomes cannot read: open it in Excel and save it as .xlsx or CSV", ""},
		{"old.xlsx", ole2("Book"), "", "", "an Excel 97-2003 workbook (.xls)", ""},
		{"old.csv", ole2("Workbook"), FormatCSV, "", "an Excel 97-2003 workbook (.xls)", "encoding"},
		{"letter.doc", ole2("WordDocument"), "", "", "a Word 97-2003 document (.doc), not a data export", ""},
		{"secret.xlsx", ole2("EncryptedPackage"), "", "", "password-protected Excel workbook", ""},
		{"damaged.xls", magicOLE2, "", "", "an Excel 97-2003 workbook (.xls)", ""},
		{"damaged.bin", magicOLE2, "", "", "a Microsoft Office 97-2003 file", ""},
		{"photo.csv", pngImage(t), "", "", "a PNG image, not a data export", "windows-1252"},
		{"photo.csv", jpegImage(t), "", "", "a JPEG image", "windows-1252"},
		{"notes.rtf", []byte(`{\rtf1\ansi hello}`), "", "", "Rich Text", ""},
		{"visits.csv", xlsx, "", "", "an Excel workbook (.xlsx), although its name ends in .csv: rename it to visits.xlsx (or ingest it with --format xlsx)", "windows-1252"},
		{"visits.json", xlsx, "", "", "rename it to visits.xlsx", ""},
		{"visits.dat", xlsx, FormatCSV, "", "an Excel workbook (.xlsx), not CSV as --format csv says: use --format xlsx", ""},
		{"visits.csv", xlsx, FormatXLSX, FormatXLSX, "", ""},
		{"visits", xlsx, "", FormatXLSX, "", ""},
		{"visits.xlsx", xlsx, "", FormatXLSX, "", ""},
		{"visits.csv", []byte("PAR1\x00\x00"), "", "", "a Parquet file, although its name ends in .csv: rename it to visits.parquet", ""},
		{"visits.csv", []byte("a,b\x00\x01\x02\n"), "", "", "binary data, not text, so not a CSV file", "windows-1252"},
		{"visits.csv", []byte("\xFF\xFEa\x00,\x00b\x00"), "", FormatCSV, "", ""}, // UTF-16: the CSV reader explains
		{"visits.csv", []byte("a,b\n1,2\n"), "", FormatCSV, "", ""},
		{"visits.xlsx", []byte("PK\x03\x04 truncated"), "", FormatXLSX, "", ""}, // the reader says corrupt
		{"empty.csv", nil, "", FormatCSV, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+string(tt.format), func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := os.WriteFile(p, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := DetectFormat(p, tt.format)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("DetectFormat: %v", err)
			case tt.err != "" && err == nil:
				t.Fatalf("DetectFormat = %q, want an error with %q", got, tt.err)
			case err != nil:
				msg := err.Error()
				if !strings.HasPrefix(msg, p+": ") || !strings.Contains(msg, tt.err) || (tt.not != "" && strings.Contains(msg, tt.not)) {
					t.Errorf("error %q\nwant the file name, then %q (and not %q)", msg, tt.err, tt.not)
				}
				var fe *FileError
				if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
					t.Errorf("error %#v is not a *FileError wrapping ErrFormat", err)
				}
			case got != tt.want:
				t.Errorf("DetectFormat = %q, want %q", got, tt.want)
			}
		})
	}
}
