/**
 * A FIFO with a fixed capacity. A push into a full queue evicts the oldest item and counts it, so
 * producers never block and the newest data survives; `droppedTotal` is exported as a metric.
 */
export class BoundedQueue<T> {
  private readonly _items: T[] = [];
  private _dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Adds an item; returns the evicted oldest item when the queue was full. */
  push(item: T): T | undefined {
    this._items.push(item);
    if (this._items.length <= this.capacity) return undefined;
    this._dropped++;
    return this._items.shift();
  }

  peek(): T | undefined {
    return this._items[0];
  }

  shift(): T | undefined {
    return this._items.shift();
  }

  get length(): number {
    return this._items.length;
  }

  get droppedTotal(): number {
    return this._dropped;
  }
}
