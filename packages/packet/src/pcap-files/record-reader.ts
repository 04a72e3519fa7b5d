/** One capture record at a time, parsed in place: the fields describe the current record. */
export interface RecordReader {
  readonly format: 'pcap' | 'pcapng';
  /** Buffer holding the current record's bytes at `offset`, valid until the next call to next(). */
  data: Buffer;
  offset: number;
  caplen: number;
  origLen: number;
  /** Seconds since the Unix epoch. */
  timestamp: number;
  linkType: number;
  /** Set once reading stopped early: the file ended inside a record, or a record was corrupt. */
  truncated: boolean;
  readonly warnings: string[];
  /** Link types of the interfaces seen so far. */
  readonly linkTypes: Set<number>;
  /** Size of the source in bytes, when known. */
  readonly size: number | null;
  /** Bytes consumed from the source, for progress. */
  readonly position: number;
  /** Advances to the next record; false at the end (or where reading had to stop). */
  next(): boolean;
  close(): void;
}
