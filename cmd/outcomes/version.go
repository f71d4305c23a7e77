package main

import "runtime/debug"

// version is the program version written to summary.json and shown by --version. Release
// builds set it with -ldflags "-X main.version=v1.2.3"; otherwise it is "dev", or the module
// version when the binary was built with `go install module@version`.
var version = "dev"

// programVersion returns version, or the main module's version from the build info when
// version was not set at link time and the build knows one.
func programVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
