/** Core → FactPulse wire. Explicit allow-lists. */
import type { Client, Integration } from '../../../core/types.js';

export interface IntegrationPair {
  pdp?: Integration;
  chorus?: Integration;
}

export function clientDetail(c: Client, i: IntegrationPair = {}) {
  return {
    uid: c.id,
    name: c.name,
    siret: c.siret,
    description: c.description,
    isActive: c.isActive,
    hasConfigPdp: i.pdp !== undefined,
    pdpIsActive: i.pdp ? Boolean(i.pdp.settings.isActive) : null,
    pdpIsMock: i.pdp ? Boolean(i.pdp.settings.modeSandbox) : null,
    hasConfigChorus: i.chorus !== undefined,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export const PDP_NOT_CONFIGURED = { isConfigured: false, message: 'No PDP configuration for this client' } as const;

export function pdpConfig(i: Integration) {
  const s = i.settings;
  const double = i.encryptionMode === 'double';
  return {
    isConfigured: true,
    id: i.number,
    isActive: s.isActive as boolean,
    modeSandbox: s.modeSandbox as boolean,
    flowServiceUrl: s.flowServiceUrl as string,
    tokenUrl: s.tokenUrl as string,
    oauthClientId: s.oauthClientId as string,
    encryptionMode: i.encryptionMode,
    secretStatus: {
      status: 'active',
      message: double ? 'Secret stored with double encryption; X-Encryption-Key is needed to use it' : 'Secret stored encrypted',
      encryptionMode: i.encryptionMode,
      requiresClientKey: double,
    },
    lastTestAt: i.lastTestAt?.toISOString() ?? null,
    lastTestSuccess: i.lastTestSuccess,
    lastTestError: i.lastTestError,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}
