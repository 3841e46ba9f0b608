/** The six current products (thunderphone-api.md §7.2). */
export const PRODUCTS = [
  'spark',
  'bolt',
  'storm-base',
  'storm-base-with-ack',
  'storm-extra',
  'storm-extra-with-ack',
] as const;
export type Product = (typeof PRODUCTS)[number];
export type ThinkingLevel = 'base' | 'extra';

export const DEFAULT_PRODUCT: Product = 'spark';

export const isProduct = (v: unknown): v is Product =>
  typeof v === 'string' && (PRODUCTS as readonly string[]).includes(v);

/** `base`/`extra` for Storm tiers, null otherwise. */
export function thinkingLevelOf(product: Product): ThinkingLevel | null {
  if (product.startsWith('storm-extra')) return 'extra';
  if (product.startsWith('storm-base')) return 'base';
  return null;
}

/** Ambient audio tracks; null means silence. */
export const BACKGROUND_TRACKS = ['CALL_CENTER'] as const;
export const isBackgroundTrack = (v: unknown): boolean =>
  typeof v === 'string' && (BACKGROUND_TRACKS as readonly string[]).includes(v);
