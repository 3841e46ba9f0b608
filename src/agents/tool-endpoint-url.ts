import type { PrivateTargetPolicy } from '../net/address-policy';
import { targetHostProblem } from '../net/target-host';

/**
 * Save-time address check of inline tools' `endpoint.url` (agents, inline call configs,
 * call.incoming answers), as webhook URLs are checked: no credentials in the URL, no loopback
 * under ALLOW_PRIVATE_TARGETS=none, no private address literal unless it is `all`. The shape of
 * each tool is parseInlineTools' job; this only adds messages for URLs that parse. Tool calls
 * are checked again (after DNS) when they are made.
 */
export function checkToolEndpointUrls(
  rawTools: unknown,
  field: string,
  policy: PrivateTargetPolicy,
  add: (field: string, message: string) => void,
): void {
  if (!Array.isArray(rawTools)) return;
  rawTools.forEach((tool: unknown, i) => {
    const raw = (tool as { endpoint?: { url?: unknown } } | null)?.endpoint?.url;
    if (typeof raw !== 'string') return;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const problem =
      url.username !== '' || url.password !== ''
        ? 'URLs with credentials are not allowed.'
        : targetHostProblem(url, policy);
    if (problem !== null) add(`${field}.${i}.endpoint.url`, problem);
  });
}
