package document

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

func TestCopyVerified(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, 1, holdBack - 1, holdBack, holdBack + 1, 3*holdBack + 17} {
		data := bytes.Repeat([]byte("一窗受理"), size/12+1)[:size]
		sum := sha256.Sum256(data)
		var out bytes.Buffer
		err := CopyVerified(&out, &Content{Body: io.NopCloser(bytes.NewReader(data)), SHA256: hex.EncodeToString(sum[:])})
		if err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("size %d: err %v, copied %d bytes, want all", size, err, out.Len())
		}
		// A changed object: the client gets less than it was promised, never the whole.
		if size == 0 {
			continue
		}
		tampered := bytes.Clone(data)
		tampered[len(tampered)-1] ^= 1
		out.Reset()
		err = CopyVerified(&out, &Content{Body: io.NopCloser(bytes.NewReader(tampered)), SHA256: hex.EncodeToString(sum[:])})
		if !errors.Is(err, ErrChanged) || out.Len() >= size {
			t.Fatalf("size %d tampered: err %v, copied %d of %d bytes; want ErrChanged and a short copy", size, err, out.Len(), size)
		}
	}
}
