#!/usr/bin/env node
// Azurite as the local stack and the tests run it: the pinned npm package's own CLI (same arguments), with its
// blob garbage collection run only once, at start.
//
// Why: Azurite's BlobGCManager marks and sweeps every 10 minutes (DEFAULT_GC_INTERVAL_MS). The mark lists every
// blob of every account page by page, each page a full scan and sort of its Loki collection, and awaits only
// resolved promises, so the Node event loop serves no request until it ends. After a few thousand test blobs that
// is a stall of 40 s and more, at start + 10:00: every blob, queue and table request of every client hangs (seen in
// a `./dbxsync test` run as a console test waiting on a list request from 10:00 to 10:42). Azure Storage has no
// such pause, so the emulator should not either. Extents of deleted blobs are reclaimed at the next start instead.
"use strict";
const path = require("path");
const azurite = path.join(__dirname, "..", "node_modules", "azurite", "dist", "src");
// The largest delay setTimeout takes (about 24.8 days); a larger one would fire at once.
require(path.join(azurite, "blob", "utils", "constants.js")).DEFAULT_GC_INTERVAL_MS = 2147483647;
require(path.join(azurite, "azurite.js"));
