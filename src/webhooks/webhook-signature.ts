import { canonicalJson } from '../shared/canonical-json';

export { canonicalJson, signBody } from '../shared/canonical-json';

/** The envelope every webhook carries: `{"data":{...},"type":"..."}` (sorted keys). */
export function envelopeBytes(type: string, data: unknown): string {
  return canonicalJson({ type, data });
}
