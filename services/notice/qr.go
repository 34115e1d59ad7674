package notice

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// qrQuiet is the quiet zone ISO/IEC 18004 asks for, in modules. It is part of the image so
// that the blank margin survives whatever is printed next to the code.
const qrQuiet = 4

// qrPixels per module: the image is scaled up in the PDF, and sharp, large modules keep
// viewers from blurring module edges when they smooth the upscaled image.
const qrPixels = 8

// qrPNG encodes content as a QR code PNG with its quiet zone and returns the number of
// modules across the symbol itself (without the quiet zone). Level M (15 % recovery) keeps
// a status URL at a version whose modules stay large at 30 mm, and copes with the creases
// and smudges of a notice carried home in a pocket.
func qrPNG(content string) ([]byte, int, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, 0, fmt.Errorf("notice: QR code for %q: %w", content, err)
	}
	n := code.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrPixels
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if colorIsDark(code.At(x, y)) {
				x0, y0 := (x+qrQuiet)*qrPixels, (y+qrQuiet)*qrPixels
				for dy := 0; dy < qrPixels; dy++ {
					row := img.Pix[(y0+dy)*img.Stride+x0:]
					for dx := 0; dx < qrPixels; dx++ {
						row[dx] = 0
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, 0, fmt.Errorf("notice: QR code image: %w", err)
	}
	return buf.Bytes(), n, nil
}

func colorIsDark(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	return g.Y < 0x80
}
