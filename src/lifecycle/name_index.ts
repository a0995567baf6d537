/**
 * Agent names in order, for listing by cursor and prefix (issue 21): a sorted
 * array, sorted again only when asked after names were added out of order
 * (a bulk deploy adds thousands and sorts once), so a page costs a binary
 * search and the names it reads.
 */
export class NameIndex {
  #names: string[] = [];
  #sorted = true;

  get size(): number {
    return this.#names.length;
  }

  add(name: string): void {
    const last = this.#names.at(-1);
    if (last !== undefined && last > name) this.#sorted = false;
    this.#names.push(name);
  }

  remove(name: string): void {
    const names = this.#ordered();
    const at = _lowerBound(names, name);
    if (names[at] === name) names.splice(at, 1);
  }

  /** Names after `after` (exclusive) that start with `prefix`, in order, lazily. */
  *from(after: string, prefix = ""): Generator<string> {
    const names = this.#ordered();
    const start = after >= prefix ? after : prefix;
    let at = _lowerBound(names, start);
    if (names[at] === after) at++;
    for (; at < names.length; at++) {
      const name = names[at]!;
      if (!name.startsWith(prefix)) return;
      yield name;
    }
  }

  #ordered(): string[] {
    if (!this.#sorted) {
      this.#names.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      this.#sorted = true;
    }
    return this.#names;
  }
}

/** The first position whose name is >= `name`. */
function _lowerBound(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names[mid]! < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
