// Package pack builds and verifies the signed audit pack: one zip holding a
// report in every rendered format, evidence files (CSV), and manifest.json
// with the SHA-256 of every other file, signed by manifest.sig.
//
// The signature covers the exact bytes of manifest.json, and the manifest
// covers every other file by hash, so one check of the signature and one
// hash per file prove that nothing was changed, added or removed since the
// pack was signed. Verification needs only the standard library (Ed25519 or
// ECDSA), so an auditor can check a pack without cwreport: see
// docs/security.md.
package pack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/report"
)

// Schema identifies the manifest format.
const Schema = "cwreport.pack/v1"

// Names of the two files that describe the pack.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// File is one file to put into a pack.
type File struct {
	// Name is the path inside the zip, e.g. "report/audit-2026-11.pdf" or
	// "evidence/checks.csv": relative, slash-separated, no "..".
	Name string
	Data []byte
	// Role is the artifact role (report, image, evidence).
	Role string
}

// Manifest lists every file of the pack with its hash. It is written as
// indented JSON and signed byte for byte.
type Manifest struct {
	Schema      string         `json:"schema"`
	Job         string         `json:"job"`
	Kind        string         `json:"kind"`
	Period      string         `json:"period"`
	GeneratedAt time.Time      `json:"generated_at"`
	Window      report.Window  `json:"window"`
	Account     report.Account `json:"account"`
	Files       []Entry        `json:"files"`
}

// Entry is one file of the manifest.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Role   string `json:"role,omitempty"`
}

// Signature is manifest.sig: who signed the manifest and how.
type Signature struct {
	// Algorithm is "ed25519" (RFC 8032, over the manifest bytes),
	// "ed25519ph-sha512" (RFC 8032 Ed25519ph over the SHA-512 of the
	// manifest, what KMS signs for manifests over 4096 bytes) or
	// "ecdsa-sha256" / "ecdsa-sha384" / "ecdsa-sha512" (ASN.1 DER ECDSA
	// signature of the manifest's hash, as `openssl dgst -verify` checks).
	Algorithm string `json:"algorithm"`
	// KeyID is "sha256:" and the hex SHA-256 of the public key's DER
	// (SubjectPublicKeyInfo); compare it with `cwreport keygen`'s output.
	KeyID string `json:"key_id"`
	// PublicKey is the DER SubjectPublicKeyInfo, base64: it lets anyone
	// check the pack's integrity; only --pubkey proves who signed it.
	PublicKey string `json:"public_key"`
	// Signer says where the key lives: "file", "kms:<key ARN>" or "demo".
	Signer string `json:"signer"`
	// Value is the signature, base64.
	Value string `json:"signature"`
}

// Signer signs a manifest.
type Signer interface {
	// Sign returns the signature of message with every field filled.
	Sign(ctx context.Context, message []byte) (Signature, error)
}

// Meta is what the manifest says about the report besides its files.
type Meta struct {
	Job, Kind, Period string
	GeneratedAt       time.Time
	Window            report.Window
	Account           report.Account
}

// MaxFiles and MaxTotal bound what a pack may hold, and what Verify reads.
const (
	MaxFiles = 10000
	MaxTotal = 2 << 30
)

// CheckName reports whether name is a safe path inside a pack.
func CheckName(name string) error {
	switch {
	case name == "" || len(name) > 255:
		return fmt.Errorf("file name %q is empty or longer than 255 bytes", name)
	case name == ManifestName || name == SignatureName:
		return fmt.Errorf("file name %q is reserved for the pack's own files", name)
	case strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || strings.HasPrefix(name, "../") || name == "..":
		return fmt.Errorf("file name %q must be a relative, clean, slash-separated path", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("file name %q holds a control character", name)
		}
	}
	return nil
}

// Build writes the pack: manifest.json and manifest.sig first, then the
// files in name order. Every entry is stamped with meta.GeneratedAt, so the
// same report and key give the same bytes (Ed25519 signatures are
// deterministic).
func Build(ctx context.Context, meta Meta, files []File, signer Signer) ([]byte, error) {
	if signer == nil {
		return nil, fmt.Errorf("build audit pack: no signer")
	}
	if len(files) > MaxFiles {
		return nil, fmt.Errorf("build audit pack: %d files, more than %d", len(files), MaxFiles)
	}
	fs := slices.Clone(files)
	slices.SortFunc(fs, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	m := Manifest{Schema: Schema, Job: meta.Job, Kind: meta.Kind, Period: meta.Period, GeneratedAt: meta.GeneratedAt.UTC(),
		Window: meta.Window, Account: meta.Account, Files: make([]Entry, 0, len(fs))}
	var total int64
	for i, f := range fs {
		if err := CheckName(f.Name); err != nil {
			return nil, fmt.Errorf("build audit pack: %w", err)
		}
		if i > 0 && fs[i-1].Name == f.Name {
			return nil, fmt.Errorf("build audit pack: file %q twice", f.Name)
		}
		total += int64(len(f.Data))
		if total > MaxTotal {
			return nil, fmt.Errorf("build audit pack: more than %d bytes", int64(MaxTotal))
		}
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, Entry{Name: f.Name, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:]), Role: f.Role})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	manifest = append(manifest, '\n')
	sig, err := signer.Sign(ctx, manifest)
	if err != nil {
		return nil, fmt.Errorf("sign manifest: %w", err)
	}
	sigJSON, err := json.MarshalIndent(sig, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode signature: %w", err)
	}
	sigJSON = append(sigJSON, '\n')

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := meta.GeneratedAt.UTC()
	if stamp.Year() < 1980 { // the zip format starts in 1980
		stamp = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add(ManifestName, manifest); err != nil {
		return nil, fmt.Errorf("write pack: %w", err)
	}
	if err := add(SignatureName, sigJSON); err != nil {
		return nil, fmt.Errorf("write pack: %w", err)
	}
	for _, f := range fs {
		if err := add(f.Name, f.Data); err != nil {
			return nil, fmt.Errorf("write pack %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("write pack: %w", err)
	}
	return buf.Bytes(), nil
}
