//go:build unix

package status

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system, all threads) the process has
// used. The benchmarks report it per op beside wall time because the
// machine they run on is shared: wall time swings with other people's
// load, CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
