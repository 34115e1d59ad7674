// Package secret encrypts personal identifiers at rest (a worker's ID number): AES-256-GCM
// bound to the tenant, plus a keyed hash (a "blind index") so that uniqueness and look-ups
// work without decrypting. The key material comes from the environment (YC_DATA_KEY), never
// from the database, so a copy of the database alone does not reveal the numbers.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// EnvKey names the environment variable holding the key material.
const EnvKey = "YC_DATA_KEY"

// version prefixes each ciphertext so that a later key or algorithm can be told apart.
const version = 1

// Box seals and opens values for one deployment's key.
type Box struct {
	aead  cipher.AEAD
	blind []byte
}

// New derives the encryption and blind-index keys from material (at least 32 characters of
// randomness, e.g. `head -c 32 /dev/urandom | base64`). Separate derived keys keep the hash
// from being usable as an encryption oracle and vice versa.
func New(material string) (*Box, error) {
	if len(material) < 32 {
		return nil, fmt.Errorf("secret: %s must hold at least 32 characters of random key material", EnvKey)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(material))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("yichuang/id-number/encrypt/v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, blind: derive("yichuang/id-number/blind/v1")}, nil
}

// Seal encrypts plain for tenant. The tenant id is authenticated data: a ciphertext copied
// into another tenant's row does not open there.
func (b *Box) Seal(tenant uuid.UUID, plain string) []byte {
	out := make([]byte, 1+b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		panic("secret: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return b.aead.Seal(out, out[1:1+b.aead.NonceSize()], []byte(plain), tenant[:])
}

// ErrOpen is returned for a ciphertext that is damaged, from another key or another tenant.
var ErrOpen = errors.New("secret: cannot decrypt (wrong key, wrong tenant or damaged value)")

// Open decrypts what Seal produced for the same tenant.
func (b *Box) Open(tenant uuid.UUID, sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != version {
		return "", ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], tenant[:])
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// Blind is the keyed hash of plain within tenant: equal numbers give equal hashes in one
// tenant, unrelated ones across tenants.
func (b *Box) Blind(tenant uuid.UUID, plain string) []byte {
	m := hmac.New(sha256.New, b.blind)
	m.Write(tenant[:])
	m.Write([]byte(plain))
	return m.Sum(nil)
}
