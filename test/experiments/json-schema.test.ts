import { describe, expect, it } from 'vitest';
import { configJsonSchema, configReference, generatedFiles, REFERENCE_FILE, SCHEMA_FILE } from '../../experiments/json-schema.js';

describe('generated config schema and reference', () => {
  it('describes every top-level config field and refuses unknown ones', () => {
    const schema = configJsonSchema() as { title: string; properties: Record<string, { description?: string }>; additionalProperties?: unknown };
    expect(schema.title).toBe('bidgym experiment config');
    for (const k of ['name', 'seed', 'replications', 'episodes', 'evalEpisodes', 'auctionsPerEpisode', 'users', 'interestModel', 'exchange', 'bidders']) {
      expect(schema.properties[k], k).toBeDefined();
    }
    expect(schema.additionalProperties).toBe(false);
  });

  it('lists the fields in the reference and generates exactly the two files', () => {
    const ref = configReference();
    for (const k of ['auctionsPerEpisode', 'exchange.reservePrice', 'bidders']) expect(ref).toContain(k);
    const files = generatedFiles();
    expect(Object.keys(files).sort()).toEqual([REFERENCE_FILE, SCHEMA_FILE].sort());
    expect(JSON.parse(files[SCHEMA_FILE]!)).toEqual(configJsonSchema());
  });
});
