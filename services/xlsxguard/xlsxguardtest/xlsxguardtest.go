// Package xlsxguardtest makes the hostile workbooks the import tests feed to the server.
package xlsxguardtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BombCellBytes is what the bomb's one cell inflates to: 250 MiB, as in the attack report
// (issue 13): a 262 KB .xlsx that held 1.6 GB of a server for ten seconds.
const BombCellBytes = 250 << 20

// Bomb is a valid workbook whose sheet (named sheet) has one cell of inflated bytes of
// "A", compressed as hard as deflate can (about 1,000:1).
func Bomb(t testing.TB, sheet string, inflated int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		t.Fatal(err)
	}
	return Replace(t, base.Bytes(), "xl/worksheets/sheet1.xml", func(w io.Writer) error {
		if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`); err != nil {
			return err
		}
		chunk := []byte(strings.Repeat("A", 1<<20))
		for left := inflated; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
		return err
	})
}

// Replace returns the archive with part name's content written by write (deflated at the
// best compression), every other part copied as it was.
func Replace(t testing.TB, archive []byte, name string, write func(io.Writer) error) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	found := false
	for _, f := range zr.File {
		if f.Name == name {
			found = true
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatalf("archive has no part %s", name)
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if err := write(w); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Add returns the archive with one more part, stored with the given method.
func Add(t testing.TB, archive []byte, name string, method uint16, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
