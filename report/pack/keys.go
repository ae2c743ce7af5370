package pack

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Signature algorithms.
const (
	AlgEd25519 = "ed25519"
	// AlgEd25519ph is Ed25519ph (RFC 8032) whose message is the 64-byte
	// SHA-512 of the manifest: what AWS KMS computes for ED25519_PH_SHA_512
	// with MessageType DIGEST ("the input is hashed twice"), used when a
	// manifest is over the 4096 bytes KMS signs raw.
	AlgEd25519ph   = "ed25519ph-sha512"
	AlgECDSASHA256 = "ecdsa-sha256"
	AlgECDSASHA384 = "ecdsa-sha384"
	AlgECDSASHA512 = "ecdsa-sha512"
)

// KeyID names a public key: "sha256:" and the hex SHA-256 of its DER
// SubjectPublicKeyInfo.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return keyIDFromDER(der), nil
}

func keyIDFromDER(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Ed25519Signer signs with a local Ed25519 key.
type Ed25519Signer struct {
	Key ed25519.PrivateKey
	// Label is the Signature.Signer value: "file" or "demo".
	Label string
}

// Sign implements Signer with pure Ed25519 over the message.
func (s Ed25519Signer) Sign(_ context.Context, message []byte) (Signature, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return Signature{}, errors.New("Ed25519 private key has the wrong size")
	}
	pub := s.Key.Public()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Signature{}, fmt.Errorf("encode public key: %w", err)
	}
	return Signature{
		Algorithm: AlgEd25519, KeyID: keyIDFromDER(der), PublicKey: base64.StdEncoding.EncodeToString(der),
		Signer: s.Label, Value: base64.StdEncoding.EncodeToString(ed25519.Sign(s.Key, message)),
	}, nil
}

// ParsePrivateKey reads an Ed25519 private key: PEM "PRIVATE KEY" (PKCS
// #8, as `cwreport keygen` and `openssl genpkey -algorithm ed25519` write
// it), or the base64 of the 32-byte seed or the 64-byte key. The error
// never quotes the input: it is a secret.
func ParsePrivateKey(text []byte) (ed25519.PrivateKey, error) {
	trimmed := strings.TrimSpace(string(text))
	if strings.HasPrefix(trimmed, "-----BEGIN") {
		block, _ := pem.Decode([]byte(trimmed))
		if block == nil {
			return nil, errors.New("signing key: the PEM block does not decode")
		}
		if block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("signing key: PEM type %q; want an Ed25519 \"PRIVATE KEY\" (PKCS #8)", block.Type)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing key: not a PKCS #8 private key: %w", err)
		}
		ed, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing key: a %T, not Ed25519; use `cwreport keygen` or KMS for other key types", k)
		}
		return ed, nil
	}
	raw, err := base64.StdEncoding.DecodeString(trimmed)
	if err != nil {
		return nil, errors.New("signing key: neither a PEM private key nor base64")
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		return ed25519.PrivateKey(raw), nil
	}
	return nil, fmt.Errorf("signing key: base64 of %d bytes; want a 32-byte seed or a 64-byte Ed25519 key", len(raw))
}

// ParsePublicKey reads a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) holding an
// Ed25519 or ECDSA key, as `cwreport keygen` writes it or `aws kms
// get-public-key` returns it (after base64 decoding to DER and PEM wrapping;
// raw DER is accepted too).
func ParsePublicKey(data []byte) (crypto.PublicKey, error) {
	der := data
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("public key: PEM type %q; want \"PUBLIC KEY\"", block.Type)
		}
		der = block.Bytes
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key: not a PEM or DER SubjectPublicKeyInfo: %w", err)
	}
	switch pub.(type) {
	case ed25519.PublicKey, *ecdsa.PublicKey:
		return pub, nil
	}
	return nil, fmt.Errorf("public key: %T is not supported (Ed25519 or ECDSA)", pub)
}

// MarshalPublicKey writes pub as PEM "PUBLIC KEY".
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// MarshalPrivateKey writes key as PEM "PRIVATE KEY" (PKCS #8).
func MarshalPrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// demoSeed derives the demo key. It is public on purpose: the demo shows
// what a signed pack looks like; a pack signed with it proves nothing about
// who made it, and the runner refuses it for real accounts.
var demoSeed = sha256.Sum256([]byte("cwreport demo audit pack key, public, not for real accounts"))

// DemoKey is the built-in demo signing key (docs/security.md publishes it).
func DemoKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(demoSeed[:]) }

// VerifySignature checks sig over message with pub.
func VerifySignature(pub crypto.PublicKey, sig Signature, message []byte) error {
	value, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil {
		return errors.New("the signature is not base64")
	}
	digest := func(h hash.Hash) []byte { h.Write(message); return h.Sum(nil) }
	switch k := pub.(type) {
	case ed25519.PublicKey:
		switch sig.Algorithm {
		case AlgEd25519:
			if ed25519.Verify(k, message, value) {
				return nil
			}
		case AlgEd25519ph:
			d := sha512.Sum512(message)
			ph := sha512.Sum512(d[:])
			if ed25519.VerifyWithOptions(k, ph[:], value, &ed25519.Options{Hash: crypto.SHA512}) == nil {
				return nil
			}
		default:
			return fmt.Errorf("algorithm %q does not match an Ed25519 key", sig.Algorithm)
		}
	case *ecdsa.PublicKey:
		var d []byte
		switch sig.Algorithm {
		case AlgECDSASHA256:
			d = digest(sha256.New())
		case AlgECDSASHA384:
			d = digest(sha512.New384())
		case AlgECDSASHA512:
			d = digest(sha512.New())
		default:
			return fmt.Errorf("algorithm %q does not match an ECDSA key", sig.Algorithm)
		}
		if ecdsa.VerifyASN1(k, d, value) {
			return nil
		}
	default:
		return fmt.Errorf("public key type %T is not supported", pub)
	}
	return errors.New("the signature does not match the manifest and key")
}
