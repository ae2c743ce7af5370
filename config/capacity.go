package config

// CapacityOptions tune the weekly capacity review (kind capacity).
type CapacityOptions struct{}

func (o *CapacityOptions) validate(v *validator, path string) {}
