package kmssign

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/pack"
)

func client(endpoint string) *kms.Client {
	return kms.NewFromConfig(sdkaws.Config{Region: "ap-northeast-2", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "kms-secret-key", "")},
		func(o *kms.Options) { o.BaseEndpoint = sdkaws.String(endpoint) })
}

// counting wraps the real client to count the calls the signer makes.
type counting struct {
	API
	pub, sign atomic.Int32
}

func (c *counting) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, o ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	c.pub.Add(1)
	return c.API.GetPublicKey(ctx, in, o...)
}

func (c *counting) Sign(ctx context.Context, in *kms.SignInput, o ...func(*kms.Options)) (*kms.SignOutput, error) {
	c.sign.Add(1)
	return c.API.Sign(ctx, in, o...)
}

var meta = pack.Meta{Job: "audit", Kind: "security", Period: "2026-11", GeneratedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}

func files(n int) []pack.File {
	var fs []pack.File
	for i := 0; i < n; i++ {
		fs = append(fs, pack.File{Name: fmt.Sprintf("evidence/table-%03d.csv", i), Data: []byte(fmt.Sprintf("id\n%d\n", i)), Role: report.RoleEvidence})
	}
	return fs
}

func createKey(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) string {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	if err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.KeyMetadata.KeyId)
}

// ECDSA P-256 against kumo, a real KMS protocol peer: the pack verifies
// with the key's public half from GetPublicKey, which is read once.
func TestKMSECDSAOnKumo(t *testing.T) {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	c := client(srv.URL)
	id := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	api := &counting{API: c}
	s := &Signer{Client: api, KeyID: id}
	data, err := pack.Build(context.Background(), meta, files(3), s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetPublicKey(context.Background(), &kms.GetPublicKeyInput{KeyId: sdkaws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	r := pack.VerifyBytes(data, pub)
	if !r.OK() || r.Signature.Algorithm != pack.AlgECDSASHA256 || !strings.HasPrefix(r.Signature.Signer, "kms:") {
		t.Fatalf("verify: %+v %+v", r.Problems, r.Signature)
	}
	// A second pack: one more Sign, no second GetPublicKey.
	if _, err := pack.Build(context.Background(), meta, files(1), s); err != nil {
		t.Fatal(err)
	}
	if api.pub.Load() != 1 || api.sign.Load() != 2 {
		t.Errorf("calls: GetPublicKey %d, Sign %d; want 1 and 2", api.pub.Load(), api.sign.Load())
	}
}

func TestKMSKeyRefused(t *testing.T) {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	c := client(srv.URL)
	cases := []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		want  string
	}{
		{types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt, "not an asymmetric key"},
		{types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt, "needs an asymmetric SIGN_VERIFY key"},
		{types.KeySpecRsa2048, types.KeyUsageTypeSignVerify, "spec RSA_2048"},
	}
	for _, tc := range cases {
		id := createKey(t, c, tc.spec, tc.usage)
		_, err := pack.Build(context.Background(), meta, files(1), &Signer{Client: c, KeyID: id})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s/%s: %v, want %q", tc.spec, tc.usage, err, tc.want)
		}
	}
	_, err := pack.Build(context.Background(), meta, files(1), &Signer{Client: c, KeyID: "alias/none"})
	if err == nil || !strings.Contains(err.Error(), "kms:GetPublicKey alias/none") {
		t.Errorf("missing key: %v", err)
	}
}

// kumo has no Ed25519 keys: this server answers GetPublicKey and Sign with
// bodies shaped like the KMS API reference's examples (JSON 1.1, blobs in
// base64), signing as the Sign reference describes: ED25519_SHA_512 over a
// RAW message of at most 4096 bytes; ED25519_PH_SHA_512 over a DIGEST of 64
// bytes, which KMS hashes again with SHA-512 before signing.
type fakeEd25519KMS struct {
	key   ed25519.PrivateKey
	bogus bool
}

func (f *fakeEd25519KMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		KeyId, SigningAlgorithm, MessageType string
		Message                              []byte
	}
	json.Unmarshal(body, &in)
	fail := func(typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	const arn = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch r.Header.Get("X-Amz-Target") {
	case "TrentService.GetPublicKey":
		der, _ := x509.MarshalPKIXPublicKey(f.key.Public())
		json.NewEncoder(w).Encode(map[string]any{"KeyId": arn, "KeySpec": "ECC_NIST_EDWARDS25519", "CustomerMasterKeySpec": "ECC_NIST_EDWARDS25519",
			"KeyUsage": "SIGN_VERIFY", "PublicKey": der, "SigningAlgorithms": []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}})
	case "TrentService.Sign":
		var sig []byte
		switch {
		case in.SigningAlgorithm == "ED25519_SHA_512" && (in.MessageType == "RAW" || in.MessageType == ""):
			if len(in.Message) > 4096 {
				fail("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
				return
			}
			sig = ed25519.Sign(f.key, in.Message)
		case in.SigningAlgorithm == "ED25519_PH_SHA_512" && in.MessageType == "DIGEST":
			if len(in.Message) != 64 {
				fail("ValidationException", "Digest is invalid length for algorithm ED25519_PH_SHA_512.")
				return
			}
			ph := sha512.Sum512(in.Message)
			sig, _ = f.key.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
		default:
			fail("InvalidKeyUsageException", "The signing algorithm and message type are not valid for this key.")
			return
		}
		if f.bogus {
			sig[0] ^= 1
		}
		json.NewEncoder(w).Encode(map[string]any{"KeyId": arn, "Signature": sig, "SigningAlgorithm": in.SigningAlgorithm})
	default:
		fail("UnknownOperationException", "")
	}
}

func TestKMSEd25519(t *testing.T) {
	seed := sha256.Sum256([]byte("kms ed25519"))
	key := ed25519.NewKeyFromSeed(seed[:])
	srv := httptest.NewServer(&fakeEd25519KMS{key: key})
	t.Cleanup(srv.Close)
	for _, n := range []int{2, 60} { // a manifest under and over 4096 bytes
		data, err := pack.Build(context.Background(), meta, files(n), &Signer{Client: client(srv.URL), KeyID: "alias/audit-pack"})
		if err != nil {
			t.Fatalf("%d files: %v", n, err)
		}
		r := pack.VerifyBytes(data, key.Public())
		want := pack.AlgEd25519
		if n == 60 {
			want = pack.AlgEd25519ph
		}
		if !r.OK() || r.Signature.Algorithm != want {
			t.Errorf("%d files: %+v, algorithm %s want %s", n, r.Problems, r.Signature.Algorithm, want)
		}
	}
	bogus := httptest.NewServer(&fakeEd25519KMS{key: key, bogus: true})
	t.Cleanup(bogus.Close)
	_, err := pack.Build(context.Background(), meta, files(1), &Signer{Client: client(bogus.URL), KeyID: "alias/audit-pack"})
	if err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("a bad signature from KMS: %v", err)
	}
}
