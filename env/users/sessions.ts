/**
 * Sessions and fatigue: the clock, the session in progress, and each user's
 * fatigue towards each advertiser.
 *
 * A session is a random number of page views (geometric with mean
 * `sessionLength`) by one user. Every ad shown raises the user's fatigue towards
 * its advertiser by `fatigueStep`; fatigue recovers exponentially with time
 * constant `fatigueRecovery` (in page views), lazily: it is stored as of the
 * tick the user was last seen and decayed on read.
 */

/** The clock, the current session and fatigue (part of a UserPopulation). */
export class Sessions {
  /** Fatigue towards each advertiser, `users × advertisers`, as of `lastSeen`. */
  readonly fatigue: Float32Array;
  /** Clock tick at which each user was last seen. */
  readonly lastSeen: Float64Array;
  /** The user of the current session (-1 before the first). */
  current = -1;
  /** Page views left in the current session. */
  sessionLeft = 0;
  /** Page views earlier in the current session. */
  sessionDepth = 0;
  /** Clock: number of page views so far. */
  tick = 0;
  /** Incremented at every new session (keys the click model's per-session cache). */
  stamp = 1;
  private readonly advertisers: number;
  private readonly fatigueStep: number;
  private readonly fatigueRecovery: number;
  /** The decay over one tick, exp(−1 / fatigueRecovery): the same number Math.exp gives for dt = 1 (a page view within a session), computed once. */
  private readonly decay1: number;

  constructor(users: number, advertisers: number, fatigueStep: number, fatigueRecovery: number) {
    this.advertisers = advertisers;
    this.fatigueStep = fatigueStep;
    this.fatigueRecovery = fatigueRecovery;
    this.decay1 = Math.exp(-1 / fatigueRecovery);
    this.fatigue = new Float32Array(users * advertisers);
    this.lastSeen = new Float64Array(users);
  }

  /** A new page view continuing the current session: @returns false when the session is over. */
  continueSession(): boolean {
    this.tick++;
    if (this.sessionLeft <= 0) return false;
    this.sessionLeft--;
    this.sessionDepth++;
    this.recover(this.current);
    return true;
  }

  /** Starts a session of `pages` page views (≥ 1) by `u`, on the tick {@link continueSession} moved to. */
  startSession(u: number, pages: number): void {
    this.recover(u);
    this.current = u;
    this.sessionDepth = 0;
    this.sessionLeft = pages - 1;
    this.stamp++;
  }

  /** Resets `u`'s fatigue (a new user). */
  clearUser(u: number): void {
    this.fatigue.fill(0, u * this.advertisers, (u + 1) * this.advertisers);
    this.lastSeen[u] = this.tick;
  }

  /** Lazily decays the user's fatigue to the current tick. */
  recover(u: number): void {
    const dt = this.tick - this.lastSeen[u]!;
    if (dt > 0) {
      const f = dt === 1 ? this.decay1 : Math.exp(-dt / this.fatigueRecovery);
      const M = this.advertisers;
      for (let m = u * M, end = m + M; m < end; m++) this.fatigue[m]! *= f;
      this.lastSeen[u] = this.tick;
    }
  }

  /** Records that `u` saw an ad of `advertiser` (fatigue up). */
  expose(u: number, advertiser: number): void {
    this.recover(u);
    this.fatigue[u * this.advertisers + advertiser]! += this.fatigueStep;
  }

  /** Fatigue of `u` towards `advertiser`, as of now. */
  fatigueOf(u: number, advertiser: number): number {
    const dt = this.tick - this.lastSeen[u]!;
    const f = this.fatigue[u * this.advertisers + advertiser]!;
    return dt > 0 ? f * (dt === 1 ? this.decay1 : Math.exp(-dt / this.fatigueRecovery)) : f;
  }
}
