import type { ApiDeps } from '../deps';
import type { NumbersDeps } from '../../numbers/numbers-deps';

export const numbersDepsOf = (d: ApiDeps): NumbersDeps => ({
  db: d.store.db,
  clock: d.clock,
  ids: d.ids,
  secretBox: d.secretBox,
  secretKey: d.config.secretKey,
  trunkVerifier: d.trunkVerifier,
  demoNumbers: d.config.demoNumbers,
});
