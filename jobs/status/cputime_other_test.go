//go:build !unix

package status

import "time"

func cpuTime() time.Duration { return 0 }
