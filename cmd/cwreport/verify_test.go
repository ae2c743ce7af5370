package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/pack"
)

// writePack signs a small pack with key and returns its path.
func writePack(t *testing.T, key ed25519.PrivateKey) (string, []byte) {
	t.Helper()
	data, err := pack.Build(context.Background(), pack.Meta{Job: "audit", Kind: "security", Period: "2026-11", GeneratedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		[]pack.File{{Name: "report/audit-2026-11.md", Data: []byte("# audit\n"), Role: report.RoleReport},
			{Name: "evidence/checks.csv", Data: []byte("id,status\niam.root_mfa,pass\n"), Role: report.RoleEvidence}},
		pack.Ed25519Signer{Key: key, Label: "file"})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "audit-2026-11-pack.zip")
	os.WriteFile(p, data, 0o644)
	return p, data
}

// rewrite copies a pack, changing one entry with edit and adding extra.
func rewrite(t *testing.T, data []byte, edit func(string, []byte) []byte, extra string) string {
	t.Helper()
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(edit(f.Name, b))
	}
	if extra != "" {
		w, _ := zw.Create(extra)
		w.Write([]byte("planted\n"))
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "tampered.zip")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

func TestKeygenAndVerify(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "pack-key")
	code, out, errs := cli(t, "keygen", "--out", base)
	if code != 0 || !strings.Contains(out, "key id sha256:") {
		t.Fatalf("keygen: %d %s %s", code, out, errs)
	}
	if st, _ := os.Stat(base + ".pem"); st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v", st.Mode().Perm())
	}
	if code, _, errs := cli(t, "keygen", "--out", base); code != 2 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over an existing key: %d %s", code, errs)
	}
	privPEM, _ := os.ReadFile(base + ".pem")
	key, err := pack.ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	good, data := writePack(t, key)
	pub := base + ".pub.pem"

	code, out, _ = cli(t, "verify", good, "--pubkey", pub)
	if code != 0 || !strings.Contains(out, "OK ") || !strings.Contains(out, "2 file(s)") || strings.Contains(out, "note") {
		t.Errorf("good pack: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "verify", good)
	if code != 0 || !strings.Contains(out, "pass --pubkey to pin the key") {
		t.Errorf("good pack, embedded key: %d\n%s", code, out)
	}

	oneByte := rewrite(t, data, func(name string, b []byte) []byte {
		if name == "evidence/checks.csv" {
			b = bytes.Replace(b, []byte("pass"), []byte("fass"), 1)
		}
		return b
	}, "")
	added := rewrite(t, data, func(_ string, b []byte) []byte { return b }, "evidence/planted.csv")
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	otherPub, _ := pack.MarshalPublicKey(other.Public())
	wrongKey := writeFile(t, "other.pub.pem", string(otherPub))

	cases := []struct {
		name, pack, pubkey, want string
	}{
		{"one byte changed", oneByte, pub, "FAIL evidence/checks.csv: changed"},
		{"a file added", added, pub, "FAIL evidence/planted.csv: added"},
		{"wrong key", good, wrongKey, "FAIL manifest.sig: signature: signed by key"},
	}
	for _, c := range cases {
		code, out, errs := cli(t, "verify", c.pack, "--pubkey", c.pubkey)
		if code != 1 || !strings.Contains(out, c.want) || !strings.Contains(errs, "does NOT verify") {
			t.Errorf("%s: exit %d\n%s%s", c.name, code, out, errs)
		}
	}
	if code, _, _ := cli(t, "verify", filepath.Join(dir, "missing.zip")); code != 2 { // nothing was verified: usage
		t.Errorf("missing pack: exit %d", code)
	}
	if code, _, _ := cli(t, "verify"); code != 2 {
		t.Errorf("no argument: exit %d", code)
	}
	if code, _, errs := cli(t, "verify", good, "--pubkey", base+".pem"); code != 2 || !strings.Contains(errs, "PUBLIC KEY") {
		t.Errorf("a private key given as --pubkey: %d %s", code, errs)
	}
}
