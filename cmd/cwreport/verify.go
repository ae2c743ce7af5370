package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cwreport/cwreport/report/pack"
)

func verifyCommand() *command {
	c := &command{
		name:    "verify",
		summary: "Check a signed audit pack: every file hash and the manifest signature",
		usage:   "cwreport verify PACK [--pubkey FILE]",
		example: `  cwreport verify out/security-2026-11-pack.zip --pubkey pack-key.pub.pem
  cwreport verify out/security-2026-11-pack.zip          # integrity only: checks against the key inside the pack
  # exit 0: every hash and the signature hold; 1: a file was changed, added or removed, or the signature fails; 2: usage`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		pubPath := fs.String("pubkey", "", "public key `FILE` (PEM) the pack must be signed with; without it only integrity is proven")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			fmt.Fprintln(e.stderr, "cwreport verify: name exactly one PACK (a .zip written by a security job)")
			return 2
		}
		var pub any
		if *pubPath != "" {
			data, err := os.ReadFile(*pubPath)
			if err != nil {
				fmt.Fprintf(e.stderr, "cwreport verify: read public key: %v\n", err)
				return 2
			}
			if pub, err = pack.ParsePublicKey(data); err != nil {
				fmt.Fprintf(e.stderr, "cwreport verify: %s: %v\n", *pubPath, err)
				return 2
			}
		}
		// A PACK that cannot be opened is a usage error (2), not a failed
		// verification (1): nothing was checked.
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport verify: %v\n", err)
			return 2
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			fmt.Fprintf(e.stderr, "cwreport verify: %s is not a regular file\n", pos[0])
			return 2
		}
		res := pack.Verify(f, st.Size(), pub)
		if !res.OK() {
			for _, p := range res.Problems {
				fmt.Fprintf(e.stdout, "FAIL %s\n", p.Error())
			}
			fmt.Fprintf(e.stderr, "cwreport verify: %s does NOT verify: %d problem(s)\n", pos[0], len(res.Problems))
			return 1
		}
		m, s := res.Manifest, res.Signature
		fmt.Fprintf(e.stdout, "OK %s: %d file(s) match the signed manifest\n", pos[0], res.Files)
		fmt.Fprintf(e.stdout, "  report  %s/%s (%s), account %s %s, generated %s\n", m.Job, m.Period, m.Kind, m.Account.ID, m.Account.Region, m.GeneratedAt.Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(e.stdout, "  signed  %s by %s, key %s\n", s.Algorithm, s.Signer, s.KeyID)
		switch {
		case s.Signer == "demo":
			fmt.Fprintln(e.stdout, "  note    signed with the public demo key: this proves nothing about who made it")
		case !res.Pinned:
			fmt.Fprintln(e.stdout, "  note    checked against the key inside the pack: it proves the files are intact, not who signed; pass --pubkey to pin the key")
		}
		return 0
	}
	return c
}

func keygenCommand() *command {
	c := &command{
		name:    "keygen",
		summary: "Create an Ed25519 key pair for signing audit packs",
		usage:   "cwreport keygen --out NAME",
		example: `  cwreport keygen --out /etc/cwreport/pack-key
  # writes pack-key.pem (private, mode 0600: security.pack.signing_key_file)
  # and pack-key.pub.pem (public: give it to auditors for cwreport verify --pubkey)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		flags := newFlags(c, e)
		out := flags.String("out", "", "write `NAME`.pem (private) and NAME.pub.pem (public)")
		pos, code, ok := parse(flags, args)
		if !ok {
			return code
		}
		if len(pos) > 0 || *out == "" {
			fmt.Fprintln(e.stderr, "cwreport keygen: give --out NAME and nothing else")
			return 2
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport keygen: %v\n", err)
			return 1
		}
		privPEM, err := pack.MarshalPrivateKey(priv)
		if err == nil {
			var pubPEM []byte
			if pubPEM, err = pack.MarshalPublicKey(pub); err == nil {
				// O_EXCL: an existing key is never overwritten.
				if err = writeNew(*out+".pem", privPEM, 0o600); err == nil {
					err = writeNew(*out+".pub.pem", pubPEM, 0o644)
				}
			}
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport keygen: %v\n", err)
			if errors.Is(err, fs.ErrExist) {
				return 2
			}
			return 1
		}
		id, _ := pack.KeyID(pub)
		fmt.Fprintf(e.stdout, "%s.pem\n%s.pub.pem\nkey id %s\n", *out, *out, id)
		fmt.Fprintf(e.stderr, "Set security.pack.signing_key_file: %s.pem in the configuration; keep it secret. Auditors verify with --pubkey %s.pub.pem.\n", *out, *out)
		return 0
	}
	return c
}

func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
