/**
 * Per-subject accounting on one tunnel: how many sessions a subject holds open and how many of
 * its requests are forwarded or waiting. One token holder must not be able to take a tunnel's
 * every session (with a stdio upstream, each is a process) or every in-flight slot and the queue.
 * A subject's counters are shared by all its sessions and forgotten when both reach zero, so the
 * table holds only subjects with something open.
 */
export interface SubjectQuota {
  sessions: number;
  requests: number;
}

export class SubjectQuotas {
  private readonly bySubject = new Map<string, SubjectQuota>();

  /** The counters of `subject` on `tunnel` (created at zero; call `release` when done). */
  get(tunnel: string, subject: string): SubjectQuota {
    const k = `${tunnel} ${subject}`; // a tunnel id has no space, so the key is unambiguous
    let q = this.bySubject.get(k);
    if (!q) this.bySubject.set(k, (q = { sessions: 0, requests: 0 }));
    return q;
  }

  /** Sessions `subject` holds on `tunnel` (0 when none). */
  sessions(tunnel: string, subject: string): number {
    return this.bySubject.get(`${tunnel} ${subject}`)?.sessions ?? 0;
  }

  /** Forgets the subject once nothing of it is open. */
  release(tunnel: string, subject: string, q: SubjectQuota): void {
    if (q.sessions <= 0 && q.requests <= 0) this.bySubject.delete(`${tunnel} ${subject}`);
  }

  get size(): number {
    return this.bySubject.size;
  }
}
