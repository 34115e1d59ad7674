package document_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/yichuang/yichuang/services/document"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<ofd:OFD/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data []byte
		want document.FileType
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), document.TypeJPEG},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), document.TypePNG},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), document.TypeTIFF},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), document.TypeTIFF},
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n"), document.TypePDF},
		{"ofd", zipOf(t, "OFD.xml", "Doc_0/Document.xml"), document.TypeOFD},
		{"ofd entry not first", zipOf(t, "Doc_0/Document.xml", "OFD.xml"), document.TypeOFD},
		// A ZIP is not an OFD unless OFD.xml is at its root: .docx, renamed archives.
		{"docx", zipOf(t, "[Content_Types].xml", "word/document.xml"), ""},
		{"OFD.xml not at the root", zipOf(t, "x/OFD.xml"), ""},
		{"zip header only", []byte("PK\x03\x04garbage"), ""},
		{"html named .jpg", []byte("<html><script>alert(1)</script>"), ""},
		{"pdf marker not at the start", []byte("junk%PDF-1.4"), ""},
		{"short", []byte("\xFF"), ""},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		if got := document.Sniff(bytes.NewReader(c.data), int64(len(c.data))); got != c.want {
			t.Errorf("%s: Sniff = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestParseType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]document.FileType{
		"": "", "application/octet-stream": "", "image/JPEG": document.TypeJPEG, "image/jpg": document.TypeJPEG,
		"application/pdf; charset=binary": document.TypePDF, "application/ofd": document.TypeOFD, "image/tiff": document.TypeTIFF,
	} {
		if got, ok := document.ParseType(in); !ok || got != want {
			t.Errorf("ParseType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"text/html", "image/svg+xml", "application/zip"} {
		if _, ok := document.ParseType(bad); ok {
			t.Errorf("ParseType(%q) accepted", bad)
		}
	}
}
