package document

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
)

// FileType is a kind of file a material may be: what the bytes are, whatever the name says.
type FileType string

// The accepted types. OFD (GB/T 33190, 版式文档) is the national counterpart of PDF that
// e-licences and e-invoices come as; TIFF is what many document scanners write.
const (
	TypeJPEG FileType = "image/jpeg"
	TypePNG  FileType = "image/png"
	TypeTIFF FileType = "image/tiff"
	TypePDF  FileType = "application/pdf"
	TypeOFD  FileType = "application/ofd"
)

// Types lists the accepted types in the order forms show them.
var Types = []FileType{TypeJPEG, TypePNG, TypeTIFF, TypePDF, TypeOFD}

var typeInfo = map[FileType]struct{ ext, label string }{
	TypeJPEG: {".jpg", "JPEG 图片"}, TypePNG: {".png", "PNG 图片"}, TypeTIFF: {".tif", "TIFF 图片"},
	TypePDF: {".pdf", "PDF 文档"}, TypeOFD: {".ofd", "OFD 版式文档"},
}

// Ext is the file name extension objects of the type are stored with.
func (t FileType) Ext() string { return typeInfo[t].ext }

// Label is the type's Chinese name.
func (t FileType) Label() string {
	if l, ok := typeInfo[t]; ok {
		return l.label
	}
	return string(t)
}

// Valid reports whether t is an accepted type.
func (t FileType) Valid() bool { _, ok := typeInfo[t]; return ok }

// ParseType reads a declared media type (a Content-Type header or a form field): an accepted
// type, "" for no declaration (empty or application/octet-stream: the client does not know),
// or ok = false for a type that is never accepted. Parameters and case are ignored, and the
// common aliases are understood.
func ParseType(v string) (t FileType, ok bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	switch v {
	case "", "application/octet-stream", "binary/octet-stream":
		return "", true
	case "image/jpg", "image/pjpeg":
		return TypeJPEG, true
	case "application/x-pdf":
		return TypePDF, true
	case "image/tif", "image/x-tiff":
		return TypeTIFF, true
	case "application/x-ofd", "application/vnd.ofd":
		return TypeOFD, true
	}
	t = FileType(v)
	return t, t.Valid()
}

// sniffLen is how much of the head the magic numbers need.
const sniffLen = 8

// Sniff tells the type of the size bytes at r from their content alone: the magic numbers of
// JPEG, PNG, TIFF and PDF; for OFD, a ZIP container with OFD.xml at its root (the entry file
// GB/T 33190 requires), which needs the ZIP's central directory at the end of the file. It
// returns "" for anything else, including a ZIP that is not an OFD (a .docx, a renamed .zip).
func Sniff(r io.ReaderAt, size int64) FileType {
	head := make([]byte, sniffLen)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TypeTIFF
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return ""
		}
		for _, f := range zr.File {
			// The root entry file; some producers write the name in another case.
			if strings.EqualFold(f.Name, "OFD.xml") {
				return TypeOFD
			}
		}
	}
	return ""
}
