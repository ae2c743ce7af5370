package config

// SecurityOptions tune the monthly security audit (kind security).
type SecurityOptions struct{}

func (o *SecurityOptions) validate(v *validator, path string) {}
