/**
 * The last `capacity` absolute residuals of a model: a ring buffer, plus, from the first time
 * someone asks for them in order, the same values kept sorted (insert and remove by binary
 * search), so each new value costs a shift rather than a sort.
 */
export class RollingResiduals {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  private sorted: Float64Array | null = null;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.capacity) {
      const evicted = this.ring[this.head]!;
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
      if (this.sorted !== null) this.replaceSorted(evicted, value);
    } else {
      this.ring[(this.head + this.count) % this.capacity] = value;
      this.count++;
      if (this.sorted !== null) this.insertSorted(value);
    }
  }

  /** The values in ascending order (kept up to date from the first call on). */
  ascending(): Float64Array {
    if (this.sorted === null) {
      this.sorted = new Float64Array(this.capacity);
      for (let i = 0; i < this.count; i++) this.sorted[i] = this.ring[(this.head + i) % this.capacity]!;
      this.sorted.subarray(0, this.count).sort();
    }
    return this.sorted.subarray(0, this.count);
  }

  values(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.head + i) % this.capacity]!);
    return out;
  }

  copyFrom(other: RollingResiduals): void {
    this.ring.set(other.ring);
    this.head = other.head;
    this.count = other.count;
    this.sorted = null;
  }

  private lowerBound(value: number, end: number): number {
    const s = this.sorted!;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertSorted(value: number): void {
    const s = this.sorted!;
    const n = this.count - 1; // already counted
    const at = this.lowerBound(value, n);
    s.copyWithin(at + 1, at, n);
    s[at] = value;
  }

  private replaceSorted(evicted: number, value: number): void {
    const s = this.sorted!;
    const n = this.count;
    let at = this.lowerBound(evicted, n);
    // remove evicted at `at`, then insert value
    s.copyWithin(at, at + 1, n);
    at = this.lowerBound(value, n - 1);
    s.copyWithin(at + 1, at, n - 1);
    s[at] = value;
  }
}
