package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/cwreport/cwreport/report/deliver"
)

// SMTP sends through a relay.
type SMTP struct {
	Host string
	Port int
	// TLS is starttls (default), tls (implicit, port 465) or none.
	TLS                string
	Username, Password string
	// TLSConfig overrides the TLS settings (tests trust their own CA);
	// nil verifies the relay's certificate against the system roots.
	TLSConfig *tls.Config
	// LocalName is sent in EHLO; default "localhost".
	LocalName string
}

// Receipt implements Sender.
func (s *SMTP) Receipt() string { return "smtp_response" }

func (s *SMTP) addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Send implements Sender: one connection per message, closed at the end.
func (s *SMTP) Send(ctx context.Context, from string, rcpt []string, msg []byte) (string, error) {
	op := "smtp " + s.addr()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.addr())
	if err != nil {
		return "", &deliver.Failure{Op: op + " connect", Protocol: deliver.SMTP, Err: err}
	}
	// The SMTP client has no context: a cancelled run or the attempt
	// deadline closes the connection under it.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	cfg := s.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = s.Host
	}
	var c *smtp.Client
	switch s.TLS {
	case "tls":
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return "", s.failure(ctx, op+" TLS handshake", err)
		}
		c = smtp.NewClient(tc)
	case "none":
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			conn.Close()
			var se *smtp.SMTPError
			var ne net.Error
			if ctx.Err() == nil && !errors.As(err, &se) && !errors.As(err, &ne) {
				// Neither a reply nor the network: go-smtp's plain error for
				// a relay that does not offer STARTTLS. Retrying cannot help.
				return "", deliver.Final(op+" STARTTLS", err, "the relay does not offer STARTTLS: use tls: tls (port 465) or, for a local relay only, tls: none")
			}
			return "", s.failure(ctx, op+" STARTTLS", err)
		}
	}
	defer c.Close()
	if s.LocalName != "" {
		if err := c.Hello(s.LocalName); err != nil {
			return "", s.failure(ctx, op+" EHLO", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return "", s.failure(ctx, op+" AUTH", err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return "", s.failure(ctx, op+" MAIL FROM", err)
	}
	for _, r := range rcpt {
		if err := c.Rcpt(r, nil); err != nil {
			return "", s.failure(ctx, op+" RCPT TO "+r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return "", s.failure(ctx, op+" DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return "", s.failure(ctx, op+" DATA", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", s.failure(ctx, op+" DATA", err)
	}
	_ = c.Quit() // the relay has the message; a failed QUIT changes nothing
	return resp.StatusText, nil
}

// failure types what the relay or the network said. The relay's reply code
// decides retries (4xx transient, 5xx final); what to fix is added for the
// answers a user can act on.
func (s *SMTP) failure(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		err = fmt.Errorf("%w (%w)", cerr, err)
	}
	f := &deliver.Failure{Op: op, Protocol: deliver.SMTP, Err: err}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		f.Code = se.Code
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
			f.ErrorCode = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		f.Err = errors.New(se.Message)
		switch {
		case se.Code == 535 || se.Code == 534 || se.Code == 530:
			f.Fix = "the relay refused the credentials: check smtp.username and smtp.password"
		case se.Code == 552:
			f.Fix = "the relay refused the size: lower max_size_mb so large reports go as links"
		case se.Code == 550 || se.Code == 553:
			f.Fix = "the relay refused an address: check from, to, cc and bcc"
		}
	}
	return f
}
