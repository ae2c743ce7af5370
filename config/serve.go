package config

import "time"

// History says where run history is kept.
type History struct {
	// Path is the SQLite database file; default ./cwreport-history.db.
	Path string `yaml:"path"`
}

// Server configures `cwreport serve`.
type Server struct {
	// Listen is the address of /healthz and /metrics; default :9108. Empty
	// string "off" disables the listener.
	Listen string `yaml:"listen"`
	// LogFormat is text or json; default text.
	LogFormat string `yaml:"log_format"`
	// ShutdownTimeout is how long running jobs may finish after SIGTERM;
	// default 2m. Jobs still running then are recorded as interrupted.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// Replica names this process in history and leases; default the host name.
	Replica string `yaml:"replica"`
}

// Lease makes several replicas run each period once: a replica runs a period
// only after creating the lease object with an S3 conditional write
// (If-None-Match: *).
type Lease struct {
	// Bucket holds the lease objects.
	Bucket string `yaml:"bucket"`
	// Prefix of the lease keys; default cwreport/leases/.
	Prefix string `yaml:"prefix"`
	Region string `yaml:"region"`
	// EndpointURL points the S3 client at an emulator.
	EndpointURL string `yaml:"endpoint_url"`
}

// CatchUp says what serve does about fire times missed while it was down.
type CatchUp struct {
	// Policy is always, grace or never. Default by period: day jobs grace,
	// week and month jobs always, run jobs never.
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
	if c.Lease != nil && c.Lease.Bucket == "" {
		v.errorf("lease.bucket", "missing; a lease needs the S3 bucket that holds the lease objects")
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
	}
}

func serveDefaults(c *Config) {
	if c.History.Path == "" {
		c.History.Path = "cwreport-history.db"
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
	if c.Lease != nil && c.Lease.Prefix == "" {
		c.Lease.Prefix = "cwreport/leases/"
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
