// Package atomicfile writes files and directories so that they appear whole or not at all,
// even across a crash (STYLE.md section 5; restic's internal/backend/local does the same).
//
// Run records, reports, summaries, notebooks and bundles are written through it. The lake
// has its own writer (pipeline/lake), which tracks what it synced for its commit protocol.
//
// # Files
//
// [WriteFile] replaces one file:
//
//  1. create a temporary file in the target's directory, named [TempPrefix]+name+"-*";
//  2. write it, sync it, close it and set its permissions;
//  3. rename it over the target;
//  4. sync the directory, so that the rename itself is durable.
//
// # Directories
//
// [WriteDir] replaces a whole directory (the analysis tables, the report's plots, a public
// bundle), so a reader sees the old directory or the new one, never a mix:
//
//  1. create a temporary directory beside the target, named [TempPrefix]+name+"-*";
//  2. call the caller's fill function, which writes each file with [Dir.WriteFile] (written,
//     synced, closed, permissions set);
//  3. sync the temporary directory;
//  4. swap: move an existing target aside (the temporary name + ".old") and rename the
//     temporary directory to the target; this rename is the commit point;
//  5. sync the parent directory, so that the swap is durable;
//  6. remove the old directory.
//
// An error before the commit point rolls back: the temporary directory is removed and an old
// directory that was moved aside is put back, so the target is as it was. An error after it
// (syncing the parent, removing the old directory) is returned with the new directory in
// place.
//
// # Crashes
//
// A crash can leave a temporary file or directory, or an old directory moved aside; every
// one of them starts with [TempPrefix], so the nightly run (pipeline/run) recognises and
// removes them. A crash never leaves a target half written.
package atomicfile
