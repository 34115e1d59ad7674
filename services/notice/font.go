package notice

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/signintech/gopdf"
)

// DefaultFontPath is where Debian's fonts-droid-fallback puts its font: a TrueType (glyf)
// font with the CJK Unified Ideographs and Extension A. The Noto CJK packages are CFF
// collections, which no pure-Go PDF writer can embed.
const DefaultFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// DefaultLatinFontPath is Debian's fonts-liberation Liberation Sans. Droid Sans Fallback
// was made to back up a Latin font and has no glyph for ASCII letters, digits or curly
// quotes, so every receipt number, date and phone number needs a second font; Liberation
// Sans has Arial's metrics, the usual partner of hanzi in office documents.
const DefaultLatinFontPath = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"

// FontEnv and LatinFontEnv name the variables that override the default paths, for
// machines that keep the fonts elsewhere or a county that prefers other TrueType fonts.
const (
	FontEnv      = "YC_PDF_FONT"
	LatinFontEnv = "YC_PDF_LATIN_FONT"
)

// FontPath returns the TrueType CJK font Render embeds: $YC_PDF_FONT if set, else
// DefaultFontPath.
func FontPath() string { return envOr(FontEnv, DefaultFontPath) }

// LatinFontPath returns the TrueType font Render embeds for what the CJK font lacks
// (Latin letters, digits, curly quotes): $YC_PDF_LATIN_FONT if set, else
// DefaultLatinFontPath.
func LatinFontPath() string { return envOr(LatinFontEnv, DefaultLatinFontPath) }

func envOr(name, def string) string {
	if p := os.Getenv(name); p != "" {
		return p
	}
	return def
}

// face is one of the two fonts a notice uses.
type face struct {
	family string // the name inside each PDF; any name would do
	env    string
	pkg    string // the Debian package that ships the default
}

var (
	cjkFace   = face{"NoticeCJK", FontEnv, "fonts-droid-fallback"}
	latinFace = face{"NoticeLatin", LatinFontEnv, "fonts-liberation"}
)

// The parsed fonts, shared by every Render. Parsing the 4 MB CJK file costs far more than
// laying out a notice, and gopdf's FontContainer hands each document its own glyph subset
// over one read-only parse. A mutex rather than sync.Once: a failure is not cached, so
// installing the package fixes a running server without a restart, and a changed path is
// picked up.
var fonts struct {
	mu     sync.Mutex
	parsed map[string]*gopdf.FontContainer // by face family + path
}

func loadFont(f face, path string) (*gopdf.FontContainer, error) {
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	key := f.family + "\x00" + path
	if c := fonts.parsed[key]; c != nil {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("notice: font %s not found: install Debian's %s (apt-get install %s) "+
			"or set %s to another TrueType font", path, f.pkg, f.pkg, f.env)
	}
	if err != nil {
		return nil, fmt.Errorf("notice: reading font: %w", err)
	}
	c := new(gopdf.FontContainer)
	if err := c.AddTTFFontData(f.family, data); err != nil {
		return nil, fmt.Errorf("notice: font %s cannot be embedded (it must be a TrueType .ttf with glyf "+
			"outlines, such as the one in Debian's %s): %w", path, f.pkg, err)
	}
	if fonts.parsed == nil {
		fonts.parsed = make(map[string]*gopdf.FontContainer)
	}
	fonts.parsed[key] = c
	return c, nil
}
