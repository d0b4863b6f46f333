#!/usr/bin/env node
// Azurite as the local stack and the tests run it: the pinned npm package's own CLI (same arguments), with its
// blob garbage collection run only once, at start.
//
// Why: in two `./dbxsync test` runs (CI on 6d75413, and a fresh-clone rehearsal of it) every storage request of the
// console tests' app hung from 10:00 after Azurite started (to the second, in the rehearsal) until the tests gave up
// 42 s later, while requests that touch no storage were answered. The only 10-minute timer in Azurite is the blob
// GC's mark-and-sweep (BlobGCManager, DEFAULT_GC_INTERVAL_MS): it lists every blob of every account page by page,
// each page a full scan and sort of a Loki collection, awaiting only resolved promises, so the event loop serves
// nothing until the pass ends. Timed at 60 s intervals during the Functions and Syncs tests, a pass took at most
// 184 ms, so what made the 10:00 pass that slow is not shown; with the pass gone, the full suite ran without a stall
// (a pinger saw no request slower than 0.6 s). Azure Storage has no such pause either. The extents of deleted blobs
// are reclaimed at the next start instead.
"use strict";
const path = require("path");
const azurite = path.join(__dirname, "..", "node_modules", "azurite", "dist", "src");
// The largest delay setTimeout takes (about 24.8 days); a larger one would fire at once.
require(path.join(azurite, "blob", "utils", "constants.js")).DEFAULT_GC_INTERVAL_MS = 2147483647;
require(path.join(azurite, "azurite.js"));
