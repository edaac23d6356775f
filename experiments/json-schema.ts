/**
 * JSON Schema of the config (for editors' autocompletion) and the field
 * reference in docs/config.md, both generated from the zod schema so they never
 * drift from what `bidgym validate` accepts.
 *
 *   npx bidgym schema            # rewrites experiments/config.schema.json and docs/config-reference.md
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** The config's JSON Schema (draft 2020-12), as accepted on input (defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'bidgym experiment config' };
}

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  oneOf?: Node[];
  anyOf?: Node[];
  additionalProperties?: Node | boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

function typeOf(n: Node): string {
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.enum) return n.enum.map((x) => JSON.stringify(x)).join(' \\| ');
  const t = Array.isArray(n.type) ? n.type.join(' \\| ') : (n.type ?? (n.oneOf || n.anyOf ? 'one of' : 'any'));
  const range: string[] = [];
  if (n.minimum !== undefined) range.push(`≥ ${n.minimum}`);
  if (n.exclusiveMinimum !== undefined) range.push(`> ${n.exclusiveMinimum}`);
  if (n.maximum !== undefined && n.maximum < Number.MAX_SAFE_INTEGER) range.push(`≤ ${n.maximum}`);
  if (n.exclusiveMaximum !== undefined) range.push(`< ${n.exclusiveMaximum}`);
  return range.length ? `${t} (${range.join(', ')})` : t;
}

function walk(n: Node, path: string, required: boolean, rows: string[]): void {
  const variants = n.oneOf ?? n.anyOf;
  if (variants && !n.properties) {
    for (const v of variants) {
      const kind = v.properties?.kind?.const;
      walk(v, kind !== undefined ? `${path} (kind: ${String(kind)})` : path, required, rows);
    }
    return;
  }
  if (n.properties) {
    const req = new Set(n.required ?? []);
    for (const [k, child] of Object.entries(n.properties)) {
      const p = path ? `${path}.${k}` : k;
      if (child.properties || child.oneOf || child.anyOf || child.items?.properties || child.items?.oneOf) {
        rows.push(`| \`${p}\` | ${child.type ?? 'object'} | ${req.has(k) ? 'required' : child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : 'optional'} | ${child.description ?? ''} |`);
        walk(child.items ?? child, child.items ? `${p}[]` : p, req.has(k), rows);
      } else {
        const def = req.has(k) ? 'required' : child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : 'optional';
        rows.push(`| \`${p}\` | ${typeOf(child.items ? { ...child.items, type: `list of ${typeOf(child.items)}` } : child)} | ${def} | ${child.description ?? ''} |`);
      }
    }
  }
}

/** The field reference (markdown table) of every config field. */
export function configReference(): string {
  const rows: string[] = [];
  walk(configJsonSchema() as Node, '', true, rows);
  return [
    '# Config reference',
    '',
    'Generated from the zod schema by `npx bidgym schema` (do not edit by hand). Every field is',
    'validated; unknown keys are errors. See [config.md](config.md) for a guide.',
    '',
    '| field | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Path of the generated JSON Schema, relative to the repository root. */
export const SCHEMA_FILE = 'experiments/config.schema.json';
/** Path of the generated field reference, relative to the repository root. */
export const REFERENCE_FILE = 'docs/config-reference.md';

/** The two generated files' contents, keyed by their paths. */
export function generatedFiles(): Record<string, string> {
  return { [SCHEMA_FILE]: `${JSON.stringify(configJsonSchema(), null, 2)}\n`, [REFERENCE_FILE]: configReference() };
}
