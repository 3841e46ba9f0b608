/**
 * Checks the tools JSON before it is sent: the shape of an inline function tool (API §7.3) and
 * that each `parameters` is a usable JSON Schema (an object schema whose properties are schemas
 * and whose `required` names existing properties). Messages use the API's dotted paths
 * (`tools.0.function.name`), so they read like the server's own field errors.
 */

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

type Problems = [string, string][];

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkJsonSchema(schema: unknown, path: string, out: Problems, depth = 0): void {
  if (depth > 20) return void out.push([path, 'Nested too deeply.']);
  if (!isObj(schema)) return void out.push([path, 'A JSON Schema must be an object.']);
  const t = schema.type;
  if (t !== undefined) {
    const types = Array.isArray(t) ? t : [t];
    for (const x of types)
      if (typeof x !== 'string' || !TYPES.has(x)) out.push([`${path}.type`, `Unknown type ${JSON.stringify(x)}.`]);
  }
  if (schema.properties !== undefined) {
    if (!isObj(schema.properties)) out.push([`${path}.properties`, 'Must be an object of schemas.']);
    else
      for (const [k, v] of Object.entries(schema.properties))
        checkJsonSchema(v, `${path}.properties.${k}`, out, depth + 1);
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || !schema.required.every((r) => typeof r === 'string'))
      out.push([`${path}.required`, 'Must be a list of property names.']);
    else {
      const props = isObj(schema.properties) ? schema.properties : {};
      for (const r of schema.required)
        if (!(r in props)) out.push([`${path}.required`, `"${r}" is not one of the properties.`]);
    }
  }
  if (schema.items !== undefined) checkJsonSchema(schema.items, `${path}.items`, out, depth + 1);
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0))
    out.push([`${path}.enum`, 'Must be a non-empty list.']);
}

/** Parses the editor's text: the tools, or the problems (path, message). */
export function checkTools(text: string): { tools?: unknown[]; problems: Problems } {
  const out: Problems = [];
  let value: unknown;
  try {
    value = text.trim() === '' ? [] : JSON.parse(text);
  } catch (err) {
    return { problems: [['tools', `Not valid JSON: ${(err as Error).message}`]] };
  }
  if (!Array.isArray(value)) return { problems: [['tools', 'Must be a JSON list of tools ([] for none).']] };
  const names = new Set<string>();
  value.forEach((tool, i) => {
    const p = `tools.${i}`;
    if (!isObj(tool)) return void out.push([p, 'Each tool must be an object.']);
    if (tool.type !== 'function') out.push([`${p}.type`, 'Must be "function".']);
    const fn = tool.function;
    if (!isObj(fn)) out.push([`${p}.function`, 'Required: {name, description, parameters}.']);
    else {
      if (typeof fn.name !== 'string' || !NAME.test(fn.name))
        out.push([`${p}.function.name`, 'Letters, digits, _ or -, at most 64.']);
      else if (names.has(fn.name)) out.push([`${p}.function.name`, `Another tool is already named ${fn.name}.`]);
      else names.add(fn.name);
      if (typeof fn.description !== 'string' || fn.description.trim() === '')
        out.push([`${p}.function.description`, 'Say what the tool does: the model reads it.']);
      if (fn.parameters === undefined) out.push([`${p}.function.parameters`, 'Required (a JSON Schema).']);
      else {
        checkJsonSchema(fn.parameters, `${p}.function.parameters`, out);
        if (isObj(fn.parameters) && fn.parameters.type !== 'object')
          out.push([`${p}.function.parameters.type`, 'The parameters schema must be of type "object".']);
      }
    }
    const ep = tool.endpoint;
    if (!isObj(ep)) out.push([`${p}.endpoint`, 'Required: {url, method, headers}.']);
    else {
      if (typeof ep.url !== 'string' || !/^https?:\/\//.test(ep.url))
        out.push([`${p}.endpoint.url`, 'An http(s) URL.']);
      if (ep.method !== undefined && (typeof ep.method !== 'string' || !METHODS.has(ep.method.toUpperCase())))
        out.push([`${p}.endpoint.method`, 'GET, POST, PUT, PATCH or DELETE.']);
      if (
        ep.headers !== undefined &&
        (!isObj(ep.headers) || !Object.values(ep.headers).every((h) => typeof h === 'string'))
      )
        out.push([`${p}.endpoint.headers`, 'An object of string values.']);
    }
  });
  return out.length > 0 ? { problems: out } : { tools: value, problems: [] };
}

export const TOOL_TEMPLATE = {
  type: 'function',
  function: {
    name: 'check_order',
    description: 'Look up an order by its id',
    parameters: { type: 'object', properties: { id: { type: 'string', description: 'Order id' } }, required: ['id'] },
  },
  endpoint: { url: 'https://api.example.com/orders', method: 'POST', headers: {} },
};
