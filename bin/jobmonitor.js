#!/usr/bin/env node
// Entry point for the `jobmonitor` command (package.json "bin"); the daemon is compiled to dist/.
import '../dist/src/main.js';
