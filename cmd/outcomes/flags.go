package main

import (
	"time"

	"github.com/spf13/pflag"
)

// waitFlag is --wait, for the commands that take the workspace lock.
type waitFlag struct{ wait time.Duration }

// AddFlags adds --wait to f.
func (o *waitFlag) AddFlags(f *pflag.FlagSet) {
	f.DurationVar(&o.wait, "wait", 0, "wait up to this long for the workspace lock (default: fail at once with exit 75)")
}

// keyFileFlag is --key-file, for the commands that pseudonymise ids.
type keyFileFlag struct{ keyFile string }

// AddFlags adds --key-file to f.
func (o *keyFileFlag) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.keyFile, "key-file", "", "pseudonymisation key (default $OUTCOMES_KEY_FILE, else <workspace>/state/key)")
}
