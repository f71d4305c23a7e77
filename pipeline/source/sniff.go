package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/richardlehane/mscfb"
)

// content is what a file's first bytes say it is: a format [Open] reads, text, binary of
// no known kind, or a known kind of file that holds no data export (a Word document, a
// PDF, an image, an old .xls workbook...).
type content struct {
	format Format // FormatParquet or FormatXLSX for their containers; "" otherwise
	text   bool   // no NUL byte in the first bytes (or a UTF-16 byte-order mark)
	json   bool   // text whose first non-blank character is '{'
	empty  bool
	// foreign, when set, is why the file cannot be read: "a PDF document, not a data
	// export: ...". The file is rejected whatever its name or --format says.
	foreign string
}

// Magic numbers of the kinds of file people send by mistake.
var (
	magicOLE2 = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // Office 97-2003 (.xls .doc .ppt), encrypted .xlsx
	magicPNG  = []byte("\x89PNG\r\n\x1A\n")
	magicJPEG = []byte("\xFF\xD8\xFF")
	magicGIF  = []byte("GIF8")
	magicPDF  = []byte("%PDF-")
	magicRTF  = []byte(`{\rtf`)
	magicZip  = []byte("PK\x03\x04")
	magicZip0 = []byte("PK\x05\x06") // an empty zip archive
)

// exportHint ends the message of a file that holds no data: what outcomes reads instead.
const exportHint = "export the sessions as CSV or Excel .xlsx instead"

// sniffContent reads the first bytes of the file at path (and, for zip and Office 97-2003
// containers, the names of their members) and says what the file is.
func sniffContent(path string) (content, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return content{}, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return content{}, fmt.Errorf("read %s: %w", path, err)
	}
	head = head[:n]
	switch {
	case n == 0:
		return content{empty: true}, nil
	case bytes.HasPrefix(head, []byte("PAR1")):
		return content{format: FormatParquet}, nil
	case bytes.HasPrefix(head, magicZip), bytes.HasPrefix(head, magicZip0):
		return sniffZip(path), nil
	case bytes.HasPrefix(head, magicOLE2):
		return content{foreign: sniffOLE2(f, path)}, nil
	case bytes.HasPrefix(head, magicPDF):
		return content{foreign: "a PDF document, not a data export: " + exportHint}, nil
	case bytes.HasPrefix(head, magicPNG):
		return content{foreign: "a PNG image, not a data export: " + exportHint}, nil
	case bytes.HasPrefix(head, magicJPEG):
		return content{foreign: "a JPEG image, not a data export: " + exportHint}, nil
	case bytes.HasPrefix(head, magicGIF):
		return content{foreign: "a GIF image, not a data export: " + exportHint}, nil
	case bytes.HasPrefix(head, magicRTF):
		return content{foreign: "a Rich Text (.rtf) document, not a data export: " + exportHint}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return content{text: true}, nil // UTF-16: the text readers say how to save it instead
	case bytes.IndexByte(head, 0) >= 0:
		return content{}, nil
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	return content{text: true, json: len(head) > 0 && head[0] == '{'}, nil
}

// sniffZip tells the zip-based formats apart by the names of their members: an Excel
// workbook has xl/workbook.xml, a Word document word/document.xml, an OpenDocument file a
// mimetype member. A zip that cannot be listed is taken for a damaged workbook: the xlsx
// reader then says it is corrupt.
func sniffZip(path string) content {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return content{format: FormatXLSX}
	}
	defer zr.Close()
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[f.Name] = f
	}
	has := func(name string) bool { return names[name] != nil }
	switch {
	case has("xl/workbook.xml"):
		return content{format: FormatXLSX}
	case has("word/document.xml"):
		return content{foreign: "a Word document (.docx), not a data export: " + exportHint}
	case has("ppt/presentation.xml"):
		return content{foreign: "a PowerPoint presentation (.pptx), not a data export: " + exportHint}
	case has("mimetype"):
		switch mime := zipMimetype(names["mimetype"]); {
		case strings.Contains(mime, "opendocument.spreadsheet"):
			return content{foreign: "an OpenDocument spreadsheet (.ods), which outcomes cannot read: save it as .xlsx or CSV"}
		case strings.Contains(mime, "opendocument.text"):
			return content{foreign: "an OpenDocument text document (.odt), not a data export: " + exportHint}
		}
	case has("Index/Document.iwa"):
		return content{foreign: "an Apple Numbers or Pages document, which outcomes cannot read: export it as CSV or Excel .xlsx"}
	}
	return content{foreign: "a zip archive, not a data export: unpack it and ingest the files in it"}
}

// zipMimetype returns the start of an OpenDocument file's mimetype member.
func zipMimetype(f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b := make([]byte, 128)
	n, _ := io.ReadFull(rc, b)
	return string(b[:n])
}

// sniffOLE2 names the kind of an Office 97-2003 compound file by its streams: Workbook (or
// Book, Excel 5) for .xls, WordDocument for .doc, EncryptedPackage for a password-protected
// .xlsx. A file whose directory cannot be read is named by its extension.
func sniffOLE2(f io.ReaderAt, path string) string {
	const xls = "an Excel 97-2003 workbook (.xls), which outcomes cannot read: open it in Excel and save it as .xlsx or CSV"
	if doc, err := mscfb.New(f); err == nil {
		for e, err := doc.Next(); err == nil; e, err = doc.Next() {
			switch e.Name {
			case "Workbook", "Book":
				return xls
			case "WordDocument":
				return "a Word 97-2003 document (.doc), not a data export: " + exportHint
			case "PowerPoint Document":
				return "a PowerPoint 97-2003 presentation (.ppt), not a data export: " + exportHint
			case "EncryptedPackage":
				return "a password-protected Excel workbook, which outcomes cannot read: remove the password in Excel (File > Info > Protect Workbook) and save it again"
			}
		}
	}
	if strings.EqualFold(filepath.Ext(path), ".xls") {
		return xls
	}
	return "a Microsoft Office 97-2003 file, not a data export: " + exportHint
}

// check returns the format to read a file of this content with: want itself, or the
// format the content shows when want is "" (no format given, no known extension). It
// returns an ErrFormat [FileError] that says what the file is when it holds no data export
// or its content contradicts its name or --format (explicit).
func (c content) check(path string, want Format, explicit bool) (Format, error) {
	if c.foreign != "" {
		return "", kindErr(path, "%s", c.foreign)
	}
	if c.empty {
		if want == "" {
			return "", fileErr(path, 0, 0, ErrEmpty, "")
		}
		return want, nil // the reader says the file is empty, in its terms
	}
	switch {
	case want == "":
		switch {
		case c.format != "":
			return c.format, nil
		case c.json:
			return FormatJSONL, nil
		case c.text:
			return FormatCSV, nil
		}
		return "", fileErr(path, 0, 0, ErrFormat, "; use --format csv|jsonl|parquet|xlsx")
	case want == FormatCSV || want == FormatJSONL:
		if c.format != "" {
			return "", misnamed(path, c.format, want, explicit)
		}
		if !c.text {
			return "", kindErr(path, "binary data, not text, so not a %s file: check that it is the export you meant", describe(want))
		}
	}
	// A Parquet or xlsx reader reports a file of other content as corrupt.
	return want, nil
}

// misnamed is the error for a Parquet or xlsx file named (or declared) as another format.
func misnamed(path string, is, want Format, explicit bool) error {
	what := "a Parquet file"
	if is == FormatXLSX {
		what = "an Excel workbook (.xlsx)"
	}
	if explicit {
		return kindErr(path, "%s, not %s as --format %s says: use --format %s (or auto)", what, describe(want), want, is)
	}
	base := filepath.Base(path)
	renamed := strings.TrimSuffix(base, filepath.Ext(base)) + "." + string(is)
	return kindErr(path, "%s, although its name ends in %s: rename it to %s (or ingest it with --format %s)",
		what, filepath.Ext(base), renamed, is)
}

func describe(f Format) string {
	switch f {
	case FormatCSV:
		return "CSV"
	case FormatJSONL:
		return "JSON Lines"
	case FormatParquet:
		return "Parquet"
	}
	return "Excel .xlsx"
}

// formatError is an ErrFormat whose text says what the file is instead of "unknown file
// format": errors.Is(err, ErrFormat) holds.
type formatError struct{ msg string }

func (e *formatError) Error() string        { return e.msg }
func (e *formatError) Is(target error) bool { return target == ErrFormat }

// kindErr returns a file-level ErrFormat error with the given message.
func kindErr(path, format string, args ...any) *FileError {
	return &FileError{File: path, Err: &formatError{msg: fmt.Sprintf(format, args...)}}
}
