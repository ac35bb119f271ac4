// worker_threads entry: plain JS, because workers start outside tsx; register tsx, then run the TS worker.
"use strict";
require("tsx/cjs");
require("./worker.ts");
