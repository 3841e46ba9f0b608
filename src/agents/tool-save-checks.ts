import type { PrivateTargetPolicy } from '../net/address-policy';
import { targetHostProblem } from '../net/target-host';
import { jsonProblems } from '../shared/json-limits';

/** JSON Schema nesting allowed in a tool's `function.parameters`. */
export const MAX_TOOL_PARAMETERS_DEPTH = 32;

/**
 * Save-time checks of inline tools (agents, inline call configs, call.incoming answers) beyond
 * their shape (parseInlineTools' job): `endpoint.url` is checked as webhook URLs are — no
 * credentials, no loopback under ALLOW_PRIVATE_TARGETS=none, no private address literal unless
 * it is `all` (tool calls are checked again, after DNS, when they are made) — and
 * `function.parameters` may nest at most MAX_TOOL_PARAMETERS_DEPTH levels.
 */
export function checkToolsForSave(
  rawTools: unknown,
  field: string,
  policy: PrivateTargetPolicy,
  add: (field: string, message: string) => void,
): void {
  if (!Array.isArray(rawTools)) return;
  rawTools.forEach((tool: unknown, i) => {
    const t = (tool ?? {}) as { endpoint?: { url?: unknown }; function?: { parameters?: unknown } };
    const parameters = t.function?.parameters;
    const deep = jsonProblems(parameters, MAX_TOOL_PARAMETERS_DEPTH).find((p) => p.message.startsWith('Nested'));
    if (deep) add(`${field}.${i}.function.parameters`, deep.message);
    const problem = urlProblem(t.endpoint?.url, policy);
    if (problem !== null) add(`${field}.${i}.endpoint.url`, problem);
  });
}

function urlProblem(raw: unknown, policy: PrivateTargetPolicy): string | null {
  if (typeof raw !== 'string') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return 'URLs with credentials are not allowed.';
  return targetHostProblem(url, policy);
}
