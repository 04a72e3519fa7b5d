/** Orders two ids: negative when `a` ranks first. Must be a total order for a deterministic result. */
export type CompareIds = (a: number, b: number) => number;

const INSERTION_RUN = 16;

/**
 * Ids 0..count-1 in `compare` order, at most `limit` of them. Only typed arrays: ranking 20 million
 * flows takes 4-8 bytes each outside the JS heap instead of a boxed array and a sort's work array in it.
 * A short list out of a large table (the top 10 of a million) is selected with a bounded heap, in
 * O(count log limit), instead of sorting everything.
 */
export function rankIds(count: number, compare: CompareIds, limit = Number.POSITIVE_INFINITY): Uint32Array {
  const wanted = Math.max(0, Math.min(count, limit));
  if (wanted === 0) return new Uint32Array(0);
  if (wanted * 4 < count) return sortIds(selectFirst(count, compare, wanted), compare);
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = i;
  const sorted = sortIds(ids, compare);
  return wanted < count ? sorted.slice(0, wanted) : sorted;
}

/** The `k` ids that rank first, in no particular order: a heap whose root is the worst one kept. */
function selectFirst(count: number, compare: CompareIds, k: number): Uint32Array {
  const heap = new Uint32Array(k);
  for (let i = 0; i < k; i++) {
    heap[i] = i;
    siftUp(heap, i, compare);
  }
  for (let id = k; id < count; id++) {
    if (compare(id, heap[0]) < 0) {
      heap[0] = id;
      siftDown(heap, k, compare);
    }
  }
  return heap;
}

/** Worst-first heap: a parent ranks after (or equal to) its children. */
function siftUp(heap: Uint32Array, at: number, compare: CompareIds): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (compare(heap[parent], heap[at]) >= 0) return;
    const t = heap[parent];
    heap[parent] = heap[at]!;
    heap[at] = t;
    at = parent;
  }
}

function siftDown(heap: Uint32Array, size: number, compare: CompareIds): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) return;
    const right = left + 1;
    const worse = right < size && compare(heap[right], heap[left]) > 0 ? right : left;
    if (compare(heap[worse], heap[at]) <= 0) return;
    const t = heap[worse];
    heap[worse] = heap[at]!;
    heap[at] = t;
    at = worse;
  }
}

/** Stable bottom-up merge sort (insertion-sorted runs first); returns `ids` or its sorted copy. */
function sortIds(ids: Uint32Array, compare: CompareIds): Uint32Array {
  const n = ids.length;
  for (let lo = 0; lo < n; lo += INSERTION_RUN) {
    const hi = Math.min(lo + INSERTION_RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const id = ids[i];
      let j = i - 1;
      while (j >= lo && compare(id, ids[j]) < 0) {
        ids[j + 1] = ids[j]!;
        j--;
      }
      ids[j + 1] = id;
    }
  }
  if (n <= INSERTION_RUN) return ids;
  let from: Uint32Array = ids;
  let to: Uint32Array = new Uint32Array(n);
  for (let width = INSERTION_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) to[k++] = compare(from[j], from[i]) < 0 ? from[j++] : from[i++];
      while (i < mid) to[k++] = from[i++]!;
      while (j < hi) to[k++] = from[j++]!;
    }
    const t = from;
    from = to;
    to = t;
  }
  return from;
}
