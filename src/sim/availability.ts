/**
 * When the tunnel is unreachable: outage windows (relay, connector or server down) and token
 * expiries (the connector is dropped and re-authenticates). After a relay or connector outage the
 * connector redials with exponential backoff and full jitter from the outage's start; the first
 * dial at or after the window's end succeeds, so the tunnel returns a little after the outage.
 * The timeline is fixed at world creation (token expiries are periodic and computed on demand),
 * identical for every policy.
 */
import { streamRng } from '../kernel/rng.js';
import type { FaultModel } from '../model/faults.js';

export interface DownWindow {
  from: number;
  /** When the tunnel is usable again (after reconnect). */
  until: number;
}

export class Availability {
  readonly windows: DownWindow[] = [];
  private readonly expiries: { every?: number; at?: number; reauth: number }[];

  constructor(faults: FaultModel, seed: number, reconnectBase: number, reconnectMax: number) {
    faults.outages.forEach((o, i) => {
      let until = o.to;
      if (o.target !== 'server') {
        const rng = streamRng(seed, `reconnect:${i}`);
        let t = o.from;
        for (let k = 0; ; k++) {
          t += rng.next() * Math.min(reconnectMax, reconnectBase * 2 ** k);
          if (t >= o.to) break;
        }
        until = t;
      }
      this.windows.push({ from: o.from, until });
    });
    this.expiries = faults.expiries;
    for (const e of this.expiries) if (e.at !== undefined) this.windows.push({ from: e.at, until: e.at + e.reauth });
    this.windows.sort((a, b) => a.from - b.from);
  }

  isDown(t: number): boolean {
    for (const w of this.windows) if (t >= w.from && t < w.until) return true;
    for (const e of this.expiries) {
      if (e.every === undefined || t < e.every) continue;
      if (t % e.every < e.reauth) return true;
    }
    return false;
  }

  /** The next moment after `t` when the connector drops (a window opens), or Infinity. */
  nextDrop(t: number): number {
    let next = Infinity;
    for (const w of this.windows) if (w.from > t && w.from < next) next = w.from;
    for (const e of this.expiries) {
      if (e.every === undefined) continue;
      const k = Math.max(1, Math.floor(t / e.every) + 1);
      const at = k * e.every;
      if (at < next) next = at;
    }
    return next;
  }
}
