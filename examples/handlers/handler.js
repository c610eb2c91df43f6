#!/usr/bin/env node
// A Tgwatch handler: one JSON line per message on stdin, one answer per message on stdout.
// Run it with: tgwatch run --handler 'exec:node examples/handlers/handler.js' ...
// Tgwatch may send a message again (after a crash or a time-out): key side effects on "key".
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { key, record } = JSON.parse(line);
  let answer;
  try {
    const text = record.text || "";
    if (text.toLowerCase().includes("urgent")) console.error(`urgent in chat ${record.chat_id}: ${text.slice(0, 80)}`);
    answer = { key, ok: true };
  } catch (e) {
    answer = { key, ok: false, error: String(e), retry: false }; // to the dead letters
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
// EOF on stdin (the run stops): readline closes, and node exits once the answers are written.
