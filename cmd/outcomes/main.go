// Command outcomes is the CST Outcomes pipeline: ingest practitioners' exports into a
// pseudonymised lake, summarize it with an analysis plan, and report and publish the results.
// See README.md and DESIGN.md; `outcomes help` lists the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status. It is main without the
// process: the end-to-end tests call it through testscript.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext(context.Background())
	defer stop()
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exit.OK
	}
	msg := err.Error()
	if ctx.Err() != nil {
		// A signal stopped the command. "context canceled" tells the person nothing they do
		// not know; a message of the command's own (the run's "interrupted (exit 130)") stays.
		word := "interrupted"
		if terminated.Load() {
			word = "terminated"
			err = exit.Mark(err, exit.ErrTerminated)
		} else {
			err = exit.Mark(err, context.Canceled)
		}
		if strings.Contains(msg, context.Canceled.Error()) {
			msg = word
		}
	}
	fmt.Fprintf(stderr, "outcomes: %s\n", msg)
	return exit.Code(err)
}

// signalContext cancels the returned context on SIGINT or SIGTERM and records which one came,
// so that the exit status can tell them apart (130 and 143).
func signalContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			if sig == syscall.SIGTERM {
				terminated.Store(true)
			}
			cancel()
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
