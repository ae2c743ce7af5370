// Package kmssign signs audit pack manifests with an asymmetric AWS KMS key,
// so the private key never leaves KMS. It talks to KMS through API, the two
// calls it needs, and checks every signature it gets back against the key's
// public half before using it.
package kmssign

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/cwreport/cwreport/report/pack"
)

// API is the part of the KMS client the signer uses.
type API interface {
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
}

// maxRaw is the largest message KMS signs as is.
const maxRaw = 4096

// Signer signs with the KMS key KeyID (key id, key ARN, alias name or
// alias ARN). Key specs: ECC_NIST_EDWARDS25519 (ED25519_SHA_512, or
// ED25519_PH_SHA_512 over the SHA-512 digest for manifests over 4096
// bytes) and ECC_NIST_P256/P384/P521 (ECDSA_SHA_256/384/512 over the
// digest). It reads the public key once.
type Signer struct {
	Client API
	KeyID  string

	once   sync.Once
	pubErr error
	pub    any
	der    []byte
	arn    string
	spec   types.KeySpec
}

func (s *Signer) publicKey(ctx context.Context) error {
	s.once.Do(func() {
		out, err := s.Client.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sdkaws.String(s.KeyID)})
		if err != nil {
			s.pubErr = fmt.Errorf("kms:GetPublicKey %s: %w", s.KeyID, err)
			return
		}
		if out.KeyUsage != types.KeyUsageTypeSignVerify {
			s.pubErr = fmt.Errorf("KMS key %s has usage %s; the audit pack needs an asymmetric SIGN_VERIFY key", s.KeyID, out.KeyUsage)
			return
		}
		pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
		if err != nil {
			s.pubErr = fmt.Errorf("KMS key %s: public key does not parse: %w", s.KeyID, err)
			return
		}
		s.pub, s.der, s.spec, s.arn = pub, out.PublicKey, out.KeySpec, sdkaws.ToString(out.KeyId)
	})
	return s.pubErr
}

// Sign implements pack.Signer.
func (s *Signer) Sign(ctx context.Context, message []byte) (pack.Signature, error) {
	if err := s.publicKey(ctx); err != nil {
		return pack.Signature{}, err
	}
	in := &kms.SignInput{KeyId: sdkaws.String(s.KeyID)}
	var alg string
	switch s.spec {
	case types.KeySpecEccNistEdwards25519:
		if _, ok := s.pub.(ed25519.PublicKey); !ok {
			return pack.Signature{}, fmt.Errorf("KMS key %s: spec %s but public key %T", s.KeyID, s.spec, s.pub)
		}
		if len(message) <= maxRaw {
			in.SigningAlgorithm, in.MessageType, in.Message, alg = types.SigningAlgorithmSpecEd25519Sha512, types.MessageTypeRaw, message, pack.AlgEd25519
		} else {
			d := sha512.Sum512(message)
			in.SigningAlgorithm, in.MessageType, in.Message, alg = types.SigningAlgorithmSpecEd25519PhSha512, types.MessageTypeDigest, d[:], pack.AlgEd25519ph
		}
	case types.KeySpecEccNistP256:
		d := sha256.Sum256(message)
		in.SigningAlgorithm, in.MessageType, in.Message, alg = types.SigningAlgorithmSpecEcdsaSha256, types.MessageTypeDigest, d[:], pack.AlgECDSASHA256
	case types.KeySpecEccNistP384:
		d := sha512.Sum384(message)
		in.SigningAlgorithm, in.MessageType, in.Message, alg = types.SigningAlgorithmSpecEcdsaSha384, types.MessageTypeDigest, d[:], pack.AlgECDSASHA384
	case types.KeySpecEccNistP521:
		d := sha512.Sum512(message)
		in.SigningAlgorithm, in.MessageType, in.Message, alg = types.SigningAlgorithmSpecEcdsaSha512, types.MessageTypeDigest, d[:], pack.AlgECDSASHA512
	default:
		return pack.Signature{}, fmt.Errorf("KMS key %s has spec %s; the audit pack signs with ECC_NIST_EDWARDS25519 or ECC_NIST_P256/P384/P521 keys", s.KeyID, s.spec)
	}
	if _, ok := s.pub.(*ecdsa.PublicKey); !ok && alg != pack.AlgEd25519 && alg != pack.AlgEd25519ph {
		return pack.Signature{}, fmt.Errorf("KMS key %s: spec %s but public key %T", s.KeyID, s.spec, s.pub)
	}
	out, err := s.Client.Sign(ctx, in)
	if err != nil {
		return pack.Signature{}, fmt.Errorf("kms:Sign %s: %w", s.KeyID, err)
	}
	id, err := pack.KeyID(s.pub)
	if err != nil {
		return pack.Signature{}, err
	}
	label := s.arn
	if label == "" {
		label = s.KeyID
	}
	sig := pack.Signature{Algorithm: alg, KeyID: id, PublicKey: base64.StdEncoding.EncodeToString(s.der),
		Signer: "kms:" + label, Value: base64.StdEncoding.EncodeToString(out.Signature)}
	// A signature that does not verify here would make every pack fail
	// verification later: refuse it now, with the reason.
	if err := pack.VerifySignature(s.pub, sig, message); err != nil {
		return pack.Signature{}, fmt.Errorf("KMS key %s returned a signature that does not verify: %w", s.KeyID, err)
	}
	return sig, nil
}
