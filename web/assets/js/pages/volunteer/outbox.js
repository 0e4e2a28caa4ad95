// The volunteer's outbox: every sale, donation or income is first kept in IndexedDB with its own
// client_id, then sent as an offline batch. The server stores a client_id once per group, forever,
// so an upload cut halfway and sent again stores nothing twice; an entry leaves the outbox only
// when the server answered `created` or `duplicate`. A reload or a closed tab loses nothing.
import { api, ApiError, OfflineError } from '../../core/api.js';

const DB_NAME = 'campaign-volunteer';
const STORE = 'outbox';
const BATCH_MAX = 500;
const listeners = new Set();

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'client_id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const store = tx.objectStore(STORE);
      let result;
      Promise.resolve(work(store)).then((r) => { result = r; });
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const asPromise = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** Every kept item `{client_id, group_id, entry, queued_at, state: 'waiting'|'rejected', error?}`, oldest first. */
export async function items() {
  const all = await run('readonly', (store) => asPromise(store.getAll()));
  return (all ?? []).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

/** Keeps an entry for `groupId`; answers the kept item. */
export async function keep(groupId, entry) {
  const item = { client_id: crypto.randomUUID(), group_id: groupId, entry, queued_at: new Date().toISOString(), state: 'waiting' };
  await run('readwrite', (store) => asPromise(store.add(item)));
  changed();
  return item;
}

/** Forgets an item (a rejected entry the volunteer read and dismissed). */
export async function forget(clientId) {
  await run('readwrite', (store) => asPromise(store.delete(clientId)));
  changed();
}

/** Calls `callback()` whenever the outbox changes (in this tab or another). */
export function onChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

const channel = 'BroadcastChannel' in self ? new BroadcastChannel('campaign-outbox') : null;
channel?.addEventListener('message', () => listeners.forEach((l) => l()));

function changed() {
  listeners.forEach((l) => l());
  channel?.postMessage('changed');
}

/**
 * Sends every waiting entry, a batch per group. Answers `{sent, rejected, offline}`. Runs once at
 * a time across tabs (a Web Lock); an entry stays until the server answered it.
 */
export async function send() {
  const work = async () => {
    const waiting = (await items()).filter((i) => i.state === 'waiting');
    const outcome = { sent: 0, rejected: 0, offline: false };
    const byGroup = new Map();
    for (const item of waiting) {
      if (!byGroup.has(item.group_id)) byGroup.set(item.group_id, []);
      byGroup.get(item.group_id).push(item);
    }
    for (const [groupId, groupItems] of byGroup) {
      for (let start = 0; start < groupItems.length; start += BATCH_MAX) {
        const chunk = groupItems.slice(start, start + BATCH_MAX);
        let answer;
        try {
          answer = await api(`/groups/${groupId}/entries/batch`, {
            method: 'POST',
            body: { entries: chunk.map((i) => ({ client_id: i.client_id, ...i.entry })) },
          });
        } catch (error) {
          if (error instanceof OfflineError || (error instanceof ApiError && (error.status >= 500 || error.status === 429))) {
            outcome.offline = error instanceof OfflineError;
            changed();
            return outcome;
          }
          if (error instanceof ApiError) {
            // The whole batch was refused (e.g. the group was deactivated): say so on each entry.
            await settle(chunk.map((i) => ({ client_id: i.client_id, status: 'rejected', error: error.problem?.detail ?? error.message })));
            outcome.rejected += chunk.length;
            continue;
          }
          // A broken answer (the connection cut halfway): keep everything and try again later.
          outcome.offline = true;
          changed();
          return outcome;
        }
        const results = answer?.results ?? [];
        await settle(results);
        outcome.sent += results.filter((r) => r.status !== 'rejected').length;
        outcome.rejected += results.filter((r) => r.status === 'rejected').length;
      }
    }
    changed();
    return outcome;
  };
  if (navigator.locks?.request) return navigator.locks.request('campaign-outbox-send', work);
  return work();
}

function errorText(error) {
  if (!error) return '';
  if (typeof error === 'string') return error;
  return error.detail ?? error.message ?? JSON.stringify(error);
}

async function settle(results) {
  await run('readwrite', async (store) => {
    for (const r of results) {
      if (r.status === 'created' || r.status === 'duplicate') {
        store.delete(r.client_id);
      } else if (r.status === 'rejected') {
        const item = await asPromise(store.get(r.client_id));
        if (item) store.put({ ...item, state: 'rejected', error: errorText(r.error) });
      }
    }
  });
}
