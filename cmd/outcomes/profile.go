package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"
)

// profileFlags are hidden flags for performance work: a CPU profile of the whole command and
// a heap profile at its end (`go tool pprof outcomes cpu.prof`).
type profileFlags struct {
	cpu, mem string
	cpuFile  *os.File
}

// AddFlags adds the hidden profiling flags to f (the root's persistent flags).
func (p *profileFlags) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile to this file")
	f.StringVar(&p.mem, "memprofile", "", "write a heap profile to this file at the end")
	f.MarkHidden("cpuprofile")
	f.MarkHidden("memprofile")
}

func (p *profileFlags) start() error {
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpuFile = f
	return pprof.StartCPUProfile(f)
}

func (p *profileFlags) stop() error {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			return err
		}
	}
	if p.mem == "" {
		return nil
	}
	f, err := os.Create(p.mem)
	if err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}
