package secret_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/secret"
)

const material = "0123456789abcdefghijklmnopqrstuvwxyzABCD"

func TestSealOpen(t *testing.T) {
	t.Parallel()
	box, err := secret.New(material)
	if err != nil {
		t.Fatal(err)
	}
	a, b := uuid.New(), uuid.New()
	const id = "11010519491231002X"
	sealed := box.Seal(a, id)
	if bytes.Contains(sealed, []byte(id)) || bytes.Contains(sealed, []byte("19491231")) {
		t.Fatal("the ciphertext contains the plain number")
	}
	if again := box.Seal(a, id); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	got, err := box.Open(a, sealed)
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := box.Open(b, sealed); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("another tenant opened the value: %v", err)
	}
	other, _ := secret.New(strings.Repeat("z", 40))
	if _, err := other.Open(a, sealed); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("another key opened the value: %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := box.Open(a, sealed); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("a damaged value opened: %v", err)
	}
	if _, err := box.Open(a, []byte{1, 2}); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("a short value opened: %v", err)
	}
}

func TestBlind(t *testing.T) {
	t.Parallel()
	box, _ := secret.New(material)
	a, b := uuid.New(), uuid.New()
	if !bytes.Equal(box.Blind(a, "x1"), box.Blind(a, "x1")) {
		t.Fatal("blind index is not deterministic")
	}
	if bytes.Equal(box.Blind(a, "x1"), box.Blind(a, "x2")) || bytes.Equal(box.Blind(a, "x1"), box.Blind(b, "x1")) {
		t.Fatal("blind index collides across values or tenants")
	}
}

func TestNewRefusesShortKey(t *testing.T) {
	t.Parallel()
	if _, err := secret.New("short"); err == nil || !strings.Contains(err.Error(), secret.EnvKey) {
		t.Fatalf("short key material accepted or error does not name %s: %v", secret.EnvKey, err)
	}
}
