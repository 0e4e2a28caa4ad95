// Server-Sent Events read with fetch, so the access token goes in the Authorization header and
// never in a URL (EventSource cannot send headers). Reconnects with a fresh token when the stream
// ends or fails, backing off up to 30 s.
import { accessToken } from './session.js';

export function followEvents(url, onEvent, { onState = () => {} } = {}) {
  let stopped = false;
  let controller = null;
  let delay = 1000;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const token = await accessToken();
        const resp = await fetch(url, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        if (!resp.ok || !resp.body) throw new Error(`HTTP ${resp.status}`);
        onState('live');
        delay = 1000;
        await read(resp.body, onEvent);
      } catch (error) {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

async function read(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        if (event.data.length) onEvent(event.type, event.data.join('\n'));
        event = { type: 'message', data: [] };
      } else if (line.startsWith('event:')) {
        event.type = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        event.data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}
