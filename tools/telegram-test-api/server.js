#!/usr/bin/env node
// Starts the telegram-test-api Bot API emulator on 127.0.0.1 for Tgwatch's cross-check tests.
//   node server.js PORT
// Prints "ready <apiURL>" on stdout once listening; stops on SIGTERM, SIGINT or when stdin (a pipe) closes.
// The emulator cannot listen on port 0 (it reads 0 as "not set" and takes 9000), so the caller picks a free port.
'use strict';

let TelegramServer;
try {
  TelegramServer = require('telegram-test-api');
} catch (e) {
  process.stderr.write(`telegram-test-api is not installed (${e.code || e.message}); run: npm ci --prefix tools/telegram-test-api\n`);
  process.exit(3);
}

const arg = process.argv[2];
const port = Number(arg);
if (!/^[0-9]+$/.test(arg || '') || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`usage: node server.js PORT (1-65535; 0 is not allowed by the emulator), not ${JSON.stringify(arg)}\n`);
  process.exit(2);
}

const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
let stopping = false;

async function stop(why) {
  if (stopping) return;
  stopping = true;
  // Keep-alive connections could hold the shutdown; do not wait for them for long.
  setTimeout(() => process.exit(0), 2000).unref();
  try {
    await server.stop();
  } catch (e) {
    process.stderr.write(`stopping after ${why}: ${e.message}\n`);
  }
  process.exit(0);
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// A parent that holds our stdin as a pipe stops us by closing it (or by dying); stdin from /dev/null or a
// terminal is not watched, or the server would stop at once when started in the background.
let stdin = null;
try {
  stdin = require('fs').fstatSync(0);
} catch {
  // no stdin at all
}
if (stdin && (stdin.isFIFO() || stdin.isSocket())) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}

server.start().then(
  () => process.stdout.write(`ready ${server.config.apiURL}\n`),
  (e) => {
    // EADDRINUSE and the like: the caller may try another port.
    process.stderr.write(`cannot listen on 127.0.0.1:${port}: ${e.code || e.message}\n`);
    process.exit(1);
  },
);
