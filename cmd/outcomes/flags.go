package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/cstoutcomes/outcomes/internal/lock"
)

// waitFlag is --wait, for the commands that take the workspace lock.
type waitFlag struct{ wait time.Duration }

// AddFlags adds --wait to f.
func (o *waitFlag) AddFlags(f *pflag.FlagSet) {
	f.DurationVar(&o.wait, "wait", 0, "wait up to this long for the workspace lock (default: fail at once with exit 75)")
}

// withWaitHint adds "(or use --wait)" to a held-lock error; only the commands that have
// --wait call it. The lock's own message names no flag: ingest and demo take the lock without
// one.
func withWaitHint(err error) error {
	var held *lock.HeldError
	if errors.As(err, &held) {
		return fmt.Errorf("%w (or use --wait)", err)
	}
	return err
}

// keyFileFlag is --key-file, for the commands that pseudonymise ids.
type keyFileFlag struct{ keyFile string }

// AddFlags adds --key-file to f.
func (o *keyFileFlag) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.keyFile, "key-file", "", "pseudonymisation key (default $OUTCOMES_KEY_FILE, else <workspace>/state/key)")
}
