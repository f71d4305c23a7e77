// Package lake is the outcomes lake: two Apache Iceberg tables, sessions and quarantine, in a
// filesystem catalog (DESIGN.md section 4). It is the only package that imports
// github.com/apache/iceberg-go (v0.7.0, pre-1.0): everything else sees [Lake], [Append],
// [Snapshot] and plain file paths.
//
// # Layout
//
//	<workspace>/lake/
//	  warehouse/cst/sessions/      Iceberg table, format v2, partitioned by year(session_date)
//	    metadata/vN.metadata.json  the hadoop catalog: the highest N is the table's state
//	    metadata/version-hint.text
//	    metadata/snap-*.avro, *-m*.avro   manifest lists and manifests
//	    data/session_date_year=YYYY/vNNNNNN-<batch>-NNNNN.parquet
//	  warehouse/cst/quarantine/    Iceberg table, unpartitioned, one row per violation
//	  checksums/vNNNNNN-<batch>.json  sha256, size and rows of each data file of a version
//
// Data files are Parquet (zstd, column statistics, dictionary encoding for the keys, Iceberg
// field ids in the Parquet schema; see [DefaultWriterOptions]), written by this package
// with pqarrow: one open file per year partition, rolled over at a target size, so memory is
// bounded by one row group per open file. A record whose rows span several years is reordered
// by year with one take per column (or sliced, when its years come in long runs). Each file is
// read back (footer only) into an Iceberg DataFile with table.FileToDataFile, and its
// partition value is checked against the year it was written for, before AddDataFiles. Metadata holds absolute paths: moving a workspace
// needs a relocation (or a fresh ingest).
//
// # Versions
//
// A lake version is one committed batch. It is the sessions snapshot whose summary carries
// cst.version = N; the summary also records the batch's source (name, sha256, format, schema
// version), its counts, the time, the checksum file, and cst.quarantine-snapshot: the id of
// the quarantine snapshot that goes with it. Readers ([Lake.Snapshot], [Lake.Status],
// [Lake.Verify]) read that quarantine snapshot, never the quarantine table's head.
// [Lake.Log] walks the sessions table's ancestry.
//
// # Commit protocol
//
// The caller holds the workspace lock (state/lock) throughout.
//
//  1. [Lake.NewAppend] removes stale version claims and temporary metadata files a crashed
//     commit left, loads both tables, and repairs the quarantine table (for a crash between
//     steps 6 and 7): if its head is not the snapshot the latest version names, its main branch is
//     set back to that snapshot (or removed, if none) by a metadata-only commit.
//  2. WriteSessions and WriteQuarantine stream the rows to new Parquet files named after the
//     version and a batch id; nothing refers to them yet.
//  3. [Append.Commit] checks the counts (rows read = accepted + quarantined + excluded;
//     accepted = rows written to sessions; violations = rows written to quarantine).
//  4. It closes the files, fsyncs each one and its directories, and writes the checksum file
//     atomically (temporary file, fsync, rename, fsync of the directory).
//  5. It reloads both tables and repairs as in step 1; if the lake is no longer at version
//     N-1, another writer ignored the lock: [ErrConflict]. A source whose sha256 a version
//     already records is refused ([AlreadyIngestedError]) unless [Force] was given.
//  6. If there are quarantine rows, it commits an append snapshot to quarantine (asserting
//     its head), Q; else Q is the quarantine snapshot of version N-1.
//  7. It commits an append snapshot to sessions (asserting its head), even with no files,
//     whose summary records version N, Q, the source and counts. This is the commit point.
//  8. Every file iceberg-go writes on the way (manifests, manifest list, vN.metadata.json,
//     version-hint.text) is fsynced before it is published, and its directory after.
//
// A commit that fails is reloaded to learn its outcome: published after all (the batch id
// is at the head), a conflict that committed nothing (redo from step 5, up to 5 times), or an
// error. If the sessions commit fails after the quarantine commit, the quarantine head is
// rolled back at once (as in step 1). When the outcome cannot be learned, [Append.Abort]
// keeps the files: they may be live.
//
// Readers take no lock. They load the sessions table before the quarantine table, so every
// quarantine snapshot the sessions head names is in the quarantine metadata they load.
//
// # Crash consistency
//
// Each table commit is atomic: the hadoop catalog publishes vN.metadata.json with a hard
// link that fails if the name exists, and the table's state is the highest N. Everything that
// file names was fsynced before the link, and the link's directory after it, so a crash (or
// power loss) leaves either the old or the new metadata, never a file naming missing bytes.
//
//   - A crash before step 6 leaves only orphans (data files, a checksum file, manifests)
//     that no metadata names; readers never see them and vacuum removes them.
//   - A crash between steps 6 and 7 leaves a quarantine snapshot that no lake version names.
//     Readers use the quarantine snapshot of the latest version, so they see version N-1
//     whole; the next writer rolls the quarantine head back (step 1) before it appends.
//   - After step 7 the version is complete, in both tables.
//
// So every batch is in the lake whole or not at all, and the sha256 that makes ingest
// idempotent is in the same commit as the rows.
//
// # What iceberg-go v0.7.0 leaves to us
//
//   - It never fsyncs. The package replaces the library's file-system factory for local
//     paths with a syncing one for the lakes it opens (fs.go), and syncs its own data files,
//     directories and checksum files.
//   - Its commit retries do not suit a lake whose versions must be consecutive: they are
//     turned off (commit.retry.num-retries=0) and each table commit asserts the branch head;
//     Lake reloads and redoes after a conflict, as above.
//   - It has no multi-table transaction on a filesystem catalog
//     (catalog.MultiTableTransaction needs a catalog with CommitTransaction, which the hadoop
//     catalog lacks): hence the two-commit protocol above.
//   - Manifests carry no checksum: the checksum files do, and [Lake.Verify] checks them.
//   - A crashed commit can leave a version claim that blocks that version for a minute; a
//     writer holding the lock removes it (step 1).
//   - Only copy-on-write is used: a scan task carrying delete files is an error
//     ([ErrDeleteFiles]).
//   - [Open] creates the warehouse, the namespace and the tables when they are absent, also
//     for a reader: table creation is itself an atomic, claim-protected commit.
//
// # Lifecycle: forget, compact, vacuum
//
// Forget and compact are copy-on-write rewrites: new data files are written under the next
// version's name (step 2), closed, synced and given a checksum file (steps 3-4); then the lake
// is reloaded and must still be at the version the rewrite read (step 5, else [ErrConflict]);
// then the same two commits as a batch: a quarantine snapshot that replaces the rewritten
// quarantine files (ReplaceDataFilesWithDataFiles, an Iceberg overwrite; nothing when no
// quarantine file changes), and the sessions snapshot, the commit point, whose summary
// records the version, its operation, the quarantine snapshot, the rows it removed from each
// table, the table totals after it (cst.total.*, recorded by every commit since) and, for a
// forget, the sha256 of the client key and the reason. No delete files are ever written. So
// the crash argument above holds unchanged: before step 6 only orphans; between 6 and 7 a
// quarantine snapshot no version names, rolled back by the next writer; after 7 the whole
// rewrite. Readers see the version before or the version after, never a mix.
//
// [Lake.Forget] then expires every snapshot of both tables before the forget version (a
// metadata-only commit per table, sessions first: it also moves the records of the expired
// versions into the table property cst.expired-versions, so [Lake.Log] and the sha256 lookup
// of idempotent ingest keep them). Readers refuse a version before a forget even while its
// snapshots still exist ([ErasedError]), so a crash between the forget commit and the expiry
// exposes nothing; the next forget or vacuum completes the expiry.
//
// An Iceberg overwrite keeps, in its manifests, an entry with the column statistics of each
// file it deleted; so the tables record no lower and upper bounds of client_key (nor of
// quarantine's value and message): write.metadata.metrics.column.* = counts, set at creation
// and added to older tables by [Open]. Files written before that upgrade have bounds
// (16-character prefixes of keys) in their entries, so a forget's table commit is three
// snapshots in one atomic catalog commit: the overwrite, a rewrite of the manifests (which
// drops the entries earlier snapshots deleted), and an empty append that carries the
// version's summary. The version's snapshot names no entry of a deleted file; the two before
// it are expired with the rest.
//
// Quarantine rows carry the client_key of rows whose ids were valid (a nullable column added
// at the end of the schema, field id 9); rows written before it, or with invalid ids, have
// none and are not found by forget (their identifier values are masked).
//
// [Lake.Compact] rewrites the small files of each sessions partition into few and drops the
// superseded rows: it ranks the rows of each natural key as the sessions view does (highest
// commit_version, then source_line, then source_sha256) over all live files (a key may move
// between partitions), and keeps only the winners; rows keep their commit_version, so the
// views read the same. Small quarantine files are merged, every row kept. The versions before
// stay readable until vacuum's retention expires them.
//
// [Lake.Diff] compares the sessions view of two readable versions by natural key: added,
// superseded (another row now wins) and removed. Versions before a forget were erased, so a
// forget's removals are never shown by a diff: its commit records their count.
//
// [Lake.VerifyDeep] adds to [Lake.Verify] a decode of every row of every live file and the
// counts invariant per commit: each ingest's counts add up; each commit's totals
// (cst.total.sessions, cst.total.quarantine) are the previous commit's plus what an ingest
// added or minus what a forget or compact removed, and the files of each readable version
// hold exactly those totals; the live rows of an ingest that no later rewrite touched are
// exactly its accepted rows and violations.
//
// [Lake.Vacuum] (with the lock) repairs as a writer does, expires the snapshots before the
// latest forget, those of versions older than its retention (never the latest) and the
// quarantine snapshots no kept version names; then it collects everything the kept snapshots
// refer to (current metadata file, version hint, manifest lists, manifests, live data files,
// and the checksum files that name a live file or a kept version) and deletes every other
// file in the tables' data and metadata directories and in checksums/ that is older than its
// threshold: files of expired snapshots, orphans of crashed writers, old metadata files.
// Deleting is idempotent and touches nothing a kept snapshot names, so a crash during vacuum
// leaves a readable lake and the next vacuum finishes.
package lake
