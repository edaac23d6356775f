/**
 * Human names, with units, for the figures of summary.json and for the config
 * paths a sweep varies: what the report's axes, legends and tables show instead
 * of `utilityPerAuction` or `exchange.reservePrice`.
 *
 * Figures and paths not listed here get a readable fallback (camelCase split into
 * words, list indices as "bidder N"), so a new figure never shows as raw code.
 */

/** A figure's words and its unit (empty when it has none: counts of things named in the words, ratios). */
interface Named {
  words: string;
  unit: string;
}

const CURRENCY_PER_AUCTION = 'currency per auction';
const PER_EPISODE = 'per evaluation episode';

/** The figures of summary.json (market and bidders). */
const FIGURES: Record<string, Named> = {
  revenuePerAuction: { words: 'revenue', unit: CURRENCY_PER_AUCTION },
  welfarePerAuction: { words: 'welfare', unit: CURRENCY_PER_AUCTION },
  publisherPayoutPerAuction: { words: 'paid to publishers', unit: CURRENCY_PER_AUCTION },
  exchangeFeePerAuction: { words: 'exchange fee', unit: CURRENCY_PER_AUCTION },
  auctionsPerEpisode: { words: 'auctions', unit: PER_EPISODE },
  utilityPerAuction: { words: 'utility', unit: CURRENCY_PER_AUCTION },
  objectivePerAuction: { words: 'objective', unit: 'per auction' },
  bidToValue: { words: 'bid / value', unit: 'ratio' },
  winRate: { words: 'win rate', unit: 'share of auctions entered' },
  spend: { words: 'spend', unit: `currency ${PER_EPISODE}` },
  value: { words: 'value won', unit: `currency ${PER_EPISODE}` },
  clicks: { words: 'clicks', unit: PER_EPISODE },
  conversions: { words: 'conversions', unit: PER_EPISODE },
  participations: { words: 'auctions entered', unit: PER_EPISODE },
  regretPerAuction: { words: 'regret to the hindsight optimum', unit: CURRENCY_PER_AUCTION },
  overbidRegretPerAuction: { words: 'regret from overbidding', unit: CURRENCY_PER_AUCTION },
  underbidRegretPerAuction: { words: 'regret from underbidding', unit: CURRENCY_PER_AUCTION },
  fixedMultiplier: { words: 'best fixed bid multiplier in hindsight', unit: '× value' },
  fixedMultiplierUtilityPerAuction: { words: 'utility of the best fixed multiplier', unit: CURRENCY_PER_AUCTION },
  fixedMultiplierValue: { words: 'value of the best fixed multiplier', unit: `currency ${PER_EPISODE}` },
  regretToFixedMultiplierPerAuction: { words: 'regret to the best fixed multiplier', unit: CURRENCY_PER_AUCTION },
  regretToFixedMultiplier: { words: 'regret to the best fixed multiplier', unit: `currency ${PER_EPISODE}` },
  pctrOverCtrWon: { words: 'predicted / true CTR, impressions won', unit: 'ratio' },
  pctrOverCtrAll: { words: 'predicted / true CTR, all auctions', unit: 'ratio' },
  competitiveRatio: { words: 'competitive ratio', unit: 'share of the hindsight optimum' },
  budgetSpent: { words: 'budget spent', unit: 'share of the budget' },
};

/** Config paths a sweep commonly varies (list indices written as `*`). */
const PARAMS: Record<string, Named> = {
  'exchange.reservePrice': { words: 'reserve price', unit: 'currency' },
  'exchange.mechanism': { words: 'auction mechanism', unit: '' },
  'exchange.slots': { words: 'ad slots per auction', unit: '' },
  'exchange.participantsPerAuction': { words: 'bidders asked per auction', unit: '' },
  'exchange.publisherShare': { words: 'publishers’ share of payments', unit: '' },
  'exchange.publishers': { words: 'publishers', unit: '' },
  'users.count': { words: 'users', unit: '' },
  'users.coldStartShare': { words: 'share of sessions by new users', unit: '' },
  'users.sessionLength': { words: 'mean session length', unit: 'page views' },
  'users.historyLength': { words: 'history length', unit: 'items' },
  'users.baseCtr': { words: 'base CTR', unit: '' },
  'users.fatigueWeight': { words: 'fatigue weight', unit: 'logit per unit of fatigue' },
  'users.fatigueRecovery': { words: 'fatigue recovery time', unit: 'auctions' },
  'users.positionDecay': { words: 'click decay per slot', unit: '' },
  'interestModel.kind': { words: 'interest model', unit: '' },
  auctionsPerEpisode: { words: 'auctions per episode', unit: '' },
  episodes: { words: 'training episodes', unit: '' },
  evalEpisodes: { words: 'evaluation episodes', unit: '' },
  'bidders.*.agent.kind': { words: 'agent', unit: '' },
  'bidders.*.budget': { words: 'budget', unit: 'currency per episode' },
  'bidders.*.copies': { words: 'copies', unit: '' },
  'bidders.*.value.amount': { words: 'value per event', unit: 'currency' },
};

/** Splits camelCase into lower-case words: "utilityPerAuction" → "utility per auction". */
export function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function withUnit(n: Named): string {
  return n.unit ? `${n.words} (${n.unit})` : n.words;
}

/** A figure's name in words, without its unit: "revenue", "win rate". */
export function figureName(figure: string): string {
  return FIGURES[figure]?.words ?? words(figure);
}

/** A figure's axis title: its name and unit, e.g. "revenue (currency per auction)". */
export function figureTitle(figure: string): string {
  const n = FIGURES[figure];
  return n ? withUnit(n) : words(figure);
}

/**
 * A swept config path in words, with its unit where it has one:
 * `exchange.reservePrice` → "reserve price (currency)",
 * `bidders.0.agent.kind` → "agent of bidder 1".
 */
export function paramTitle(path: string): string {
  const parts = path.split('.');
  const generic = parts.map((p) => (/^\d+$/.test(p) ? '*' : p)).join('.');
  const n = PARAMS[path] ?? PARAMS[generic];
  const index = parts.findIndex((p) => /^\d+$/.test(p));
  const of = index > 0 ? ` of ${parts[index - 1] === 'bidders' ? 'bidder' : words(parts[index - 1]!)} ${Number(parts[index]) + 1}` : '';
  if (n) return n.unit ? `${n.words}${of} (${n.unit})` : `${n.words}${of}`;
  // Fallback: the last named part in words, with its section ("fatigue step (users)").
  const named = parts.filter((p) => !/^\d+$/.test(p));
  const last = words(named[named.length - 1] ?? path);
  const section = named.length > 1 && index < 0 ? ` (${words(named[0]!)})` : '';
  return `${last}${of}${section}`;
}

/** Longest axis title kept on one line (a rotated y title longer than the plot would push the plot down). */
const ONE_LINE = 34;

/** An axis title: `words (unit)` on one line, or words and unit on two lines when that is too long. */
function axisTitle(title: string): string | string[] {
  if (title.length <= ONE_LINE) return title;
  const m = /^(.*) (\([^()]*\))$/.exec(title);
  return m ? [m[1]!, m[2]!] : title;
}

/** A figure's axis title with its unit ({@link figureTitle}), split over two lines when long. */
export function figureAxisTitle(figure: string): string | string[] {
  return axisTitle(figureTitle(figure));
}

/** A swept path's axis title ({@link paramTitle}), split over two lines when long. */
export function paramAxisTitle(path: string): string | string[] {
  return axisTitle(paramTitle(path));
}
