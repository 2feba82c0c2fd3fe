//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// raiseFileLimit lifts the soft limit on open files to the hard one: one descriptor per connection.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: cannot raise the open files limit:", err)
		}
	}
}
