/** Core ↔ CCM19 Client model. Explicit allow-lists; `password`/`passwordHash` never leave. */
import type { ClientInput } from '../../../core/clients.js';
import { invalidField } from '../../../core/errors.js';
import type { UsageRow } from '../../../core/ports.js';
import type { Client } from '../../../core/types.js';
import { ALL_TIME } from '../../../core/usage.js';

export const CCM19_FEATURES = [
  'canUseABTests',
  'canUseAnalytics',
  'canUseConsentSharing',
  'canUseDomAPI',
  'canUseIAB',
  'canUseIframeCSS',
  'canUseIframes',
  'canUseIndCSS',
  'canUseMultiDom',
  'canUseOwnLogo',
  'canUseScripts',
  'canUseUserGroupRights',
  'moreThan2Lang',
] as const;

/** CCM19 `*MaxCount` field → core limit name. */
const MAX_COUNT_LIMITS = {
  domainMaxCount: 'domains',
  whitelabelMaxCount: 'whitelabels',
  widgetDisplayMaxCount: 'widgetDisplaysPerMonth',
} as const;

const AUTO_CREATE = 'autoCreateDomains';

/** Usage figures of one client, gathered from the counters. */
export interface Ccm19Usage {
  domains: number;
  whitelabels: number;
  widgetDisplaysThisMonth: number;
  calls: number;
  callsByDomain: Array<{ domName: string; count: number }>;
}

export function usageFrom(rows: UsageRow[], month: string): Map<string, Ccm19Usage> {
  const out = new Map<string, Ccm19Usage>();
  for (const r of rows) {
    let u = out.get(r.clientId);
    if (!u) {
      u = { domains: 0, whitelabels: 0, widgetDisplaysThisMonth: 0, calls: 0, callsByDomain: [] };
      out.set(r.clientId, u);
    }
    if (r.period === ALL_TIME && r.dimension === '') {
      if (r.metric === 'domains') u.domains = r.value;
      else if (r.metric === 'whitelabels') u.whitelabels = r.value;
      else if (r.metric === 'calls') u.calls = r.value;
    } else if (r.period === ALL_TIME && r.metric === 'calls') {
      u.callsByDomain.push({ domName: r.dimension, count: r.value });
    } else if (r.period === month && r.dimension === '' && r.metric === 'widgetDisplays') {
      u.widgetDisplaysThisMonth = r.value;
    }
  }
  return out;
}

const limitOrUnlimited = (c: Client, name: string) => c.limits[name] ?? -1;

export function ccm19Client(c: Client, u: Ccm19Usage | undefined) {
  return {
    id: c.id,
    username: c.username,
    active: c.isActive,
    firstName: c.firstName,
    lastName: c.lastName,
    emailAddress: c.emailAddress,
    company: c.company,
    domainCount: u?.domains ?? 0,
    domainMaxCount: limitOrUnlimited(c, MAX_COUNT_LIMITS.domainMaxCount),
    whitelabelCount: u?.whitelabels ?? 0,
    whitelabelMaxCount: limitOrUnlimited(c, MAX_COUNT_LIMITS.whitelabelMaxCount),
    widgetDisplayCount: u?.widgetDisplaysThisMonth ?? 0,
    widgetDisplayMaxCount: limitOrUnlimited(c, MAX_COUNT_LIMITS.widgetDisplayMaxCount),
    autoCreateDomains: c.features[AUTO_CREATE] ?? false,
    features: Object.fromEntries(CCM19_FEATURES.map((f) => [f, c.features[f] ?? true])),
  };
}

/** The list adds the call counters. */
export function ccm19ListItem(c: Client, u: Ccm19Usage | undefined) {
  return { ...ccm19Client(c, u), actualCallCount: u?.calls ?? 0, domainCountData: u?.callsByDomain ?? [] };
}

export interface Ccm19Body {
  username?: string;
  password?: string;
  passwordHash?: string;
  active?: boolean;
  firstName?: string | null;
  lastName?: string | null;
  emailAddress?: string;
  company?: string | null;
  domainMaxCount?: number;
  whitelabelMaxCount?: number;
  widgetDisplayMaxCount?: number;
  autoCreateDomains?: boolean;
  features?: Record<string, boolean>;
}

/** The scalar fields of a CCM19 body (everything but the limits and features maps). */
export function ccm19Fields(b: Ccm19Body): ClientInput {
  const input: ClientInput = {};
  for (const f of ['username', 'emailAddress', 'firstName', 'lastName', 'company', 'password', 'passwordHash'] as const) {
    if (b[f] !== undefined) (input as Record<string, unknown>)[f] = b[f];
  }
  if (b.active !== undefined) input.isActive = b.active;
  return input;
}

/**
 * The limits and features maps of a CCM19 body merged into the client's current ones
 * (`existing`), or, for a new client, CCM19's defaults: nothing allowed, every feature on,
 * domains not created automatically. A map the body does not touch is left out.
 */
export function ccm19Maps(b: Ccm19Body, existing?: Client): Pick<ClientInput, 'limits' | 'features'> {
  const maps: Pick<ClientInput, 'limits' | 'features'> = {};
  const limits = { ...(existing?.limits ?? {}) };
  let limitsChanged = !existing;
  for (const [field, limit] of Object.entries(MAX_COUNT_LIMITS)) {
    const v = b[field as keyof typeof MAX_COUNT_LIMITS];
    if (v !== undefined) {
      limits[limit] = v;
      limitsChanged = true;
    } else if (!existing) limits[limit] = 0; // CCM19 creates with nothing allowed
  }
  if (limitsChanged) maps.limits = limits;
  if (b.features !== undefined || b.autoCreateDomains !== undefined || !existing) {
    const features = { ...(existing?.features ?? Object.fromEntries(CCM19_FEATURES.map((f) => [f, true]))) };
    Object.assign(features, b.features ?? {});
    if (b.autoCreateDomains !== undefined) features[AUTO_CREATE] = b.autoCreateDomains;
    else if (!existing) features[AUTO_CREATE] = false;
    maps.features = features;
  }
  return maps;
}

/** A new client from a CCM19 POST body: CCM19 requires a username, a password (or its bcrypt hash) and an e-mail address, and creates clients inactive. */
export function ccm19NewClient(b: Ccm19Body): ClientInput {
  if (!b.username) throw invalidField('body.username', 'is required');
  if (!b.password && !b.passwordHash) throw invalidField('body.password', 'is required (or passwordHash)');
  if (!b.emailAddress) throw invalidField('body.emailAddress', 'is required');
  return { isActive: false, ...ccm19Fields(b), ...ccm19Maps(b) };
}
