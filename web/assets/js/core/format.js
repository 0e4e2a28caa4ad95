// Money, dates and times for nl-BE, always on the Brussels clock whatever the device's zone.
import { LOCALE } from './i18n.js';

export const ZONE = 'Europe/Brussels';

const euroFormat = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'EUR' });
const euroWhole = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat(LOCALE);

/** 123456 → "€ 1.234,56" */
export const euro = (cents) => euroFormat.format((cents ?? 0) / 100);
/** 123456 → "€ 1.235" (for big figures) */
export const euroRounded = (cents) => euroWhole.format(Math.round((cents ?? 0) / 100));
export const number = (n) => numberFormat.format(n ?? 0);

const dateFmt = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, day: 'numeric', month: 'short' });

/** An instant (ISO string) as a Brussels date: "ma 11 nov. 2026". */
export const date = (iso) => dateFmt.format(new Date(iso));
/** An instant as a Brussels time: "14:30". */
export const time = (iso) => timeFmt.format(new Date(iso));
export const dateTime = (iso) => `${date(iso)} ${time(iso)}`;
/** A calendar day "2026-11-11" as "11 nov.". */
export const day = (ymd) => dayFmt.format(new Date(`${ymd}T12:00:00Z`));

/** Parts of an instant on the Brussels clock. */
function brusselsParts(instant) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(instant);
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute'), s: get('second') };
}

/** Today's date in Brussels, "YYYY-MM-DD". */
export function todayInBrussels(now = new Date()) {
  const p = brusselsParts(now);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** The year on the Brussels calendar. */
export const brusselsYear = (now = new Date()) => brusselsParts(now).y;

/** "2026-11-11T14:30" read on the Brussels clock → ISO instant in UTC. */
export function brusselsToUtc(local) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local ?? '');
  if (!match) return null;
  const [y, m, d, h, min] = match.slice(1).map(Number);
  const wall = Date.UTC(y, m - 1, d, h, min);
  let guess = wall;
  for (let i = 0; i < 2; i += 1) {
    const p = brusselsParts(new Date(guess));
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
    guess += wall - shown;
  }
  return new Date(guess).toISOString();
}

/** An instant → "YYYY-MM-DDTHH:MM" on the Brussels clock (for datetime-local inputs). */
export function utcToBrusselsInput(iso) {
  const p = brusselsParts(new Date(iso));
  const two = (n) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.m)}-${two(p.d)}T${two(p.h)}:${two(p.min)}`;
}

/** Cents from a typed euro amount ("12,50", "12.5", "€ 3") or null. */
export function parseEuro(text) {
  const cleaned = (text ?? '').replace(/[€\s]/g, '').replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 100);
}
