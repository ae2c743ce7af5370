package pack

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Problem kinds: why a pack does not verify.
const (
	ProblemChanged    = "changed"    // a file's bytes differ from its manifest hash
	ProblemAdded      = "added"      // a file is in the zip but not in the manifest
	ProblemMissing    = "missing"    // a file is in the manifest but not in the zip
	ProblemSignature  = "signature"  // manifest.sig does not verify
	ProblemManifest   = "manifest"   // manifest.json or manifest.sig is absent or unreadable
	ProblemUnreadable = "unreadable" // the zip or an entry cannot be read (corrupt bytes)
	ProblemDuplicate  = "duplicate"  // a name appears twice in the zip
)

// Problem is one reason a pack does not verify, naming the file.
type Problem struct {
	File   string `json:"file"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func (p Problem) Error() string {
	if p.File == "" {
		return p.Kind + ": " + p.Detail
	}
	return p.File + ": " + p.Kind + ": " + p.Detail
}

// Result is what Verify found.
type Result struct {
	Manifest  Manifest
	Signature Signature
	// Pinned is true when the signature was checked against the key the
	// caller gave; false means against the key the pack carries, which
	// proves integrity but not who signed.
	Pinned bool
	// Files counts the files whose hash matched.
	Files    int
	Problems []Problem
}

// OK reports whether every hash and the signature hold.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// maxManifest bounds the manifest and signature read into memory.
const maxManifest = 16 << 20

// Verify checks a pack: the signature of manifest.json (with pub, or with
// the public key in manifest.sig when pub is nil), then every file against
// its manifest hash, every zip entry against the manifest (nothing added)
// and every manifest entry against the zip (nothing missing). It reads each
// entry once, at most its declared size plus one byte, so a hostile zip
// cannot make it read without bound. All problems are listed, not only the
// first.
func Verify(r io.ReaderAt, size int64, pub crypto.PublicKey) *Result {
	res := &Result{Pinned: pub != nil}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		res.add("", ProblemUnreadable, "not a readable zip: "+err.Error())
		return res
	}
	if len(zr.File) > MaxFiles+2 {
		res.add("", ProblemUnreadable, fmt.Sprintf("%d entries, more than %d", len(zr.File), MaxFiles+2))
		return res
	}
	byName := map[string]*zip.File{}
	var order []string
	for _, f := range zr.File {
		// A directory entry ("evidence/") holds no bytes: zip tools add one
		// per directory when a pack is unzipped and zipped again unchanged.
		// One that does hold bytes is checked like any file (and is added).
		if strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 == 0 && f.CompressedSize64 <= 2 {
			continue
		}
		if _, dup := byName[f.Name]; dup {
			res.add(f.Name, ProblemDuplicate, "the name appears more than once in the zip")
			continue
		}
		byName[f.Name] = f
		order = append(order, f.Name)
	}

	manifest, ok := readSmall(res, byName[ManifestName], ManifestName)
	sigData, sigOK := readSmall(res, byName[SignatureName], SignatureName)
	if !ok || !sigOK {
		return res
	}
	if err := json.Unmarshal(sigData, &res.Signature); err != nil {
		res.add(SignatureName, ProblemManifest, "not a signature document: "+err.Error())
		return res
	}
	res.checkSignature(pub, manifest)
	if err := json.Unmarshal(manifest, &res.Manifest); err != nil || res.Manifest.Schema != Schema {
		detail := fmt.Sprintf("schema %q, want %q", res.Manifest.Schema, Schema)
		if err != nil {
			detail = "not a manifest: " + err.Error()
		}
		res.add(ManifestName, ProblemManifest, detail)
		return res
	}

	listed := map[string]Entry{}
	var total int64
	for _, e := range res.Manifest.Files {
		if err := CheckName(e.Name); err != nil {
			res.add(e.Name, ProblemManifest, err.Error())
			continue
		}
		if _, dup := listed[e.Name]; dup {
			res.add(e.Name, ProblemManifest, "listed twice in the manifest")
			continue
		}
		listed[e.Name] = e
	}
	for _, name := range order {
		if name == ManifestName || name == SignatureName {
			continue
		}
		e, ok := listed[name]
		if !ok {
			res.add(name, ProblemAdded, "not listed in the signed manifest")
			continue
		}
		total += e.Size
		if total > MaxTotal || e.Size < 0 {
			res.add(name, ProblemUnreadable, "the manifest declares more bytes than a pack may hold")
			continue
		}
		sum, n, err := hashEntry(byName[name], e.Size)
		switch {
		case err != nil:
			res.add(name, ProblemUnreadable, err.Error())
		case n > e.Size:
			res.add(name, ProblemChanged, fmt.Sprintf("longer than the %d bytes the manifest says", e.Size))
		case n < e.Size:
			res.add(name, ProblemChanged, fmt.Sprintf("%d bytes, the manifest says %d", n, e.Size))
		case subtle.ConstantTimeCompare([]byte(sum), []byte(e.SHA256)) != 1:
			res.add(name, ProblemChanged, "SHA-256 "+sum+", manifest says "+e.SHA256)
		default:
			res.Files++
		}
	}
	var missing []string
	for name := range listed {
		if _, ok := byName[name]; !ok {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	for _, name := range missing {
		res.add(name, ProblemMissing, "listed in the signed manifest but not in the zip")
	}
	return res
}

func (r *Result) add(file, kind, detail string) {
	r.Problems = append(r.Problems, Problem{File: file, Kind: kind, Detail: detail})
}

func (r *Result) checkSignature(pub crypto.PublicKey, manifest []byte) {
	sig := r.Signature
	if pub == nil {
		der, err := base64.StdEncoding.DecodeString(sig.PublicKey)
		if err != nil {
			r.add(SignatureName, ProblemSignature, "the embedded public key is not base64")
			return
		}
		if keyIDFromDER(der) != sig.KeyID {
			r.add(SignatureName, ProblemSignature, "the embedded public key does not match the key id "+sig.KeyID)
			return
		}
		if pub, err = ParsePublicKey(der); err != nil {
			r.add(SignatureName, ProblemSignature, err.Error())
			return
		}
	} else if id, err := KeyID(pub); err != nil {
		r.add(SignatureName, ProblemSignature, err.Error())
		return
	} else if id != sig.KeyID {
		r.add(SignatureName, ProblemSignature, fmt.Sprintf("signed by key %s, not by the given key %s", sig.KeyID, id))
		return
	}
	if err := VerifySignature(pub, sig, manifest); err != nil {
		r.add(ManifestName, ProblemSignature, err.Error()+" (manifest.json was changed, or signed by another key)")
	}
}

func readSmall(res *Result, f *zip.File, name string) ([]byte, bool) {
	if f == nil {
		res.add(name, ProblemManifest, "absent: this is not an audit pack, or it was stripped")
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		res.add(name, ProblemUnreadable, err.Error())
		return nil, false
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		res.add(name, ProblemUnreadable, err.Error())
		return nil, false
	}
	if len(data) > maxManifest {
		res.add(name, ProblemUnreadable, fmt.Sprintf("larger than %d bytes", maxManifest))
		return nil, false
	}
	return data, true
}

// hashEntry hashes at most want+1 bytes of f: reading one byte more than
// declared tells a longer file from an equal one without reading a bomb.
func hashEntry(f *zip.File, want int64) (sum string, n int64, err error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err = io.Copy(h, io.LimitReader(rc, want+1))
	if err != nil {
		return "", n, fmt.Errorf("corrupt entry: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// VerifyBytes is Verify on a pack in memory.
func VerifyBytes(data []byte, pub crypto.PublicKey) *Result {
	return Verify(bytes.NewReader(data), int64(len(data)), pub)
}
