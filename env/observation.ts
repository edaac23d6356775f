/**
 * What a bidder sees before it bids: a fixed vector of named features.
 *
 * Observations are `Float64Array`s indexed by {@link OBS}; policy files list these
 * names so that a strategy team can build observations from their own data.
 * The market reuses one array per bidder: copy an observation to keep it.
 */

/** One observation feature: name, unit and range. */
export interface FeatureSpec {
  name: string;
  unit: string;
  low: number;
  high: number;
  description: string;
}

/** The observation features, in order. */
export const OBS_FEATURES = [
  { name: 'value', unit: 'currency', low: 0, high: Infinity, description: 'expected value of the impression in the top slot to this bidder: private value, or value per event × pCTR (× pCVR); a truthful bid' },
  { name: 'pctr', unit: 'probability', low: 0, high: 1, description: 'predicted click probability in the top slot (1 in private-value markets)' },
  { name: 'pcvr', unit: 'probability', low: 0, high: 1, description: 'conversion probability given a click (1 when the value is not per conversion)' },
  { name: 'valuePerEvent', unit: 'currency', low: 0, high: Infinity, description: 'value of one click / conversion, or the private value' },
  { name: 'budgetLeft', unit: 'fraction', low: 0, high: 1, description: 'share of the episode budget not yet spent (1 without a budget)' },
  { name: 'timeLeft', unit: 'fraction', low: 0, high: 1, description: "share of the episode's auctions still to come" },
  { name: 'coldStart', unit: 'flag', low: 0, high: 1, description: '1 when the user has no history yet' },
  { name: 'historyFill', unit: 'fraction', low: 0, high: 1, description: "length of the user's history over its capacity" },
  { name: 'sessionDepth', unit: 'page views', low: 0, high: Infinity, description: 'page views earlier in this session' },
  { name: 'fatigue', unit: 'exposures', low: 0, high: Infinity, description: "the user's fatigue towards this advertiser (decayed exposure count)" },
  { name: 'reservePrice', unit: 'currency', low: 0, high: Infinity, description: 'reserve price of the auction' },
] as const satisfies readonly FeatureSpec[];

/** Feature name → index in an observation. */
export const OBS = {
  value: 0,
  pctr: 1,
  pcvr: 2,
  valuePerEvent: 3,
  budgetLeft: 4,
  timeLeft: 5,
  coldStart: 6,
  historyFill: 7,
  sessionDepth: 8,
  fatigue: 9,
  reservePrice: 10,
} as const;

/** Number of observation features. */
export const OBS_SIZE = OBS_FEATURES.length;

/** Name of an observation feature. */
export type ObsFeature = keyof typeof OBS;

/** Builds an observation from a record of named features (missing ones are 0, except budgetLeft/timeLeft/pctr/pcvr = 1). */
export function observationFrom(features: Partial<Record<ObsFeature, number>>): Float64Array {
  const o = new Float64Array(OBS_SIZE);
  o[OBS.pctr] = 1;
  o[OBS.pcvr] = 1;
  o[OBS.budgetLeft] = 1;
  o[OBS.timeLeft] = 1;
  for (const [k, v] of Object.entries(features)) {
    const i = (OBS as Record<string, number>)[k];
    if (i === undefined) throw new Error(`observation: unknown feature "${k}"; expected one of ${Object.keys(OBS).join(', ')}`);
    o[i] = v as number;
  }
  return o;
}
