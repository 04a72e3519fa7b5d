/**
 * Link types whose records start with a capture pseudo-header that is not part of the frame on the
 * wire. Like Wireshark's wiretap, the reader removes it from the record and from both lengths.
 */
const LINKTYPE_SUNATM = 123;

export function pseudoHeaderBytes(linkType: number): number {
  return linkType === LINKTYPE_SUNATM ? 4 : 0;
}
