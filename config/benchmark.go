package config

// BenchmarkOptions tune week-over-week benchmarks (kind benchmark).
type BenchmarkOptions struct{}

func (o *BenchmarkOptions) validate(v *validator, path string) {}
