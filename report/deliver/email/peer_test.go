package email

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is an in-process SMTP server (github.com/emersion/go-smtp) that keeps
// every message it accepts, with its envelope.
type relay struct {
	srv  *smtp.Server
	addr string
	port int
	ca   *x509.CertPool

	mu   sync.Mutex
	msgs []received
	// user/pass, when set, are required (AUTH PLAIN).
	user, pass string
	// dataFault, when set, may refuse the n-th DATA (0-based).
	dataFault func(n int) error
	datas     int
}

type received struct {
	from string
	rcpt []string
	data []byte
	tls  bool
}

type relayMode int

const (
	plainRelay relayMode = iota // no TLS at all
	startTLSRelay
	implicitTLSRelay
)

func newRelay(t *testing.T, mode relayMode) *relay {
	t.Helper()
	r := &relay{}
	cert, pool := testCert(t)
	r.ca = pool
	r.srv = smtp.NewServer(r)
	r.srv.Domain = "relay.test"
	r.srv.ReadTimeout, r.srv.WriteTimeout = 10*time.Second, 10*time.Second
	r.srv.MaxMessageBytes = 50 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch mode {
	case startTLSRelay:
		r.srv.TLSConfig = tlsCfg
	case implicitTLSRelay:
		l = tls.NewListener(l, tlsCfg)
	case plainRelay:
		r.srv.AllowInsecureAuth = false
	}
	r.addr = l.Addr().String()
	r.port = l.Addr().(*net.TCPAddr).Port
	go r.srv.Serve(l)
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *relay) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.msgs...)
}

// NewSession implements smtp.Backend.
func (r *relay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{r: r, c: c}, nil
}

type session struct {
	r      *relay
	c      *smtp.Conn
	authed bool
	from   string
	rcpt   []string
}

func (s *session) AuthMechanisms() []string {
	if s.r.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.r.user || password != s.r.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *session) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	n := s.r.datas
	s.r.datas++
	if s.r.dataFault != nil {
		if err := s.r.dataFault(n); err != nil {
			return err
		}
	}
	_, isTLS := s.c.TLSConnectionState()
	s.r.msgs = append(s.r.msgs, received{from: s.from, rcpt: s.rcpt, data: b, tls: isTLS})
	return nil
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

// testCert makes a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"relay.test"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// part is one leaf of a parsed MIME tree.
type part struct {
	typ    string
	params map[string]string
	header map[string][]string
	body   []byte // transfer-decoded
}

// parseMIME parses a message into its header, a shape string such as
// "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]"
// and its leaves. Any malformed structure fails the test.
func parseMIME(t *testing.T, raw []byte) (*mail.Message, string, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a message: %v", err)
	}
	var leaves []part
	var walk func(ctype, cte string, hdr map[string][]string, body io.Reader) string
	walk = func(ctype, cte string, hdr map[string][]string, body io.Reader) string {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("bad Content-Type %q: %v", ctype, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			var kids []string
			for {
				p, err := mr.NextRawPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("multipart %s: %v", mt, err)
				}
				kids = append(kids, walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header, p))
			}
			return mt + "[" + strings.Join(kids, ",") + "]"
		}
		var r io.Reader = body
		switch strings.ToLower(cte) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("decode %s part: %v", mt, err)
		}
		leaves = append(leaves, part{typ: mt, params: params, header: hdr, body: b})
		return mt
	}
	shape := walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Header, msg.Body)
	return msg, shape, leaves
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatalf("header %q: %v", v, err)
	}
	return s
}

func parseDisposition(p part) (string, map[string]string, error) {
	v := strings.Join(p.header["Content-Disposition"], "")
	if v == "" {
		return "", nil, errors.New("no disposition")
	}
	return mime.ParseMediaType(v)
}
