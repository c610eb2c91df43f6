// node bot.js API_URL TOKEN OUT.jsonl: every message the bot receives, appended to OUT.jsonl as one JSON line.
// As a user writes it with grammY: long polling with bot.start() and its defaults, one line per message written with
// writeSync (no buffer to flush), errors printed and the loop going on.
import fs from "node:fs";
import { Bot } from "grammy";

const [apiRoot, token, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node bot.js API_URL TOKEN OUT.jsonl");
  process.exit(2);
}
const fd = fs.openSync(out, "a");
const bot = new Bot(token, { client: { apiRoot: apiRoot.replace(/\/$/, "") } });

bot.on(["message", "channel_post"], (ctx) => {
  const m = ctx.msg;
  const record = {
    chat_id: m.chat.id,
    message_id: m.message_id,
    date: new Date(m.date * 1000).toISOString(),
    sender: m.from ? { id: m.from.id, name: [m.from.first_name, m.from.last_name].filter(Boolean).join(" "), username: m.from.username ?? null } : null,
    chat: { title: m.chat.title ?? null, username: m.chat.username ?? null, type: m.chat.type },
    text: m.text ?? m.caption ?? null,
  };
  fs.writeSync(fd, JSON.stringify(record) + "\n");
});
bot.catch((err) => console.error(`error: ${err.message}`));

for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => bot.stop());
await bot.start();
