/**
 * One time limit for everything done while answering one request. Teams drops a message-extension answer
 * that takes more than 5 s, however the time was spent: a roster lookup, a search and a database write that
 * each had a budget of their own could add up past it. Every outside call on the answer path races the same
 * deadline instead, and whatever has not answered by then is answered without.
 */
export class Deadline {
  private constructor(private readonly at: number) {}

  /** `ms` from `start` (a Date.now() value; now when left out). */
  static after(ms: number, start = Date.now()): Deadline {
    return new Deadline(start + ms);
  }

  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  get passed(): boolean {
    return this.remainingMs === 0;
  }

  /**
   * A deadline for one step that must leave time for the steps after it: `fraction` of what is left now.
   * It never ends later than this one.
   */
  share(fraction: number): Deadline {
    return new Deadline(Date.now() + Math.floor(this.remainingMs * fraction));
  }

  /**
   * The work's result, or `fallback` once the deadline passes first. The work is not cancelled (a request in
   * flight cannot be taken back); a late failure is handed to `onLateError` instead of going unhandled.
   */
  async race<T, F>(work: Promise<T>, fallback: F, onLateError?: (error: unknown) => void): Promise<T | F> {
    if (this.passed) {
      work.catch((error: unknown) => onLateError?.(error));
      return fallback;
    }
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const expired = new Promise<F>((resolve) => {
      timer = setTimeout(() => {
        late = true;
        resolve(fallback);
      }, this.remainingMs);
    });
    const guarded = work.catch((error: unknown) => {
      if (!late) throw error;
      onLateError?.(error);
      return fallback;
    });
    try {
      return await Promise.race([guarded, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
