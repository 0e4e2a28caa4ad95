// The service worker: keeps the pages' shell (every page and asset, listed by /shell.json) so that
// the pages open without network. Pages and assets: network first (a release reaches the browser
// at once), the kept copy when the network fails or is too slow. The API is never cached here:
// the pages keep their own data (and the volunteer's unsent sales) in IndexedDB and localStorage.
const CACHE = 'campaign-shell';
const SLOW_NETWORK_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

async function keepShell() {
  const resp = await fetch('/shell.json', { cache: 'no-store' });
  if (!resp.ok) return;
  const { files } = await resp.json();
  const cache = await caches.open(CACHE);
  await cache.addAll(files.map((url) => new Request(url, { cache: 'no-cache' })));
}

self.addEventListener('message', (event) => {
  if (event.data === 'refresh-shell') event.waitUntil(keepShell().catch(() => {}));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/docs') || url.pathname === '/metrics') return;
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = cache.match(request, { ignoreSearch: true });
  const network = fetch(request).then((resp) => {
    if (resp.ok) cache.put(request, resp.clone());
    return resp;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_NETWORK_MS, 'slow'));
  try {
    const first = await Promise.race([network, slow]);
    if (first !== 'slow') return first;
    return (await kept) ?? (await network);
  } catch (error) {
    const copy = await kept;
    if (copy) return copy;
    throw error;
  }
}
