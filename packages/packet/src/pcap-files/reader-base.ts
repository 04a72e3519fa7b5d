import type { ChunkFeed } from './chunk-feed.js';
import { ChunkWindow } from './chunk-window.js';

/** The state and bookkeeping PCAP and PCAPNG readers share: the current record, warnings, the window. */
export abstract class ReaderBase {
  data: Buffer;
  offset = 0;
  caplen = 0;
  origLen = 0;
  timestamp = 0;
  linkType = 0;
  truncated = false;
  readonly warnings: string[] = [];
  readonly linkTypes = new Set<number>();
  protected readonly window: ChunkWindow;
  protected pendingSkip = 0;
  protected done = false;

  constructor(
    feed: ChunkFeed,
    protected readonly name: string,
  ) {
    this.window = new ChunkWindow(feed);
    this.data = this.window.buf;
  }

  get size(): number | null {
    return this.window.size;
  }

  get position(): number {
    return this.window.position;
  }

  close(): void {
    this.done = true;
    this.window.close();
  }

  /**
   * Makes the record at `at` current. A capture pseudo-header of `strip` bytes is not part of the
   * frame: like Wireshark's wiretap, it is removed from the record and from both lengths.
   */
  protected setRecord(at: number, caplen: number, origLen: number, timestamp: number, strip: number): void {
    this.data = this.window.buf;
    this.timestamp = timestamp;
    if (strip === 0) {
      this.offset = at;
      this.caplen = caplen;
      this.origLen = origLen;
    } else {
      const s = caplen < strip ? caplen : strip;
      this.offset = at + s;
      this.caplen = caplen - s;
      this.origLen = origLen > strip ? origLen - strip : 0;
    }
  }

  /** Ends reading early; everything before stays reported. */
  protected stop(warning: string): false {
    this.truncated = true;
    this.done = true;
    this.warnings.push(`${this.name}: ${warning}; the report covers every complete record before it`);
    return false;
  }
}
