// Dutch: every text of the pages, one file per page under nl/. A new language is a folder like
// nl/ and a file like this one; missing keys fall back to Dutch.
import common from './nl/common.js';
import publicPage from './nl/public.js';
import volunteer from './nl/volunteer.js';
import contact from './nl/contact.js';
import staff from './nl/staff.js';
import organisation from './nl/organisation.js';
import initiative from './nl/initiative.js';

export default { ...common, ...publicPage, ...volunteer, ...contact, ...staff, ...organisation, ...initiative };
