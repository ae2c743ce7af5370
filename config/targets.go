package config

import "reflect"

// Target is one delivery destination, referenced by name from jobs. The
// fields a type does not use must stay empty; validation says which belong.
type Target struct {
	// Type is file, s3, email or slack.
	Type string `yaml:"type"`

	// file
	Dir string `yaml:"dir"`

	// s3
	Bucket string `yaml:"bucket"`
	Prefix string `yaml:"prefix"`
	Region string `yaml:"region"`

	// email
	SMTP *SMTP    `yaml:"smtp"`
	From string   `yaml:"from"`
	To   []string `yaml:"to"`

	// slack
	Token   Secret `yaml:"token"`
	Channel string `yaml:"channel"`
}

// SMTP is an SMTP relay.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
}

// TargetTypes are the allowed target types.
var TargetTypes = []string{"file", "s3", "email", "slack"}

// targetFields lists, per type, the fields it uses beyond "type"; any other
// field set on a target is an error naming the type it belongs to.
var reflectTypeOfTarget = reflect.TypeOf(Target{})

var targetFields = map[string][]string{
	"file":  {"dir"},
	"s3":    {"bucket", "prefix", "region"},
	"email": {"smtp", "from", "to"},
	"slack": {"token", "channel"},
}

// targetRequired lists, per type, the fields that must be set.
var targetRequired = map[string][]string{
	"file":  {"dir"},
	"s3":    {"bucket"},
	"email": {"smtp", "from", "to"},
	"slack": {"token", "channel"},
}
