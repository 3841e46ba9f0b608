import type { ProductTier } from '../config/config';

/** Price tier of a product: `spark`, `bolt`, and every `storm-*` value bills as `storm`. */
export function productTier(product: string | null | undefined): ProductTier {
  if (product === 'bolt') return 'bolt';
  if (product != null && (product === 'storm' || product.startsWith('storm'))) return 'storm';
  return 'spark';
}

/** Rounded-up minutes of talk time; an answered call costs at least one minute. */
export function billableMinutes(talkMs: number): number {
  if (talkMs <= 0) return 1;
  return Math.ceil(talkMs / 60_000);
}

export interface CallCharge {
  billableMinutes: number;
  totalCents: number;
}

/** What a call costs: nothing when it never connected; minutes × the product's rate otherwise. */
export function callCharge(
  answered: boolean,
  talkMs: number,
  product: string | null | undefined,
  rateCentsPerMinute: Record<ProductTier, number>,
): CallCharge {
  if (!answered) return { billableMinutes: 0, totalCents: 0 };
  const minutes = billableMinutes(talkMs);
  return { billableMinutes: minutes, totalCents: minutes * rateCentsPerMinute[productTier(product)] };
}

/**
 * Whole minutes of talk the balance pays for at this rate (the balance guard ends the call when
 * the next minute would take the balance below zero).
 */
export function affordableMinutes(balanceCents: number, rateCentsPerMinute: number): number {
  if (rateCentsPerMinute <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.floor(balanceCents / rateCentsPerMinute));
}
