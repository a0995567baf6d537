/**
 * "Handled" as a watermark: positions are handed out in increasing order, and
 * a delivery is done when handled, failed or dead. A {@linkcode Watermark}
 * keeps the positions not yet done and says through which position
 * everything is done — what is written instead of a row update per delivery.
 */

/** The done-through position of one sequence of positions (one receiver's, or all). */
export class Watermark {
  /** Outstanding positions in increasing order; `done` ones are skipped from the head. */
  #queue: number[] = [];
  #head = 0;
  readonly #done = new Set<number>();
  #last: number;

  /** `through`: everything at or before it is done already. */
  constructor(through = 0) {
    this.#last = through;
  }

  /** A new delivery at `id` (normally above every earlier one). */
  open(id: number): void {
    const q = this.#queue;
    if (q.length === this.#head || id > q[q.length - 1]!) q.push(id);
    else {
      // Out of order (a redelivery after new traffic): keep the queue sorted.
      let i = q.length;
      while (i > this.#head && q[i - 1]! > id) i--;
      if (q[i - 1] === id && i > this.#head) return;
      q.splice(i, 0, id);
    }
    if (id > this.#last) this.#last = id;
  }

  /** The delivery at `id` is done. Returns whether the watermark moved. */
  close(id: number): boolean {
    const q = this.#queue;
    if (q[this.#head] !== id) {
      this.#done.add(id);
      return false;
    }
    this.#head++;
    while (this.#head < q.length && this.#done.delete(q[this.#head]!)) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  /** Every position at or before this one is done. */
  get through(): number {
    return this.#head < this.#queue.length ? this.#queue[this.#head]! - 1 : this.#last;
  }

  /** Positions not yet done. */
  get outstanding(): number {
    return this.#queue.length - this.#head - this.#done.size;
  }
}
