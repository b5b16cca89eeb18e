/**
 * The integration kinds and their fields. Settings are returned; secret fields never are.
 */
import { invalidField } from './errors.js';
import type { IntegrationKind } from './types.js';

interface FieldSpec {
  type: 'string' | 'boolean';
  required: boolean;
  default?: boolean;
}

export interface KindSpec {
  settings: Record<string, FieldSpec>;
  secretFields: string[];
  /**
   * Splits a request's fields into settings (defaults applied, required ones checked) and
   * secrets (every secret field required); a field the kind does not declare is refused.
   */
  split(kind: IntegrationKind, fields: Record<string, unknown>): { settings: Record<string, unknown>; secrets: Record<string, string> };
}

function kind(settings: Record<string, FieldSpec>, secretFields: string[]): KindSpec {
  return {
    settings,
    secretFields,
    split(kindName, fields) {
      for (const name of Object.keys(fields)) {
        if (fields[name] !== undefined && !(name in settings) && !secretFields.includes(name)) throw invalidField(`body.${name}`, `is not a field of the ${kindName} integration`);
      }
      const out: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(settings)) {
        const v = fields[name] ?? spec.default;
        if (v === undefined || v === null || v === '') {
          if (spec.required) throw invalidField(`body.${name}`, 'is required');
          out[name] = null;
          continue;
        }
        if (typeof v !== spec.type) throw invalidField(`body.${name}`, `must be a ${spec.type}`);
        out[name] = v;
      }
      const secrets: Record<string, string> = {};
      for (const name of secretFields) {
        const v = fields[name];
        if (typeof v !== 'string' || v === '') throw invalidField(`body.${name}`, 'is required');
        secrets[name] = v;
      }
      return { settings: out, secrets };
    },
  };
}

const str = (required: boolean): FieldSpec => ({ type: 'string', required });
const flag = (d: boolean): FieldSpec => ({ type: 'boolean', required: false, default: d });

export const INTEGRATION_KINDS: Record<IntegrationKind, KindSpec> = {
  /** FactPulse PDP (Plateforme de Dématérialisation Partenaire): PDPConfigUpdateRequest. */
  pdp: kind({ isActive: flag(true), modeSandbox: flag(false), flowServiceUrl: str(true), tokenUrl: str(true), oauthClientId: str(true) }, ['clientSecret']),
  /** Chorus Pro through PISTE: OAuth client + the technical account. */
  'chorus-pro': kind({ isActive: flag(true), modeSandbox: flag(false), apiUrl: str(true), tokenUrl: str(true), oauthClientId: str(true), technicalLogin: str(true) }, [
    'clientSecret',
    'technicalPassword',
  ]),
};
