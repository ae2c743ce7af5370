package config

import (
	"net"
	"time"
)

// History says where run history is kept.
type History struct {
	// Path is the SQLite database file, relative to the working directory
	// unless absolute; default cwreport-history.db. The spool (artifacts
	// kept until every target has them) is the directory spool beside it.
	// One serve per file: put it on a persistent volume.
	Path string `yaml:"path"`
	// Retain is how long serve keeps the records of a period (its runs,
	// deliveries and notices), counted from the period's last record;
	// default 90d, at least 1d. serve prunes at start and daily, and never
	// prunes the latest period of a job nor a period it may still resume
	// (a target still owed the report). The spool of a period given up
	// (resume limit reached, or past the catch-up policy) is removed then
	// and recorded in history as abandoned; the spool of a job without
	// targets (its only copy of the reports) goes when its period is pruned.
	Retain Duration `yaml:"retain"`
}

// Server configures `cwreport serve`.
type Server struct {
	// Listen is the address (host:port) of /healthz and /metrics; default
	// :9108; "off" disables the listener.
	Listen string `yaml:"listen"`
	// LogFormat is text or json; default text.
	LogFormat string `yaml:"log_format"`
	// ShutdownTimeout is how long running jobs may finish after SIGTERM;
	// default 2m. Jobs still running then are recorded as interrupted and
	// resumed at the next start. Keep it below Kubernetes'
	// terminationGracePeriodSeconds.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// RetryInterval is how often serve retries, for the targets that lack
	// them, periods whose delivery failed (at most 3 times a period, within
	// the job's catch-up policy); default 10m.
	RetryInterval Duration `yaml:"retry_interval"`
	// Replica names this process in history and leases; default the host
	// name. A replica resumes a period whose lease it holds only under the
	// same name.
	Replica string `yaml:"replica"`
}

// Lease makes several replicas run each period once: a replica runs a period
// only after creating the lease object with an S3 conditional write
// (If-None-Match: *). A lease expires: a replica that died holding it is
// taken over by another after the expiry, with a conditional write on the
// lease object's ETag (If-Match), so exactly one replica takes it.
type Lease struct {
	// Bucket holds the lease objects.
	Bucket string `yaml:"bucket"`
	// Prefix of the lease keys; default cwreport/leases/.
	Prefix string `yaml:"prefix"`
	Region string `yaml:"region"`
	// EndpointURL points the S3 client at an emulator.
	EndpointURL string `yaml:"endpoint_url"`
	// Margin is added to a job's timeout to make its lease's lifetime; the
	// holder renews it while it runs and checks it right before delivering.
	// Default 5m, at least 30s: keep it above the clock difference between
	// replicas and the time an S3 request may take.
	Margin Duration `yaml:"margin"`
}

// CatchUp says what serve does about fire times missed while it was down.
type CatchUp struct {
	// Policy is always, grace or never. Default by period: day jobs grace,
	// week and month jobs always, run jobs never. It also bounds which
	// interrupted or partly delivered periods are resumed at start.
	Policy string `yaml:"policy"`
	// Grace is how late a missed run may still start under policy grace;
	// default 6h.
	Grace Duration `yaml:"grace"`
}

// CatchUpPolicies are the allowed catch-up policies.
var CatchUpPolicies = []string{"always", "grace", "never"}

var logFormats = []string{"text", "json"}

func (v *validator) serve(c *Config) {
	if c.Server.LogFormat != "" {
		v.oneOf("server.log_format", c.Server.LogFormat, logFormats)
	}
	if c.Server.ShutdownTimeout.IsSet() && c.Server.ShutdownTimeout.Duration <= 0 {
		v.errorf("server.shutdown_timeout", "found %q; expected a positive duration such as 2m", c.Server.ShutdownTimeout.Raw)
	}
	if c.Server.RetryInterval.IsSet() && c.Server.RetryInterval.Duration <= 0 {
		v.errorf("server.retry_interval", "found %q; expected a positive duration such as 10m", c.Server.RetryInterval.Raw)
	}
	if l := c.Server.Listen; l != "" && l != "off" {
		if _, _, err := net.SplitHostPort(l); err != nil {
			v.errorf("server.listen", "found %q: %v; expected host:port such as :9108 or 127.0.0.1:9108, or off", l, err)
		}
	}
	if c.Lease != nil && c.Lease.Bucket == "" {
		v.errorf("lease.bucket", "missing; a lease needs the S3 bucket that holds the lease objects")
	}
	if c.Lease != nil && c.Lease.Margin.IsSet() && c.Lease.Margin.Duration < 30*time.Second {
		v.errorf("lease.margin", "found %q; expected a duration of at least 30s such as 5m (it must cover the clock difference between replicas)", c.Lease.Margin.Raw)
	}
	if c.History.Retain.IsSet() && c.History.Retain.Duration < 24*time.Hour {
		v.errorf("history.retain", "found %q; expected a duration of at least 1d such as 90d", c.History.Retain.Raw)
	}
}

func (v *validator) catchUp(path string, j *Job) {
	if j.CatchUp.Policy != "" {
		v.oneOf(path+".catch_up.policy", j.CatchUp.Policy, CatchUpPolicies)
	}
	if j.CatchUp.Grace.IsSet() && j.CatchUp.Grace.Duration <= 0 {
		v.errorf(path+".catch_up.grace", "found %q; expected a positive duration such as 6h", j.CatchUp.Grace.Raw)
	}
	if j.Deadline.IsSet() && j.Deadline.Duration <= 0 {
		v.errorf(path+".deadline", "found %q; expected a positive duration such as 2h", j.Deadline.Raw)
	} else if j.Deadline.IsSet() && j.Schedule == "" {
		v.errorf(path+".deadline", "set on a job without schedule; a deadline counts from each scheduled time (add schedule: or remove deadline:)")
	}
}

func serveDefaults(c *Config) {
	if c.History.Path == "" {
		c.History.Path = "cwreport-history.db"
	}
	if !c.History.Retain.IsSet() {
		c.History.Retain.Duration = 90 * 24 * time.Hour
	}
	if c.Server.Listen == "" {
		c.Server.Listen = ":9108"
	}
	if c.Server.LogFormat == "" {
		c.Server.LogFormat = "text"
	}
	if !c.Server.ShutdownTimeout.IsSet() {
		c.Server.ShutdownTimeout.Duration = 2 * time.Minute
	}
	if !c.Server.RetryInterval.IsSet() {
		c.Server.RetryInterval.Duration = 10 * time.Minute
	}
	if c.Lease != nil && c.Lease.Prefix == "" {
		c.Lease.Prefix = "cwreport/leases/"
	}
	if c.Lease != nil && !c.Lease.Margin.IsSet() {
		c.Lease.Margin.Duration = 5 * time.Minute
	}
	for _, j := range c.Jobs {
		if j == nil {
			continue
		}
		if j.CatchUp.Policy == "" {
			switch j.Period {
			case "day":
				j.CatchUp.Policy = "grace"
			case "week", "month":
				j.CatchUp.Policy = "always"
			default:
				j.CatchUp.Policy = "never"
			}
		}
		if !j.CatchUp.Grace.IsSet() {
			j.CatchUp.Grace.Duration = 6 * time.Hour
		}
	}
}
