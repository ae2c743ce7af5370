// Package aws is the source that reads a real AWS account with
// aws-sdk-go-v2: EC2 inventory and network, CloudWatch metrics (ListMetrics
// discovery, GetMetricData packed to AWS's limits), alarms and their
// history, CloudWatch Logs (Logs Insights, or FilterLogEvents streamed into
// logscan), CloudTrail events (LookupEvents, or the trail's S3 log files),
// trail and monitoring configuration, and IAM account data.
//
// It is the only package that talks to AWS, through the narrow client
// interfaces in clients.go. Every failed call becomes a source.Gap naming the
// API and the error (and, on AccessDenied, the missing IAM action); the rest
// of the dataset is still returned. Every call is counted in Dataset.Stats.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/time/rate"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// SourceName is the Gap.Source of every gap this package records.
const SourceName = "aws"

// Options configure a Source. Only Config is needed in production; the
// other fields let tests and benchmarks swap the transport and the clock.
type Options struct {
	// Config is the configuration's source block (type aws).
	Config config.Source
	// HTTPClient replaces the SDK's HTTP client (tests inject faults here).
	HTTPClient sdkaws.HTTPClient
	// Credentials replaces the default credential chain (tests use static
	// keys against emulators).
	Credentials sdkaws.CredentialsProvider
	// Retry adjusts the adaptive retryer's standard options after the
	// configured max attempts are applied (tests remove the backoff delay).
	Retry func(*retry.StandardOptions)
	// PollInterval is the first wait between polls of Logs Insights query
	// results and the IAM credential report; it grows 1.5x per poll up to
	// MaxPollInterval. Defaults 500ms and 5s.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// PollTimeout bounds the wait for one Insights query or credential
	// report; default 10 minutes.
	PollTimeout time.Duration
	// Now is the clock used for data age (metric period choice) and
	// CollectedAt; default time.Now.
	Now func() time.Time
}

// Source reads an AWS account. It is safe for concurrent use.
type Source struct {
	opts    Options
	cfg     config.Source
	region  string
	creds   sdkaws.CredentialsProvider
	clients clients
	// limiter bounds calls per second across every API; lookup holds
	// CloudTrail LookupEvents to its 2 calls per second; slots bound the
	// calls in flight.
	limiter *rate.Limiter
	lookup  *rate.Limiter
	slots   chan struct{}
}

// New builds the source: credentials and region from the SDK's default
// chain (environment, shared config and profile, SSO, web identity, ECS,
// IMDS), then source.profile, source.assume_role_arn (+ external_id) and
// source.endpoint_url (AWS_ENDPOINT_URL is honoured by the chain). Retries
// use the adaptive mode with source.max_attempts. New makes no API call.
func New(ctx context.Context, opts Options) (*Source, error) {
	cfg := opts.Config.WithDefaults()
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.MaxPollInterval <= 0 {
		opts.MaxPollInterval = 5 * time.Second
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Source{
		opts:    opts,
		cfg:     cfg,
		limiter: rate.NewLimiter(rate.Limit(cfg.RateLimit), max(1, int(cfg.RateLimit))),
		lookup:  rate.NewLimiter(2, 1),
		slots:   make(chan struct{}, cfg.Concurrency),
	}

	load := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() sdkaws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = cfg.MaxAttempts
					so.Retryables = append(so.Retryables, closedConnRetryable{})
					if opts.Retry != nil {
						opts.Retry(so)
					}
				})
			})
		}),
	}
	if cfg.Region != "" {
		load = append(load, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		load = append(load, awsconfig.WithSharedConfigProfile(cfg.Profile))
	}
	if opts.HTTPClient != nil {
		load = append(load, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	if opts.Credentials != nil {
		load = append(load, awsconfig.WithCredentialsProvider(opts.Credentials))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("no AWS region: set source.region, AWS_REGION or a region in the profile")
	}
	if cfg.EndpointURL != "" {
		awsCfg.BaseEndpoint = sdkaws.String(cfg.EndpointURL)
	}
	if cfg.AssumeRoleARN != "" {
		stsClient := sts.NewFromConfig(awsCfg)
		provider := stscreds.NewAssumeRoleProvider(stsClient, cfg.AssumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "cwreport"
			if id := cfg.ExternalID.Reveal(); id != "" {
				o.ExternalID = sdkaws.String(id)
			}
		})
		awsCfg.Credentials = sdkaws.NewCredentialsCache(provider)
	}
	awsCfg.APIOptions = append(awsCfg.APIOptions, s.middleware)
	s.region = awsCfg.Region
	s.creds = awsCfg.Credentials
	// An emulator (or a VPC endpoint) serves every bucket under one host.
	pathStyle := awsCfg.BaseEndpoint != nil
	s.clients = clients{
		ec2:        ec2.NewFromConfig(awsCfg),
		cloudwatch: cloudwatch.NewFromConfig(awsCfg),
		logs:       cloudwatchlogs.NewFromConfig(awsCfg),
		cloudtrail: cloudtrail.NewFromConfig(awsCfg),
		s3: s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			o.UsePathStyle = pathStyle
			// Log files are read as they stream; a missing checksum header
			// (emulators, old objects) is not worth a log line per file.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		iam:     iam.NewFromConfig(awsCfg),
		config:  configservice.NewFromConfig(awsCfg),
		sns:     sns.NewFromConfig(awsCfg),
		pricing: pricing.NewFromConfig(awsCfg),
		sts:     sts.NewFromConfig(awsCfg),
	}
	return s, nil
}

// closedConnRetryable retries a response cut off by a connection the
// transport closed under it ("use of closed network connection", seen with
// keep-alive connections; aws-sdk-go-v2 issues 1825 and 2737): the request
// reached the service, and every call this source makes is a read, so
// sending it again is safe.
type closedConnRetryable struct{}

func (closedConnRetryable) IsErrorRetryable(err error) sdkaws.Ternary {
	if errors.Is(err, net.ErrClosed) {
		return sdkaws.TrueTernary
	}
	return sdkaws.UnknownTernary
}

// credentialsHint is what a user can do when the SDK's chain finds nothing:
// the raw chain error (an IMDS 403 on a laptop) does not say.
const credentialsHint = "set AWS_PROFILE or source.profile, run 'aws sso login', export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached (IRSA, ECS task role, instance profile)"

// Region is the region the source reads.
func (s *Source) Region() string { return s.region }

// Collect implements source.Source. It returns an error only when nothing
// can be read (no credentials, cancelled context); every other failure is a
// gap in the dataset.
func (s *Source) Collect(ctx context.Context, req source.Request) (*source.Dataset, error) {
	if s.creds == nil {
		return nil, errors.New("no AWS credentials found (environment, shared config, SSO, web identity, ECS or IMDS); " + credentialsHint)
	}
	if _, err := s.creds.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("get AWS credentials (%s): %w", credentialsHint, err)
	}
	r := newRun(s, req)
	ctx = withCounter(ctx, r.counter)
	r.identity(ctx)

	if req.Needs&(source.NeedInstances|source.NeedMetrics|source.NeedNetwork) != 0 {
		r.inventory(ctx)
	}
	var wg sync.WaitGroup
	stage := func(need source.Need, f func(context.Context)) {
		if req.Needs&need == 0 {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(ctx)
		}()
	}
	stage(source.NeedMetrics, r.metrics)
	stage(source.NeedAlarms|source.NeedAlarmHistory|source.NeedMonitoring, r.alarmsAndMonitoring)
	stage(source.NeedLogGroups|source.NeedLogStats, r.logs)
	stage(source.NeedTrailEvents, r.trailEvents)
	stage(source.NeedNetwork, r.network)
	stage(source.NeedTrailConfig, r.trailConfig)
	stage(source.NeedIAM, r.iamData)
	stage(source.NeedPrices, r.prices)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect from AWS: %w", err)
	}
	return r.finish(), nil
}

// run is the state of one Collect.
type run struct {
	s       *Source
	req     source.Request
	counter *counter

	// instances are the scoped instances, read first (sequentially) so
	// every stage can use them; inventoryFailed tells "none" from "unknown".
	instances       []source.Instance
	inventoryFailed bool
	// metricFailures are the GetMetricData calls that failed (metrics.go).
	metricFailures []metricFailure

	mu sync.Mutex
	ds *source.Dataset
}

func newRun(s *Source, req source.Request) *run {
	return &run{
		s:       s,
		req:     req,
		counter: newCounter(),
		ds: &source.Dataset{
			Account:     source.Account{Region: s.region},
			Window:      req.Window,
			CollectedAt: s.opts.Now().UTC().Truncate(time.Second),
		},
	}
}

// finish sorts what parallel stages appended and attaches the call counts.
func (r *run) finish() *source.Dataset {
	ds := r.ds
	sort.SliceStable(ds.Gaps, func(i, j int) bool {
		if ds.Gaps[i].Part != ds.Gaps[j].Part {
			return ds.Gaps[i].Part < ds.Gaps[j].Part
		}
		return ds.Gaps[i].API < ds.Gaps[j].API
	})
	ds.Stats = r.counter.snapshot()
	return ds
}

// progress reports stage progress when the caller listens.
func (r *run) progress(stage string, done, total int) {
	if r.req.Progress != nil && total > 0 {
		r.req.Progress(stage, done, total)
	}
}

// identity fills the account id (STS) and alias (IAM).
func (r *run) identity(ctx context.Context) {
	out, err := r.s.clients.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r.fail("account", err)
	} else {
		r.ds.Account.ID = sdkaws.ToString(out.Account)
	}
	al, err := r.s.clients.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err != nil {
		r.fail("account_alias", err)
		return
	}
	if len(al.AccountAliases) > 0 {
		r.ds.Account.Alias = al.AccountAliases[0]
	}
}
