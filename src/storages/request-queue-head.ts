import type { RequestQueueClient } from '../client/types.js';

/** How many requests one `listAndLockHead` call locks. */
const LOCK_BATCH = 25;

/**
 * The requests a `RequestQueue` instance has locked and not handed out yet, in queue order, as
 * Crawlee keeps its queue head: refilled 25 at a time, locks renewed when a request waited long,
 * given back when a forefront request was added meanwhile.
 */
export class LocalHead {
  private ids: string[] = [];
  private readonly lockExpiry = new Map<string, number>();
  private refill: Promise<void> | undefined;
  /** What the last `listAndLockHead` said: does any consumer hold locks? */
  queueHasLockedRequests: boolean | undefined;
  /** Set when a forefront request was added: what was prefetched must be fetched again. */
  private stale = false;

  constructor(
    private readonly client: RequestQueueClient,
    private readonly lockSecs: number,
  ) {}

  get length(): number {
    return this.ids.length;
  }

  /** Marks the prefetched requests out of date (a forefront request should come first now). */
  forefrontAdded(): void {
    this.stale = true;
  }

  /** Locks the next requests when the head is empty or out of date (one call at a time). */
  ensure(skip: (id: string) => boolean): Promise<void> {
    if (this.ids.length > 0 && !this.stale) return Promise.resolve();
    this.refill ??= this.fill(skip).finally(() => {
      this.refill = undefined;
    });
    return this.refill;
  }

  private async fill(skip: (id: string) => boolean): Promise<void> {
    if (this.stale) {
      // Give back what was prefetched (it keeps its place), so a new forefront request comes first.
      this.stale = false;
      for (const id of this.ids.splice(0)) await this.giveBack(id);
    }
    const locked = await this.client.listAndLockHead({ limit: LOCK_BATCH, lockSecs: this.lockSecs });
    this.queueHasLockedRequests = locked.queueHasLockedRequests;
    for (const item of locked.items) {
      if (skip(item.id) || this.ids.includes(item.id)) continue;
      this.ids.push(item.id);
      this.lockExpiry.set(item.id, item.lockExpiresAt?.getTime() ?? Date.now() + this.lockSecs * 1000);
    }
  }

  private async giveBack(id: string): Promise<void> {
    this.lockExpiry.delete(id);
    try {
      await this.client.deleteRequestLock(id);
    } catch {
      // The lock already lapsed or went to another client: the request is free either way.
    }
  }

  /** The next id whose lock this instance still holds (renewed if it waited); `undefined` when empty. */
  async take(): Promise<string | undefined> {
    for (let id = this.ids.shift(); id !== undefined; id = this.ids.shift()) {
      if (await this.keepLock(id)) return id;
    }
    return undefined;
  }

  private async keepLock(id: string): Promise<boolean> {
    const expiry = this.lockExpiry.get(id) ?? 0;
    if (expiry - Date.now() > (this.lockSecs * 1000) / 2) return true;
    try {
      const { lockExpiresAt } = await this.client.prolongRequestLock(id, { lockSecs: this.lockSecs });
      this.lockExpiry.set(id, lockExpiresAt.getTime());
      return true;
    } catch {
      this.lockExpiry.delete(id); // another client holds it now, or it was handled meanwhile
      return false;
    }
  }

  /** Forgets a request (handled, reclaimed or gone). */
  forget(id: string): void {
    this.lockExpiry.delete(id);
    const at = this.ids.indexOf(id);
    if (at !== -1) this.ids.splice(at, 1);
  }

  clear(): void {
    this.ids = [];
    this.lockExpiry.clear();
  }
}
