// Every text of the pages comes from one catalogue per language (js/i18n/<lang>.js).
// Dutch first; a key missing in another language falls back to Dutch.
import nl from '../i18n/nl.js';

const catalogues = { nl };
const language = 'nl';

/** The text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = catalogues[language]?.[key] ?? nl[key];
  if (text === undefined) {
    console.warn(`missing text: ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? '').toString());
}

/** The locale for numbers, dates and money. */
export const LOCALE = 'nl-BE';
