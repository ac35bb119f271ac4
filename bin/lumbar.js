#!/usr/bin/env node
// Tiny shim: run the TypeScript CLI through tsx so `npx lumbar` always runs the current sources.
"use strict";
require("tsx/cjs");
const { main } = require("../lib/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exitCode = 1;
  },
);
