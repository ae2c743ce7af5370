package config

// IncidentOptions tune incident analysis (kind incident).
type IncidentOptions struct{}

func (o *IncidentOptions) validate(v *validator, path string) {}
