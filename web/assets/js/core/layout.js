// The frame every page shares: skip link, header with the brand and the account, the main area.
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { current, signOut } from './session.js';

/** Builds the frame and answers the <main> to fill. `title` is the page's heading key. */
export function frame(titleKey, { nav = [] } = {}) {
  document.title = `${t(titleKey)} · 11.11.11`;
  const session = current();
  const account = session?.me
    ? h('div', { class: 'account' },
        h('span', { class: 'who' }, session.me.name),
        h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: async () => { await signOut(); location.assign('/'); } }, t('nav.signOut')))
    : h('a', { href: '/login', class: 'button-link', id: 'sign-in-link' }, t('nav.signIn'));
  const header = h('header', { class: 'top' },
    h('a', { href: '/', class: 'brand', 'aria-label': t('brand.home') }, h('img', { src: '/assets/icons/icon.svg', alt: '', width: 32, height: 32 }), h('span', {}, '11.11.11')),
    nav.length ? h('nav', { 'aria-label': t('nav.label') }, h('ul', {}, nav.map(([href, key]) => h('li', {}, h('a', { href }, t(key)))))) : null,
    account);
  const main = h('main', { id: 'main', tabindex: -1 }, h('h1', {}, t(titleKey)));
  const live = h('div', { id: 'live', class: 'sr-only', 'aria-live': 'polite' });
  fill(document.body, h('a', { class: 'skip', href: '#main' }, t('nav.skip')), header, main, live);
  return main;
}

/** A section with a heading (h2) and an id, answered for filling. */
export function section(id, titleKey, ...children) {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, t(titleKey)), ...children);
}

/** A message line under a form or a list: role=status for news, role=alert for errors. */
export function notice(kind, text) {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
