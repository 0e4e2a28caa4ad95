// Sign-in: one form for every role; afterwards each role goes to its own page.
import { h, fill } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { frame, notice } from '../core/layout.js';
import { signIn, current, homeOf } from '../core/session.js';
import { registerServiceWorker } from '../core/offline.js';

const main = frame('login.title');
const next = new URLSearchParams(location.search).get('next');
const session = current();
if (session?.me && homeOf(session.me.role) !== '/') location.replace(safeNext(next) ?? homeOf(session.me.role));

function safeNext(path) {
  // Only a path of this site: never an address elsewhere.
  return path && /^\/[a-z]*$/.test(path) ? path : null;
}

const message = h('div', { id: 'login-message' });
const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
const submit = h('button', { type: 'submit', id: 'login-submit' }, t('login.submit'));
const form = h('form', { id: 'login-form', novalidate: false },
  h('p', {}, t('login.intro')),
  h('label', { for: 'email' }, t('login.email')), email,
  h('label', { for: 'password' }, t('login.password')), password,
  h('div', { class: 'actions' }, submit),
  message);
main.append(form);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  submit.disabled = true;
  fill(message);
  try {
    const me = await signIn(email.value.trim(), password.value);
    const home = homeOf(me.role);
    if (home === '/') {
      fill(message, notice('info', t('login.noPage', { role: me.role })));
      return;
    }
    const wanted = safeNext(next);
    location.assign(wanted && wanted !== '/login' ? wanted : home);
  } catch (error) {
    const text = error.status === 429
      ? t('login.tooMany', { seconds: error.retryAfter ?? 60 })
      : t('login.failed', { detail: error.status ? error.message : t('error.offline') });
    fill(message, notice('error', text));
    password.focus();
  } finally {
    submit.disabled = false;
  }
});

registerServiceWorker();
