package pack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
)

var meta = Meta{Job: "audit", Kind: "security", Period: "2026-11", GeneratedAt: time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC),
	Window:  report.Window{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
	Account: report.Account{ID: "123456789012", Region: "ap-northeast-2"}}

func files() []File {
	return []File{
		{Name: "report/audit-2026-11.md", Data: []byte("# audit\n"), Role: report.RoleReport},
		{Name: "report/audit-2026-11.json", Data: []byte(`{"schema":"cwreport.report/v1"}`), Role: report.RoleReport},
		{Name: "evidence/checks.csv", Data: []byte("id,status\niam.root_mfa,pass\n"), Role: report.RoleEvidence},
	}
}

func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed := sha256.Sum256([]byte("pack test key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

func build(t testing.TB, signer Signer) []byte {
	t.Helper()
	data, err := Build(context.Background(), meta, files(), signer)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// rezip rewrites a pack entry by entry; edit may change or drop (nil) an
// entry's bytes, and extra entries are appended.
func rezip(t *testing.T, data []byte, edit func(name string, b []byte) []byte, extra map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if edit != nil {
			b = edit(f.Name, b)
		}
		if b == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	for name, b := range extra {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func problems(r *Result) string {
	var s []string
	for _, p := range r.Problems {
		s = append(s, p.Error())
	}
	return strings.Join(s, "\n")
}

func TestGoodPackVerifies(t *testing.T) {
	key := testKey(t)
	data := build(t, Ed25519Signer{Key: key, Label: "file"})
	for _, pub := range []any{key.Public(), nil} {
		r := VerifyBytes(data, pub)
		if !r.OK() || r.Files != 3 || r.Pinned != (pub != nil) {
			t.Fatalf("pub %v: ok %v files %d pinned %v\n%s", pub != nil, r.OK(), r.Files, r.Pinned, problems(r))
		}
	}
	r := VerifyBytes(data, key.Public())
	if r.Manifest.Job != "audit" || r.Signature.Signer != "file" || r.Signature.Algorithm != AlgEd25519 {
		t.Errorf("manifest %+v signature %+v", r.Manifest, r.Signature)
	}
	// Same report, same key: same bytes.
	if again := build(t, Ed25519Signer{Key: key, Label: "file"}); !bytes.Equal(again, data) {
		t.Error("building the same pack twice gave different bytes")
	}
}

func TestTamperedPacks(t *testing.T) {
	key := testKey(t)
	good := build(t, Ed25519Signer{Key: key, Label: "file"})
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		pub  any
		want []string // "file: kind" of every problem, in order
	}{
		{"one byte changed in a file", func(t *testing.T) []byte {
			return rezip(t, good, func(name string, b []byte) []byte {
				if name == "evidence/checks.csv" {
					b = bytes.Clone(b)
					b[len(b)-3] ^= 0x01 // "pass" → "paqs"
				}
				return b
			}, nil)
		}, key.Public(), []string{"evidence/checks.csv: changed"}},
		{"a file added", func(t *testing.T) []byte {
			return rezip(t, good, nil, map[string][]byte{"evidence/extra.csv": []byte("x\n")})
		}, key.Public(), []string{"evidence/extra.csv: added"}},
		{"a file removed", func(t *testing.T) []byte {
			return rezip(t, good, func(name string, b []byte) []byte {
				if name == "report/audit-2026-11.md" {
					return nil
				}
				return b
			}, nil)
		}, key.Public(), []string{"report/audit-2026-11.md: missing"}},
		{"wrong key", func(*testing.T) []byte { return good }, other.Public(), []string{"manifest.sig: signature"}},
		{"re-signed by another key, checked against the right one", func(*testing.T) []byte {
			return build(t, Ed25519Signer{Key: other, Label: "file"})
		}, key.Public(), []string{"manifest.sig: signature"}},
		{"manifest rehashed to hide a change", func(t *testing.T) []byte {
			return rezip(t, good, func(name string, b []byte) []byte {
				switch name {
				case "evidence/checks.csv":
					return []byte("id,status\niam.root_mfa,FAIL\n")
				case ManifestName:
					var m Manifest
					json.Unmarshal(b, &m)
					for i := range m.Files {
						if m.Files[i].Name == "evidence/checks.csv" {
							sum := sha256.Sum256([]byte("id,status\niam.root_mfa,FAIL\n"))
							m.Files[i].SHA256 = hexString(sum[:])
						}
					}
					out, _ := json.MarshalIndent(m, "", "  ")
					return append(out, '\n')
				}
				return b
			}, nil)
		}, key.Public(), []string{"manifest.json: signature"}},
		{"embedded key swapped for the attacker's", func(t *testing.T) []byte {
			return rezip(t, good, func(name string, b []byte) []byte {
				if name == SignatureName {
					var s Signature
					json.Unmarshal(b, &s)
					der, _ := marshalDER(other.Public())
					s.PublicKey = base64.StdEncoding.EncodeToString(der)
					out, _ := json.Marshal(s)
					return out
				}
				return b
			}, nil)
		}, nil, []string{"manifest.sig: signature"}},
		{"not a zip", func(*testing.T) []byte { return []byte("PK\x03\x04 truncated") }, nil, []string{": unreadable"}},
		{"no manifest", func(t *testing.T) []byte {
			return rezip(t, good, func(name string, b []byte) []byte {
				if name == ManifestName {
					return nil
				}
				return b
			}, nil)
		}, key.Public(), []string{"manifest.json: manifest"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := VerifyBytes(c.data(t), c.pub)
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.File+": "+p.Kind)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", problems(r), strings.Join(c.want, "\n"))
			}
		})
	}
}

// A pack unzipped and zipped again unchanged (zip -r adds an entry per
// directory, "report/", "evidence/") still verifies: a directory entry holds
// no bytes. A "directory" entry that does hold bytes is still an added file.
func TestRezippedWithDirectoryEntries(t *testing.T) {
	key := testKey(t)
	good := build(t, Ed25519Signer{Key: key, Label: "file"})
	withDirs := func(dirData []byte) []byte {
		zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, d := range []string{"evidence~", "report~"} {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: d, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(dirData)
		}
		for _, f := range zr.File {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
		zw.Close()
		// zip.Writer refuses bytes in a directory entry, a hostile zip does
		// not: rename the entries in place (same length, names are not in
		// any checksum).
		out := bytes.ReplaceAll(buf.Bytes(), []byte("evidence~"), []byte("evidence/"))
		return bytes.ReplaceAll(out, []byte("report~"), []byte("report/"))
	}
	if r := VerifyBytes(withDirs(nil), key.Public()); !r.OK() || r.Files != 3 {
		t.Errorf("re-zipped with directory entries: ok %v files %d\n%s", r.OK(), r.Files, problems(r))
	}
	r := VerifyBytes(withDirs([]byte("hidden")), key.Public())
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.File+": "+p.Kind)
	}
	if want := "evidence/: added\nreport/: added"; strings.Join(got, "\n") != want {
		t.Errorf("directory entries holding bytes: problems\n%s\nwant\n%s", problems(r), want)
	}
}

// A byte flipped in the zip file itself (inside a compressed entry) makes
// that entry unreadable or changed, and the problem names it.
func TestRawByteFlip(t *testing.T) {
	key := testKey(t)
	good := build(t, Ed25519Signer{Key: key, Label: "file"})
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var target *zip.File
	for _, f := range zr.File {
		if f.Name == "evidence/checks.csv" {
			target = f
		}
	}
	off, err := target.DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[off+2] ^= 0x40
	r := VerifyBytes(bad, key.Public())
	if r.OK() || r.Problems[0].File != "evidence/checks.csv" {
		t.Errorf("problems:\n%s", problems(r))
	}
}

// A zip entry far larger than its manifest size is not read past it.
func TestOversizedEntry(t *testing.T) {
	key := testKey(t)
	good := build(t, Ed25519Signer{Key: key, Label: "file"})
	big := bytes.Repeat([]byte("A"), 50<<20)
	bad := rezip(t, good, func(name string, b []byte) []byte {
		if name == "evidence/checks.csv" {
			return big
		}
		return b
	}, nil)
	r := VerifyBytes(bad, key.Public())
	if len(r.Problems) != 1 || r.Problems[0].Kind != ProblemChanged || !strings.Contains(r.Problems[0].Detail, "longer than the 28 bytes") {
		t.Errorf("problems:\n%s", problems(r))
	}
}

func TestECDSAPacks(t *testing.T) {
	// A local ECDSA signer stands in for KMS here (kmssign is tested against
	// kumo); it signs the SHA-256 digest as KMS ECDSA_SHA_256 does.
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data := build(t, ecdsaSigner{k})
	if r := VerifyBytes(data, &k.PublicKey); !r.OK() {
		t.Fatalf("ecdsa pack:\n%s", problems(r))
	}
	if r := VerifyBytes(data, testKey(t).Public()); r.OK() {
		t.Error("an ECDSA pack verified with an Ed25519 key")
	}
}

type ecdsaSigner struct{ k *ecdsa.PrivateKey }

func (s ecdsaSigner) Sign(_ context.Context, m []byte) (Signature, error) {
	d := sha256.Sum256(m)
	v, err := ecdsa.SignASN1(rand.Reader, s.k, d[:])
	if err != nil {
		return Signature{}, err
	}
	der, _ := marshalDER(&s.k.PublicKey)
	id, _ := KeyID(&s.k.PublicKey)
	return Signature{Algorithm: AlgECDSASHA256, KeyID: id, PublicKey: base64.StdEncoding.EncodeToString(der), Signer: "test", Value: base64.StdEncoding.EncodeToString(v)}, nil
}

func TestBuildRejects(t *testing.T) {
	key := testKey(t)
	for _, name := range []string{"../evil", "/abs", "a/../b", `a\b`, ManifestName, "", "a//b", "x\x00y"} {
		_, err := Build(context.Background(), meta, []File{{Name: name, Data: []byte("x")}}, Ed25519Signer{Key: key})
		if err == nil {
			t.Errorf("Build accepted file name %q", name)
		}
	}
	_, err := Build(context.Background(), meta, []File{{Name: "a", Data: nil}, {Name: "a", Data: nil}}, Ed25519Signer{Key: key})
	if err == nil {
		t.Error("Build accepted a duplicate name")
	}
}

func TestKeys(t *testing.T) {
	key := testKey(t)
	pemKey, _ := MarshalPrivateKey(key)
	for _, text := range [][]byte{pemKey, []byte(base64.StdEncoding.EncodeToString(key.Seed())), []byte(" " + base64.StdEncoding.EncodeToString(key) + "\n")} {
		got, err := ParsePrivateKey(text)
		if err != nil || !got.Equal(key) {
			t.Errorf("parse %q: %v", text[:10], err)
		}
	}
	for _, bad := range []string{"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "not base64 !", base64.StdEncoding.EncodeToString([]byte("short"))} {
		_, err := ParsePrivateKey([]byte(bad))
		if err == nil {
			t.Errorf("parsed %q", bad)
		} else if strings.Contains(err.Error(), "AAAA") {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
	pubPEM, _ := MarshalPublicKey(key.Public())
	pub, err := ParsePublicKey(pubPEM)
	if err != nil || !pub.(ed25519.PublicKey).Equal(key.Public()) {
		t.Errorf("public key round trip: %v", err)
	}
	if _, err := ParsePublicKey(pemKey); err == nil {
		t.Error("a private key was accepted as a public key")
	}
	if !DemoKey().Equal(DemoKey()) {
		t.Error("the demo key must be deterministic")
	}
}

func TestTableCSV(t *testing.T) {
	tb := &report.Table{Columns: []report.Column{{Key: "user"}, {Key: "count"}, {Key: "when"}, {Key: "ok"}},
		Rows: [][]report.Cell{
			{report.Text("=HYPERLINK(\"http://x\")"), report.Int(3), report.Time(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.UTC, "2006"), {Text: "yes", Value: true}},
			{report.Text("alice, \"the\" admin"), report.Num(2.5, 1), {Text: "-"}, {Text: "no", Value: false}},
			{report.Text("-1 day"), {Text: "-"}, report.Text("@cmd"), report.Text("ok")},
		}, Omitted: 2}
	got := string(TableCSV(tb))
	want := "user,count,when,ok\n" +
		"\"'=HYPERLINK(\"\"http://x\"\")\",3,2026-11-01T09:00:00Z,true\n" +
		"\"alice, \"\"the\"\" admin\",2.5,,false\n" +
		"'-1 day,,'@cmd,ok\n" +
		"# 2 more rows were left out of the report,,,\n"
	if got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}
}

func BenchmarkBuildVerify(b *testing.B) {
	key := testKey(b)
	fs := files()
	fs = append(fs, File{Name: "report/audit.pdf", Data: bytes.Repeat([]byte("pdf "), 1<<20)})
	b.ReportAllocs()
	for b.Loop() {
		data, err := Build(context.Background(), meta, fs, Ed25519Signer{Key: key})
		if err != nil {
			b.Fatal(err)
		}
		if r := VerifyBytes(data, key.Public()); !r.OK() {
			b.Fatal(problems(r))
		}
	}
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

func marshalDER(pub any) ([]byte, error) { return x509.MarshalPKIXPublicKey(pub) }
