package main

import (
	"context"
	"errors"

	"github.com/cstoutcomes/outcomes/internal/exit"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

// openDuck opens DuckDB over lake version asOf of the workspace (0: the latest), with the
// workspace's duckdb settings: the one way sql, summarize and notebooks reach the lake views.
// The caller closes the DB and checks Close's error.
func openDuck(ctx context.Context, g *globalOptions, asOf int64) (*duck.DB, error) {
	return openDuckWith(ctx, g, asOf, duck.Options{})
}

// openDuckWith is openDuck with options (such as Materialize); Threads, MemoryLimit and
// Logger are taken from the workspace and the flags when left zero.
func openDuckWith(ctx context.Context, g *globalOptions, asOf int64, opt duck.Options) (*duck.DB, error) {
	snap, opt, err := duckSnapshot(ctx, g, asOf, opt)
	if err != nil {
		return nil, err
	}
	db, err := duck.Open(ctx, snap, opt)
	return db, duckError(err)
}

// duckSnapshot reads lake version asOf of the workspace (0: the latest) and completes opt
// for duck.Open: Threads, MemoryLimit and Logger come from the workspace and the flags when
// left zero.
func duckSnapshot(ctx context.Context, g *globalOptions, asOf int64, opt duck.Options) (duck.Snapshot, duck.Options, error) {
	if asOf < 0 {
		return duck.Snapshot{}, opt, exit.Usagef("--as-of %d: allowed: a lake version (1, 2, ... as `outcomes lake log` lists them), or 0 for the latest", asOf)
	}
	w, log, err := g.openWorkspace()
	if err != nil {
		return duck.Snapshot{}, opt, err
	}
	snap, err := lakeSnapshot(ctx, w, asOf, lake.Options{Logger: log})
	if err != nil {
		return snap, opt, err
	}
	if opt.Threads == 0 {
		opt.Threads = w.Config.Duck.Threads
	}
	if opt.MemoryLimit == "" {
		opt.MemoryLimit = w.Config.Duck.MemoryLimit
	}
	if opt.Logger == nil {
		opt.Logger = log
	}
	return snap, opt, nil
}

// duckError makes a bad duckdb setting of the workspace a usage error (exit 2).
func duckError(err error) error {
	if errors.Is(err, duck.ErrOption) {
		return exit.Usagef("%s: duckdb settings: %w", workspace.ConfigFile, err)
	}
	return err
}

// lakeSnapshot reads lake version asOf (0: the latest) and its log as a duck.Snapshot.
func lakeSnapshot(ctx context.Context, w *workspace.Workspace, asOf int64, opt lake.Options) (snap duck.Snapshot, err error) {
	l, err := lake.Open(ctx, w.LakeDir(), opt)
	if err != nil {
		return snap, err
	}
	defer func() { err = errors.Join(err, l.Close()) }()
	snap, err = duck.SnapshotOf(ctx, l, asOf)
	if errors.Is(err, lake.ErrUnknownVersion) {
		return snap, exit.Usagef("--as-of %d: %w", asOf, err)
	}
	return snap, err
}
