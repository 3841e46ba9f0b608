import type { ProductTier } from '../config/config';
import { billableMinutes } from '../billing/billable-minutes';

/** Price tier of a product: `spark`, `bolt`, and every `storm-*` value bills as `storm`. */
export function productTier(product: string | null | undefined): ProductTier {
  if (product === 'bolt') return 'bolt';
  if (product != null && (product === 'storm' || product.startsWith('storm'))) return 'storm';
  return 'spark';
}

export { billableMinutes };

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
