// Offline support shared by the pages: the service worker that keeps the shell.

/** Registers the service worker (every page does, so the shell is kept from the first visit). */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    console.warn('service worker not registered', error);
    return null;
  });
}
