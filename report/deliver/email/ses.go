package email

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/cwreport/cwreport/report/deliver/internal/awserr"
)

// SES sends the composed message raw through Amazon SES v2, so SES sends
// exactly the MIME tree the SMTP path sends.
type SES struct {
	Client *sesv2.Client
	// ConfigurationSet is optional.
	ConfigurationSet string
	// Bcc and the other recipients go in the Destination: SES sends to
	// those, not to the headers.
	To, Cc, Bcc []string
}

// OpenSES builds an SES v2 client from the AWS environment for region, or
// an emulator at endpointURL. The client does not retry on its own.
func OpenSES(ctx context.Context, region, endpointURL string) (*sesv2.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region), awsconfig.WithRetryMaxAttempts(1))
	if err != nil {
		return nil, fmt.Errorf("ses: load AWS configuration: %w", err)
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpointURL != "" {
			o.BaseEndpoint = aws.String(endpointURL)
		}
	}), nil
}

// Receipt implements Sender.
func (s *SES) Receipt() string { return "ses_message_id" }

var sesFixes = map[string]string{
	"MessageRejected":                    "SES rejected the message: verify the sender identity (from) and, in the SES sandbox, the recipients",
	"MailFromDomainNotVerifiedException": "verify the MAIL FROM domain in SES",
	"AccountSuspendedException":          "SES sending is suspended for this account: see the SES console",
	"SendingPausedException":             "SES sending is paused for this account or configuration set",
	"NotFoundException":                  "the configuration set does not exist: fix ses.configuration_set",
	"LimitExceededException":             "the SES sending quota is used up: raise it or wait for the next day",
	"AccessDeniedException":              "allow ses:SendRawEmail (ses:SendEmail) for cwreport's role",
	"AccessDenied":                       "allow ses:SendRawEmail (ses:SendEmail) for cwreport's role",
}

// Send implements Sender.
func (s *SES) Send(ctx context.Context, from string, _ []string, msg []byte) (string, error) {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: s.To, CcAddresses: s.Cc, BccAddresses: s.Bcc},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: msg}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	out, err := s.Client.SendEmail(ctx, in)
	if err != nil {
		return "", awserr.Failure("ses SendEmail", err, sesFixes)
	}
	return aws.ToString(out.MessageId), nil
}
