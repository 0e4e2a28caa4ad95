// The signed-in session of this browser.
//
// Where the tokens live, and why: the access token (15 minutes) and the refresh token are kept in
// localStorage, so that a volunteer is not asked to sign in again after a reload, a closed tab or
// a day offline. Anything that can run script in the page could read them; that is why every page
// is served with a strict Content-Security-Policy (scripts only from this origin, no inline script,
// no markup built from data: see dom.js), and why the API rotates refresh tokens and revokes the
// whole chain when an old one is used again. Signing out revokes the refresh token on the server.
// Refreshing is done under a Web Lock so that two tabs never spend the same refresh token twice.

const KEY = 'campaign.session';
const API = '/api/v1';

export class OfflineError extends Error {
  constructor() {
    super('offline');
    this.name = 'OfflineError';
  }
}

/** The stored session `{access_token, expires_at, refresh_token, me}` or null. */
export function current() {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

function store(session) {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

function fromPair(pair, me) {
  return {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_at: Date.now() + (pair.expires_in ?? 900) * 1000,
    me,
  };
}

async function post(path, body, headers = {}) {
  try {
    return await fetch(`${API}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    throw new OfflineError();
  }
}

/** Signs in; answers the account (`/me`) or throws the problem the server gave. */
export async function signIn(email, password) {
  const resp = await post('/auth/login', { email, password });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const error = new Error(body.detail ?? resp.statusText);
    error.status = resp.status;
    error.retryAfter = resp.headers.get('retry-after');
    throw error;
  }
  const meResp = await fetch(`${API}/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
  const me = await meResp.json();
  store(fromPair(body, me));
  return me;
}

/** A valid access token (refreshed when it runs out within a minute), or null when signed out. */
export async function accessToken() {
  const session = current();
  if (!session) return null;
  if (session.expires_at - Date.now() > 60_000) return session.access_token;
  return refresh(session.access_token);
}

/** Swaps the refresh token for a new pair, once across every tab of this browser. */
export async function refresh(staleAccessToken) {
  const run = async () => {
    const session = current();
    if (!session) return null;
    // Another tab may have refreshed while this one waited for the lock.
    if (session.access_token !== staleAccessToken && session.expires_at - Date.now() > 60_000) {
      return session.access_token;
    }
    const resp = await post('/auth/refresh', { refresh_token: session.refresh_token });
    if (resp.status === 401 || resp.status === 400) {
      store(null);
      return null;
    }
    if (!resp.ok) throw new OfflineError();
    const pair = await resp.json();
    store(fromPair(pair, session.me));
    return pair.access_token;
  };
  if (navigator.locks?.request) return navigator.locks.request('campaign-session-refresh', run);
  return run();
}

/** Signs out here and on the server (the refresh token stops working). */
export async function signOut() {
  const session = current();
  store(null);
  if (session) {
    try {
      await post('/auth/logout', { refresh_token: session.refresh_token });
    } catch {
      // Offline: the token runs out by itself; nothing is kept here any more.
    }
  }
}

/** The signed-in account when it has one of `roles`; otherwise off to the sign-in page. */
export function requireRole(...roles) {
  const session = current();
  if (!session?.me || !roles.includes(session.me.role)) {
    const next = encodeURIComponent(location.pathname);
    location.replace(`/login?next=${next}`);
    return null;
  }
  return session.me;
}

/** The page of each role. */
export function homeOf(role) {
  return { staff: '/staff', volunteer: '/volunteer', municipal_contact: '/contact', member_org: '/organisation', initiative: '/initiative' }[role] ?? '/';
}
