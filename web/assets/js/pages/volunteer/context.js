// What the volunteer page knows of the campaign and the group, kept in localStorage so that the
// page works offline with what it last saw (products and prices, activities).
import { api, OfflineError } from '../../core/api.js';
import { todayInBrussels } from '../../core/format.js';

const KEY = 'campaign.volunteer.context';

function kept() {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** The campaign running today (Brussels), else the latest one. */
export function currentCampaign(campaigns) {
  const today = todayInBrussels();
  const running = campaigns.find((c) => c.starts_on <= today && today <= c.ends_on);
  return running ?? [...campaigns].sort((a, b) => b.year - a.year)[0] ?? null;
}

/**
 * `{campaign, products, activities, group, fromCache}` for the volunteer's group: fresh from the
 * API when it answers, else what was kept the last time (fromCache: true).
 */
export async function loadContext(me) {
  try {
    const campaigns = await api('/campaigns');
    const campaign = currentCampaign(campaigns.items ?? campaigns);
    const [group, products, activities] = await Promise.all([
      api(`/groups/${me.group_id}`),
      campaign ? api(`/campaigns/${campaign.year}/products`) : { items: [] },
      campaign ? api(`/activities?group_id=${me.group_id}&campaign_year=${campaign.year}&limit=200`) : { items: [] },
    ]);
    const context = {
      group,
      campaign,
      products: (products.items ?? products).filter((p) => p.active !== false),
      activities: activities.items ?? [],
      saved_at: new Date().toISOString(),
    };
    localStorage.setItem(KEY, JSON.stringify({ ...context, user_id: me.id }));
    return { ...context, fromCache: false };
  } catch (error) {
    const last = kept();
    if (error instanceof OfflineError && last && last.user_id === me.id) return { ...last, fromCache: true };
    throw error;
  }
}

/** Keeps a changed list of activities (after an edit) for offline use. */
export function keepActivities(activities) {
  const last = kept();
  if (last) localStorage.setItem(KEY, JSON.stringify({ ...last, activities }));
}
