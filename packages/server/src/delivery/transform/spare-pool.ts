/**
 * Engine instances that can be replaced at once: one in use and one spare.
 * Making an instance is asynchronous (WebAssembly instantiation) while
 * compiling and calling transforms is not, so the replacement is made ahead
 * of time: a retired instance is dropped for good, the spare takes its place
 * in the same turn, and the next spare is made in the background.
 */
export class SparePool<T> {
  private loading: Promise<void> | null = null;
  private loadError: string | null = null;
  private closed = false;
  /** Instances retired so far. */
  retired = 0;

  private constructor(
    private readonly make: () => Promise<T>,
    private active: T | null,
    private spare: T | null,
  ) {}

  static async start<T>(make: () => Promise<T>): Promise<SparePool<T>> {
    const [active, spare] = await Promise.all([make(), make()]);
    return new SparePool(make, active, spare);
  }

  /** The instance to use; null while a replacement is still being made (or after close). */
  get current(): T | null {
    if (this.active === null) this.refill();
    return this.active;
  }

  /** Why there is no current instance. */
  get unavailableReason(): string {
    if (this.closed) return 'the sandbox is closed';
    return this.loadError ?? 'it is restarting';
  }

  get hasSpare(): boolean {
    return this.spare !== null;
  }

  /** Stops using `instance` (a spare it was never given back is dropped too). */
  retire(instance: T): void {
    if (instance === this.active) {
      this.active = this.spare;
      this.spare = null;
    } else if (instance === this.spare) {
      this.spare = null;
    } else {
      return;
    }
    this.retired++;
    this.refill();
  }

  /** Resolves once no replacement is being made. */
  async settled(): Promise<void> {
    while (this.loading) await this.loading;
  }

  /** Stops for good; returns the instances still held, for the caller to free. */
  close(): T[] {
    this.closed = true;
    const held = [this.active, this.spare].filter((i): i is T => i !== null);
    this.active = null;
    this.spare = null;
    return held;
  }

  private refill(): void {
    if (this.closed || this.loading || (this.active && this.spare)) return;
    this.loading = this.make().then(
      (instance) => {
        this.loading = null;
        this.loadError = null;
        if (this.closed) return;
        if (this.active === null) this.active = instance;
        else this.spare = instance;
        this.refill();
      },
      (err: unknown) => {
        // Tried again on the next use or retirement.
        this.loading = null;
        this.loadError = `it could not start: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  }
}
