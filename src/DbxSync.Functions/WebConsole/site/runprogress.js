import { bytes } from './dom.js';

/**
 * A running sync's progress as ./dbxsync run shows it: counts, bytes, rate and ETA. The rate is a moving average over
 * about 5 s of the server's own clock (progress.updated_at), so the ETA does not jump; a new stage starts over. No ETA
 * while the total is unknown or nothing moves. Bytes drive the bar when their total is known (files, a file being
 * validated), else the count (an export's rows).
 */
export class ProgressRate {
  constructor() { this.first = null; this.last = null; this.items = null; this.bytes = null; }

  add(p) {
    if (!p) return;
    const s = { ...p, at: Date.parse(p.updated_at ?? '') || Date.now() };
    const last = this.last;
    if (last && last.stage === s.stage && last.unit === s.unit) {
      const dt = (s.at - last.at) / 1000;
      if (dt <= 0) return;
      if (this.items === null) {
        const span = (s.at - this.first.at) / 1000;
        if (span >= 1) { this.items = (s.done - this.first.done) / span; this.bytes = (s.bytes - this.first.bytes) / span; }
      } else {
        const w = 1 - Math.exp(-dt / 5);
        this.items += w * ((s.done - last.done) / dt - this.items);
        this.bytes += w * ((s.bytes - last.bytes) / dt - this.bytes);
      }
      this.last = s;
      return;
    }
    this.first = s; this.last = s; this.items = null; this.bytes = null;
  }

  get byBytes() { return this.last?.bytes_total !== null && this.last?.bytes_total !== undefined; }

  /** 0..1, or null when the total is unknown. */
  get fraction() {
    const s = this.last;
    if (!s) return null;
    if (this.byBytes) return s.bytes_total > 0 ? Math.min(1, s.bytes / s.bytes_total) : null;
    return s.total > 0 ? Math.min(1, s.done / s.total) : null;
  }

  /** Seconds left, counted down from the last value's time; null when it cannot be known. */
  remaining(now = Date.now()) {
    const s = this.last;
    if (!s) return null;
    let left = null;
    if (this.byBytes && this.bytes > 0) left = Math.max(0, s.bytes_total - s.bytes) / this.bytes;
    else if (!this.byBytes && s.total !== null && s.total !== undefined && this.items > 0) left = Math.max(0, s.total - s.done) / this.items;
    return left === null ? null : Math.max(0, left - (now - s.at) / 1000);
  }

  describe(now = Date.now()) {
    const s = this.last;
    if (!s) return 'Waiting for the run to start…';
    const known = s.total !== null && s.total !== undefined;
    // Nothing counted yet and no total (a statement running on the warehouse): the stage alone says what it waits for.
    const parts = [s.done === 0 && !known ? s.stage : `${s.stage} ${s.done.toLocaleString()}${known ? '/' + s.total.toLocaleString() : ''} ${s.unit}`];
    if (s.bytes > 0 || (s.bytes_total !== null && s.bytes_total !== undefined)) parts.push(bytes(s.bytes) + (s.bytes_total !== null && s.bytes_total !== undefined ? ` of ${bytes(s.bytes_total)}` : ''));
    if (this.byBytes && this.bytes > 0) parts.push(`${bytes(Math.round(this.bytes))}/s`);
    else if (this.items > 0) parts.push(`${Math.round(this.items).toLocaleString()} ${s.unit}/s`);
    const left = this.remaining(now);
    if (left !== null) parts.push(`ETA ${eta(left)}`);
    return parts.join(' · ');
  }
}

function eta(seconds) {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** Draws one progress value into the run view's bar and status line. */
export function drawProgress(rate, bar, stage) {
  const f = rate.fraction;
  if (f === null) bar.removeAttribute('value'); else { bar.max = 1; bar.value = f; }
  stage.textContent = rate.describe();
}
