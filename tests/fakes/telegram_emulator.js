// A Telegram Bot API emulator for Klantstem's end-to-end tests: the npm package
// telegram-test-api (MIT) behind a thin compatibility layer for python-telegram-bot 22,
// plus the faults the real API produces and the emulator does not.
//
//   node tests/fakes/telegram_emulator.js [PORT]     (0 or nothing: a free port)
//
// Prints "listening on http://127.0.0.1:PORT" once it accepts requests. The bot uses it
// as KLANTSTEM_TELEGRAM_API_URL; a test acts as Telegram users through the emulator's
// client routes (/sendMessage, /sendCommand, /sendCallback with a botToken field) and
// through the control routes under /_klantstem/ below.
//
// Quirks of telegram-test-api 4.2.1 this layer corrects, each as Telegram behaves:
//  1. getMe has no is_bot (nor can_join_groups ...): python-telegram-bot cannot build the
//     bot's User without it. Added.
//  2. Bot messages carry their date in milliseconds; Telegram sends Unix seconds (PTB
//     would read a year beyond 50000). Converted in sendMessage results and histories.
//  3. editMessageText and editMessageReplyMarkup return null; Telegram returns the edited
//     Message. The stored message is returned.
//  4. An edit without reply_markup keeps the old inline keyboard; Telegram removes it.
//     Removed.
//  5. Callback queries lack chat_instance, which PTB requires. Added (one per chat).
//  6. answerCallbackQuery returns null; Telegram returns true.
//  7. getUpdates ignores `timeout` (no long polling), so a polling bot would spin. The
//     request is held until an update arrives or the timeout passes.
//  8. setMyCommands and deleteMyCommands are unknown methods (HTTP 500). Answered true.
//  9. Method names are case-sensitive in its own bookkeeping (its routes are not), while
//     the Bot API ignores their case. Names are compared by their lower-case form.
// 10. It never answers 429 or 403. Control routes inject both:
//     POST /_klantstem/flood {method, every, retry_after}: every n-th call of `method`
//          gets 429 Too Many Requests with parameters.retry_after (nothing is stored);
//     POST /_klantstem/block {chat_id}: sendMessage to that chat gets 403 (blocked).
// 11. An update handed to a held getUpdates counts as read, even when the bot that asked
//     was killed meanwhile; Telegram keeps it until a later offset confirms it. A held
//     request whose bot went away takes nothing.
// 12. It never fails the way a busy or broken API does. A control route injects that:
//     POST /_klantstem/fault {method, status, times, retry_after}: the next `times` calls
//          of `method` (any Bot API method, getUpdates too) fail and change nothing:
//          status 429 with parameters.retry_after, 5xx as 'Bad Gateway', or 0 for a
//          timeout: the request gets no answer until the client gives up.
// 13. sendPhoto is not implemented. Answered as Telegram does, with the Message and its
//     photo sizes; the photo is kept as a bot message whose text is its caption.
// Test helpers (no Telegram counterpart):
//     POST /_klantstem/wait {token, chat_id, count, timeout_ms}: answers once the chat
//          holds at least `count` bot messages (or the timeout passed) with all of them;
//     POST /_klantstem/messages {token}: every chat's bot messages as they look now;
//     GET  /_klantstem/stats: how many 429s were injected and calls made per method
//          (by lower-case method name).
'use strict';

const http = require('http');
const TelegramServer = require('telegram-test-api');
const express = require(require.resolve('express', { paths: [require.resolve('telegram-test-api')] }));

const BOT = {
  id: 666,
  is_bot: true,
  first_name: 'Test First name',
  username: 'TestNameBot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};
const USER_EVENTS = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
const BOT_EVENTS = ['AddedBotMessage', 'EditedMessageText', 'EditedMessageReplyMarkup', 'Fixed'];

const server = new TelegramServer({ port: 0, storeTimeout: 3600 });
const flood = {};
const blocked = new Set();
const calls = {};
const faults = {};
const injectedFaults = {};

function waitForEvent(events, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      events.forEach((e) => server.off(e, done));
      resolve();
    };
    const timer = setTimeout(done, ms);
    events.forEach((e) => server.on(e, done));
  });
}

function seconds(time) {
  return Math.floor(Number(time) / 1000);
}

function asMessage(stored) {
  const chatId = Number(stored.message.chat_id);
  const message = {
    message_id: stored.messageId,
    date: seconds(stored.time),
    from: BOT,
    chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
    text: stored.message.text,
  };
  if (stored.message.reply_markup && stored.message.reply_markup.inline_keyboard) {
    message.reply_markup = stored.message.reply_markup;
  }
  return message;
}

function findStored(token, body) {
  return server.storage.botMessages.find((u) => u.botToken === token
    && String(u.messageId) === String(body.message_id)
    && String(u.message.chat_id) === String(body.chat_id));
}

function chatMessages(token, chatId) {
  return server.storage.botMessages
    .filter((u) => u.botToken === token && (chatId === undefined || String(u.message.chat_id) === String(chatId)))
    .sort((a, b) => a.messageId - b.messageId)
    .map(asMessage);
}

function fixUpdate(update) {
  if (update.callback_query) {
    const query = update.callback_query;
    const chat = query.message && query.message.chat ? query.message.chat.id : query.from.id;
    query.chat_instance = query.chat_instance || `ci${chat}`;
  }
  return update;
}

function refuse(res, code, description, parameters) {
  const body = { ok: false, error_code: code, description };
  if (parameters) body.parameters = parameters;
  res.status(code).json(body);
}

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));

// -- control and test helpers ---------------------------------------------------------
app.post('/_klantstem/flood', (req, res) => {
  const { method, every, retry_after: retryAfter } = req.body;
  flood[method.toLowerCase()] = { every: Number(every), retryAfter: Number(retryAfter || 1), count: 0, injected: 0 };
  res.json({ ok: true, result: true });
});
app.post('/_klantstem/fault', (req, res) => {
  const { method, status, times, retry_after: retryAfter } = req.body;
  const queue = (faults[method.toLowerCase()] = faults[method.toLowerCase()] || []);
  for (let i = 0; i < Number(times || 1); i += 1) {
    queue.push({ status: Number(status), retryAfter: Number(retryAfter || 1) });
  }
  res.json({ ok: true, result: true });
});
app.post('/_klantstem/block', (req, res) => {
  blocked.add(String(req.body.chat_id));
  res.json({ ok: true, result: true });
});
app.post('/_klantstem/wait', async (req, res) => {
  const { token, chat_id: chatId } = req.body;
  const count = Number(req.body.count);
  const deadline = Date.now() + Number(req.body.timeout_ms || 10000);
  while (chatMessages(token, chatId).length < count && Date.now() < deadline) {
    // eslint-disable-next-line no-await-in-loop
    await waitForEvent(BOT_EVENTS, deadline - Date.now());
  }
  res.json({ ok: true, result: chatMessages(token, chatId) });
});
app.post('/_klantstem/messages', (req, res) => {
  const byChat = {};
  chatMessages(req.body.token).forEach((m) => {
    (byChat[m.chat.id] = byChat[m.chat.id] || []).push(m);
  });
  res.json({ ok: true, result: byChat });
});
app.get('/_klantstem/stats', (req, res) => {
  const injected = {};
  Object.keys(flood).forEach((m) => { injected[m] = flood[m].injected; });
  // keys are lower-case method names
  res.json({ ok: true, result: { calls, injected_429: injected, faults: injectedFaults } });
});

// -- faults, before any Bot API method answers (quirk 12) ------------------------------
app.all('/bot:token/:method', (req, res, next) => {
  const method = req.params.method.toLowerCase();
  const queue = faults[method];
  if (!queue || queue.length === 0) {
    next();
    return;
  }
  const fault = queue.shift();
  injectedFaults[method] = (injectedFaults[method] || 0) + 1;
  if (fault.status === 0) return; // a timeout: no answer; the client's own timeout ends it
  if (fault.status === 429) {
    refuse(res, 429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter });
    return;
  }
  refuse(res, fault.status, 'Bad Gateway');
});

// -- the Bot API, corrected -----------------------------------------------------------
app.all('/bot:token/getMe', (req, res) => res.json({ ok: true, result: BOT }));
app.all('/bot:token/:method(setMyCommands|deleteMyCommands)', (req, res) => res.json({ ok: true, result: true }));
app.all('/bot:token/answerCallbackQuery', (req, res) => res.json({ ok: true, result: true }));

app.all('/bot:token/getUpdates', async (req, res) => {
  const { token } = req.params;
  const timeout = Number(req.body.timeout || req.query.timeout || 0);
  let updates = server.getUpdates(token);
  if (updates.length === 0 && timeout > 0) {
    await waitForEvent(USER_EVENTS, timeout * 1000);
    // A bot killed while polling must not take the update with it (quirk 11).
    if (req.socket.destroyed) return;
    updates = server.getUpdates(token);
  }
  res.json({ ok: true, result: updates.map(fixUpdate) });
});

app.all('/bot:token/:method', (req, res, next) => {
  const { token } = req.params;
  const method = req.params.method.toLowerCase();
  calls[method] = (calls[method] || 0) + 1;
  const chat = String(req.body.chat_id || '');
  if (method === 'sendmessage' && blocked.has(chat)) {
    refuse(res, 403, 'Forbidden: bot was blocked by the user');
    return;
  }
  const rule = flood[method];
  if (rule) {
    rule.count += 1;
    if (rule.count % rule.every === 0) {
      rule.injected += 1;
      refuse(res, 429, `Too Many Requests: retry after ${rule.retryAfter}`, { retry_after: rule.retryAfter });
      return;
    }
  }
  const json = res.json.bind(res);
  res.json = (body) => {
    if (body && body.ok && method === 'sendmessage') {
      return json({ ...body, result: { ...body.result, date: seconds(body.result.date), from: BOT } });
    }
    if (body && body.ok && (method === 'editmessagetext' || method === 'editmessagereplymarkup')) {
      const stored = findStored(token, req.body);
      if (!stored) return refuse(res, 400, 'Bad Request: message to edit not found');
      if (!req.body.reply_markup) {
        delete stored.message.reply_markup;
        server.emit('Fixed');
      }
      return json({ ok: true, result: asMessage(stored) });
    }
    return json(body);
  };
  next();
});

// sendPhoto arrives as multipart/form-data: its text fields are read, the file is not kept.
function formFields(body, contentType) {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType || '');
  const fields = {};
  if (!boundary) return fields;
  body.toString('utf8').split(`--${boundary[1]}`).forEach((part) => {
    const head = /^\r\nContent-Disposition: form-data; name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n/i.exec(part);
    if (head && !/filename=/.test(head[0])) fields[head[1]] = part.slice(head[0].length, -2);
  });
  return fields;
}
app.post('/bot:token/sendPhoto', express.raw({ type: () => true, limit: '20mb' }), (req, res) => {
  const fields = req.is('multipart/form-data') ? formFields(req.body, req.headers['content-type']) : req.body;
  const rawMessage = { chat_id: fields.chat_id, text: fields.caption || '' };
  if (fields.reply_markup) {
    rawMessage.reply_markup = typeof fields.reply_markup === 'string' ? JSON.parse(fields.reply_markup) : fields.reply_markup;
  }
  const sent = server.addBotMessage(rawMessage, req.params.token);
  const size = { file_id: `photo${sent.message_id}`, file_unique_id: `p${sent.message_id}`, width: 800, height: 450 };
  res.json({
    ok: true,
    result: { ...sent, date: seconds(sent.date), from: BOT, text: undefined, caption: fields.caption, photo: [size] },
  });
});

app.use(server.webServer);

const httpServer = http.createServer(app);
httpServer.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  const { port } = httpServer.address();
  server.config.apiURL = `http://127.0.0.1:${port}`;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
const stop = () => {
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
