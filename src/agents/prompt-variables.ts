/** Scalar values a `variables` object of POST /v1/call may hold. */
export type PromptVariables = Record<string, string | number | boolean | null>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders (whitespace inside the braces allowed) from `variables`.
 * Placeholders without a variable are LEFT AS-IS, so a missing variable stays visible in the
 * prompt (and to the model) instead of silently vanishing; `null` fills an empty string.
 * Values are inserted literally: a value containing `{{x}}` is not expanded again.
 */
export function fillPromptVariables(prompt: string, variables: PromptVariables | undefined): string {
  if (!variables) return prompt;
  return prompt.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) return whole;
    const value = variables[name];
    return value === null || value === undefined ? '' : String(value);
  });
}

/** Placeholder names used in a prompt, in order of first use. */
export function promptPlaceholders(prompt: string): string[] {
  const seen = new Set<string>();
  for (const m of prompt.matchAll(PLACEHOLDER)) if (m[1]) seen.add(m[1]);
  return [...seen];
}
