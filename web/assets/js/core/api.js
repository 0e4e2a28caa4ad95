// The JSON API as the pages use it: the access token added, problem+json read into ApiError.
import { accessToken, refresh, OfflineError } from './session.js';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
  }
}

export { OfflineError };

/**
 * Calls the API. `body` is sent as JSON; the answer is parsed as JSON (or returned as text for
 * `accept: 'text/csv'`). Throws ApiError for an error answer, OfflineError without network, and
 * sends the browser to the sign-in page when the session has ended.
 */
export async function api(path, { method = 'GET', body, file, headers = {}, accept = 'application/json', signal, anonymous = false } = {}) {
  const send = async (token) => {
    const all = { accept, ...headers };
    if (token) all.authorization = `Bearer ${token}`;
    if (body !== undefined) all['content-type'] = 'application/json';
    // A file (a spreadsheet to import) goes as it is, with its own type.
    if (file !== undefined) all['content-type'] = fileType(file);
    try {
      return await fetch(`${API}${path}`, {
        method, headers: all, signal, body: file ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
    } catch (error) {
      if (error?.name === 'AbortError') throw error;
      throw new OfflineError();
    }
  };
  let token = anonymous ? null : await accessToken();
  if (!anonymous && !token) return signedOut();
  let resp = await send(token);
  if (resp.status === 401 && !anonymous) {
    token = await refresh(token);
    if (!token) return signedOut();
    resp = await send(token);
    if (resp.status === 401) return signedOut();
  }
  if (resp.status === 204) return null;
  if (!resp.ok && resp.status !== 304) {
    const problem = await resp.json().catch(() => ({ detail: resp.statusText }));
    throw new ApiError(resp.status, problem);
  }
  if (accept === 'text/csv') return resp.text();
  return resp.json();
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The content type of a chosen file: browsers give some CSV files no type, or Excel's own. */
function fileType(file) {
  if (file.type === XLSX || /\.xlsx$/i.test(file.name ?? '')) return XLSX;
  return 'text/csv';
}

function signedOut() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  return new Promise(() => {});
}

/** Downloads a CSV answer as a file (the server names it). */
export async function downloadCsv(path, fallbackName) {
  const text = await api(path, { accept: 'text/csv' });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Every page of a cursor-paginated list, up to `max` items. */
export async function listAll(path, max = 2000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...(page.items ?? []));
    cursor = page.next_cursor ?? null;
  } while (cursor && items.length < max);
  return items;
}

/** A readable message for an error of any kind. */
export function messageOf(error, t) {
  if (error instanceof OfflineError) return t('error.offline');
  if (error instanceof ApiError) return error.problem?.detail ?? error.message;
  return t('error.unexpected');
}

/** A fresh Idempotency-Key (a UUID v4), also where crypto.randomUUID is missing (plain http). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
