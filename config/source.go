package config

// Source says where the data comes from.
type Source struct {
	// Type is aws, demo or snapshot.
	Type   string `yaml:"type"`
	Region string `yaml:"region"`
	// EndpointURL points every AWS client at an emulator; AWS_ENDPOINT_URL
	// is honoured too.
	EndpointURL   string `yaml:"endpoint_url"`
	Profile       string `yaml:"profile"`
	AssumeRoleARN string `yaml:"assume_role_arn"`
	ExternalID    Secret `yaml:"external_id"`
	// MaxAttempts bounds SDK retries (adaptive mode); default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// Concurrency bounds parallel API calls; default 4.
	Concurrency int `yaml:"concurrency"`
	// Path is the dataset JSON file for type snapshot.
	Path string `yaml:"path"`
}

// SourceTypes are the allowed source types.
var SourceTypes = []string{"aws", "demo", "snapshot"}
