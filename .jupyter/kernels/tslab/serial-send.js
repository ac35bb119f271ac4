// Preloaded into the tslab kernel (see kernel.json). tslab sends every Jupyter message with zeromq's
// `socket.send()` without awaiting it; zeromq 6 throws EBUSY ("Socket is busy writing") on a send
// while an earlier one is still pending, which happens when a cell prints a burst of output (progress
// bars, logs) and kills the kernel. Chaining each socket's sends keeps their order and makes the
// overlap impossible. A send that still fails is reported on the kernel's own stderr, not thrown.
"use strict";
// Worker threads (the kernel's unit pool) inherit this --require but send no Jupyter messages, and
// zeromq's addon does not shut down cleanly in a worker thread (zeromq/zeromq.js#411): only the
// kernel's main thread loads it.
if (require("node:worker_threads").isMainThread) patchZeromq();

function patchZeromq() {
  const fs = require("node:fs");
  const path = require("node:path");

  const repo = path.resolve(__dirname, "../../..");
  const tslabDir = path.dirname(require.resolve("tslab/package.json", { paths: [repo] }));
  const zmq = require(require.resolve("zeromq", { paths: [tslabDir] }));

  // Every socket class inherits send() from the native base class, where it is read-only: shadow it on
  // the classes tslab uses (iopub Publisher, shell/control/stdin Router, heartbeat Reply).
  const nativeSend = Object.getPrototypeOf(zmq.Publisher.prototype).send;
  const queues = new WeakMap();
  function serialSend(...args) {
    const tail = queues.get(this) ?? Promise.resolve();
    const sent = tail.then(() => nativeSend.apply(this, args));
    queues.set(
      this,
      sent.catch(() => undefined),
    );
    sent.catch((e) => {
      // At shutdown the client closes first and tslab's last status messages meet a closed socket:
      // expected, nobody is listening. Anything else is worth a line.
      if (this.closed) return;
      fs.writeSync(2, `tslab kernel: a message was not sent: ${e && e.message}\n`);
    });
    return sent;
  }
  for (const cls of [zmq.Publisher, zmq.Router, zmq.Reply, zmq.Dealer]) {
    Object.defineProperty(cls.prototype, "send", { value: serialSend, writable: true, configurable: true });
  }

  // A PUB socket silently drops messages once its send queue holds sendHighWaterMark (1000) of them:
  // a burst of output to a slow client (a loaded CI machine) lost lines. Unlimited, set before bind,
  // since a bound socket copies its options when it starts listening.
  const nativeBind = Object.getPrototypeOf(zmq.Publisher.prototype).bind;
  Object.defineProperty(zmq.Publisher.prototype, "bind", {
    value: function bind(...args) {
      this.sendHighWaterMark = 0;
      return nativeBind.apply(this, args);
    },
    writable: true,
    configurable: true,
  });
}
