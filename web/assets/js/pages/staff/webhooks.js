// Links to other systems: the webhook endpoints (register one and see its secret once, pause or
// enable it, send a test event, delete it) and each endpoint's delivery log with "send again".
import { h, fill, announce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, messageOf } from '../../core/api.js';
import { dateTime } from '../../core/format.js';
import { notice } from '../../core/layout.js';
import { showError, loading, table, scrollBox } from './shared.js';

const EVENTS = ['entry.created', 'entry.corrected', 'material_request.status_changed', 'deposit.closed', 'fund_application.decided'];

/** Fills `where` with the endpoints and the form to register one. */
export function loadWebhooks(where) {
  const list = h('ul', { id: 'webhook-list', class: 'items' });
  const show = async () => {
    try {
      const { items } = await api('/webhooks');
      fill(list, ...(items.length
        ? items.map((e) => endpointItem(e, show))
        : [h('li', { class: 'muted' }, t('staff.webhooks.none'))]));
    } catch (error) {
      showError(list, error, show);
    }
  };
  fill(where, list, registerForm(show));
  fill(list, h('li', {}, loading()));
  show();
}

function registerForm(reload) {
  const url = h('input', { id: 'webhook-url', type: 'url', required: true, maxlength: 2000, placeholder: 'https://' });
  const description = h('input', { id: 'webhook-description', maxlength: 200 });
  const boxes = EVENTS.map((event) => h('input', {
    type: 'checkbox', id: `webhook-event-${event.replace(/\W/g, '-')}`, value: event, checked: event === 'entry.created',
  }));
  const message = h('div', { id: 'webhook-created', 'aria-live': 'polite' });
  const form = h('form', { id: 'webhook-form', class: 'stacked' },
    h('h3', {}, t('staff.webhooks.new')),
    h('label', { for: url.id }, t('staff.webhooks.url')), url,
    h('label', { for: description.id }, t('staff.webhooks.description')), description,
    h('fieldset', {}, h('legend', {}, t('staff.webhooks.events')),
      ...boxes.map((box) => h('label', { class: 'check' }, box, ' ', t(`staff.webhooks.event.${box.value}`)))),
    h('button', { type: 'submit' }, t('staff.webhooks.register')),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(message);
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      const body = { url: url.value.trim(), events };
      if (description.value.trim()) body.description = description.value.trim();
      const created = await api('/webhooks', { method: 'POST', body });
      // The secret is shown this once: the receiver needs it to check signatures.
      fill(message, h('div', { class: 'notice ok' },
        h('p', {}, t('staff.webhooks.secretOnce')),
        h('code', { class: 'secret', id: 'webhook-secret' }, created.secret)));
      announce(t('staff.webhooks.registered'));
      url.value = '';
      description.value = '';
      await reload();
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  });
  return form;
}

function endpointItem(e, reload) {
  const message = h('div', { 'aria-live': 'polite' });
  const log = h('div', { class: 'webhook-log' });
  const act = async (path, options, after) => {
    fill(message);
    try {
      const answer = await api(path, options);
      if (after) await after(answer);
    } catch (error) {
      fill(message, notice('error', messageOf(error, t)));
    }
  };
  const base = `/webhooks/${encodeURIComponent(e.id)}`;
  const showLog = () => loadLog(log, base);
  const button = (action, label, onClick, secondary = true) => h('button', {
    type: 'button', class: secondary ? 'secondary' : null, dataset: { action }, onclick: onClick,
  }, label);
  let armed = false;
  const remove = button('delete', t('staff.webhooks.delete'), () => {
    if (!armed) {
      armed = true;
      remove.textContent = t('staff.webhooks.deleteSure');
      return;
    }
    act(base, { method: 'DELETE' }, reload);
  });
  const state = e.enabled
    ? h('span', { class: 'badge ok' }, t('staff.webhooks.enabled'))
    : h('span', { class: 'badge waiting' }, t('staff.webhooks.disabled'));
  return h('li', { class: 'webhook', dataset: { webhookId: e.id, enabled: String(e.enabled) } },
    h('strong', { class: 'url' }, e.url), ' ', state,
    e.description ? h('p', { class: 'muted' }, e.description) : null,
    h('p', {}, e.events.map((event) => [h('span', { class: 'badge' }, t(`staff.webhooks.event.${event}`)), ' '])),
    e.enabled ? null : h('p', { class: 'muted' }, disabledWhy(e)),
    e.failing_since ? h('p', { class: 'badge waiting' }, t('staff.webhooks.failingSince', { since: dateTime(e.failing_since) })) : null,
    h('div', { class: 'actions' },
      button('test', t('staff.webhooks.test'), () => act(`${base}/test`, { method: 'POST' }, showLog), false),
      button('log', t('staff.webhooks.log'), showLog),
      e.enabled
        ? button('pause', t('staff.webhooks.pause'), () => act(base, { method: 'PATCH', body: { enabled: false } }, reload))
        : button('enable', t('staff.webhooks.enable'), () => act(base, { method: 'PATCH', body: { enabled: true } }, reload)),
      remove),
    message, log);
}

/** Why an endpoint is off, in the page's language: paused by staff, or failing too long. */
function disabledWhy(e) {
  const at = e.disabled_at ? dateTime(e.disabled_at) : '';
  return (e.disabled_reason ?? '').startsWith('disabled by staff')
    ? t('staff.webhooks.pausedAt', { at })
    : t('staff.webhooks.disabledFailing', { at });
}

async function loadLog(where, base) {
  fill(where, loading());
  try {
    const { items } = await api(`${base}/deliveries?limit=50`);
    if (!items.length) {
      fill(where, h('p', { class: 'muted' }, t('staff.webhooks.noDeliveries')));
      return;
    }
    const refresh = h('button', { type: 'button', class: 'secondary', dataset: { action: 'refresh-log' }, onclick: () => loadLog(where, base) },
      t('staff.webhooks.refresh'));
    const rows = items.map((d) => {
      const again = h('button', {
        type: 'button', class: 'secondary', dataset: { action: 'replay' },
        onclick: async () => {
          try {
            await api(`${base}/deliveries/${d.id}/replay`, { method: 'POST' });
            await loadLog(where, base);
          } catch (error) {
            fill(where, notice('error', messageOf(error, t)));
          }
        },
      }, t('staff.webhooks.replay'));
      return {
        attrs: { 'data-delivery-id': String(d.id), 'data-status': d.status },
        cells: [
          dateTime(d.created_at),
          t(`staff.webhooks.event.${d.event_type}`),
          t(`staff.webhooks.status.${d.status}`),
          String(d.attempts),
          d.last_status_code == null ? '–' : String(d.last_status_code),
          `${d.last_duration_ms} ms`,
          d.last_error ?? (d.next_attempt_at ? t('staff.webhooks.nextAt', { at: dateTime(d.next_attempt_at) }) : ''),
          again,
        ],
      };
    });
    const columns = ['when', 'event', 'status', 'attempts', 'code', 'duration', 'detail', 'action']
      .map((c) => ({ key: c, label: t(`staff.webhooks.col.${c}`), num: c === 'attempts' || c === 'code' }));
    fill(where, scrollBox(t('staff.webhooks.logTitle'), table({ caption: t('staff.webhooks.logTitle'), columns, rows })), refresh);
  } catch (error) {
    showError(where, error, () => loadLog(where, base));
  }
}
