import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../address.js';
import { DECODE_ERROR_REASONS } from './errors.js';
import { DecodedPacket, NET_ARP, NET_IPV4, NET_IPV6, NET_NONE } from './decoded-packet.js';
import { decodePacket } from './link.js';

// Hand-built frames, byte by byte, so every test states exactly what is on the wire.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ETH_IPV4 = '020000000001 020000000002 0800';
const ETH_IPV6 = '020000000001 020000000002 86dd';
const IPV4_UDP = '45000030 00010000 4011 0000 c0000201 c6336407'; // 192.0.2.1 -> 198.51.100.7, 48 bytes total
const UDP_53 = 'd431 0035 001c 0000'; // 54321 -> 53, length 28
/** IPv4 (192.0.2.1 -> 198.51.100.7) / UDP 54321 -> 53 around a DNS message, lengths computed. */
function ipv4UdpDns(dnsHex: string, sport = 'd431', dport = '0035'): string {
  const dns = hex(dnsHex);
  const udpLength = (8 + dns.length).toString(16).padStart(4, '0');
  const totalLength = (28 + dns.length).toString(16).padStart(4, '0');
  return `4500${totalLength} 00010000 4011 0000 c0000201 c6336407 ${sport} ${dport} ${udpLength} 0000 ${dnsHex}`;
}
const DNS_QUERY = '1234 0100 0001 0000 0000 0000'; // id, RD, one question
const IPV6_HDR = (next: string, payloadLength: string) =>
  `60000000 ${payloadLength} ${next} 40 20010db8000000000000000000000001 20010db8000000000000000000000002`;

function decode(frame: Buffer, linkType = 1): DecodedPacket {
  const d = new DecodedPacket();
  decodePacket(d, frame, 0, frame.length, linkType);
  return d;
}

const reason = (d: DecodedPacket) => DECODE_ERROR_REASONS[d.error];

describe('decoders', () => {
  it('reads Ethernet / IPv4 / UDP / DNS, names lower-cased', () => {
    const d = decode(
      hex(`${ETH_IPV4} ${ipv4UdpDns(`${DNS_QUERY} 03 577757 07 4578616d706c65 03 636f6d 00 0001 0001`)}`),
    );
    expect(d.network).toBe(NET_IPV4);
    expect(formatIpv4(d.src0)).toBe('192.0.2.1');
    expect(formatIpv4(d.dst0)).toBe('198.51.100.7');
    expect([d.ipProto, d.srcPort, d.dstPort]).toEqual([17, 54321, 53]);
    expect(d.isDns && !d.dnsResponse).toBe(true);
    expect(Buffer.from(d.dnsName.subarray(0, d.dnsNameLength)).toString()).toBe('www.example.com');
    expect(d.dnsQtype).toBe(1);
    expect(d.error).toBe(0);
  });

  it('follows a DNS compression pointer and stops a pointer loop', () => {
    // Question name = "a" + pointer to offset 12 (itself): a loop.
    const loop = decode(hex(`${ETH_IPV4} ${ipv4UdpDns(`${DNS_QUERY} 01 61 c00c 0001 0001`)}`));
    expect(reason(loop)).toBe('dns.malformed');
    expect(loop.dnsQtype).toBe(-1);
    // Response (QR=1, NXDOMAIN) whose question points at a name placed after it.
    const nx = decode(
      hex(`${ETH_IPV4} ${ipv4UdpDns('1234 8183 0001 0000 0000 0000 c012 001c 0001 03 6e6574 00', '0035', 'd431')}`),
    );
    expect(nx.dnsResponse).toBe(true);
    expect(nx.dnsRcode).toBe(3);
    expect(Buffer.from(nx.dnsName.subarray(0, nx.dnsNameLength)).toString()).toBe('net');
    expect(nx.dnsQtype).toBe(28);
  });

  it('peels 802.1Q and 802.1ad tags and LLC/SNAP', () => {
    const qinq = decode(hex(`020000000001 020000000002 88a8 0064 8100 00c8 0800 ${IPV4_UDP} ${UDP_53}`));
    expect(qinq.network).toBe(NET_IPV4);
    expect(qinq.dstPort).toBe(53);
    const snap = decode(hex(`020000000001 020000000002 0030 aaaa03 000000 0800 ${IPV4_UDP} ${UDP_53}`));
    expect(snap.network).toBe(NET_IPV4);
  });

  it('classifies IPv4 later fragments by protocol, without ports', () => {
    const fragment = decode(hex(`${ETH_IPV4} 45000030 00012005 4006 0000 c0000201 c6336407 0102030405060708`));
    expect(fragment.ipProto).toBe(6);
    expect(fragment.laterFragment).toBe(true);
    expect(fragment.hasPorts).toBe(false);
  });

  it('reads IPv4 options and TCP flags', () => {
    const d = decode(
      hex(
        `${ETH_IPV4} 46000030 00010000 4006 0000 c0000201 c6336407 01010101 0050 c350 00000001 00000000 5012 ffff 0000 0000`,
      ),
    );
    expect([d.srcPort, d.dstPort, d.tcpFlags]).toEqual([80, 50000, 0x12]);
  });

  it('walks IPv6 hop-by-hop, routing, fragment and destination options to the transport header', () => {
    const chain = `${IPV6_HDR('00', '0030')} 2b00000000000000 2c00000000000000 3c00000100000000 1100000000000000 d431 0035 0008 0000`;
    const d = decode(hex(`${ETH_IPV6} ${chain}`));
    expect(d.network).toBe(NET_IPV6);
    expect(formatIpv6(d.src0, d.src1, d.src2, d.src3)).toBe('2001:db8::1');
    expect(d.ipProto).toBe(17);
    expect(d.dstPort).toBe(53);
    // The same chain with a non-zero fragment offset: class by next header, no ports.
    const later = decode(hex(`${ETH_IPV6} ${IPV6_HDR('2c', '0010')} 3a00000800000000 8000000000000000`));
    expect(later.ipProto).toBe(58);
    expect(later.laterFragment).toBe(true);
  });

  it('never throws on any truncation, and keeps what a cut header still holds', () => {
    const full = hex(`${ETH_IPV4} ${ipv4UdpDns(`${DNS_QUERY} 03 777777 00 0001 0001`)}`);
    for (let caplen = 0; caplen <= full.length; caplen++) {
      const d = new DecodedPacket();
      expect(() => decodePacket(d, full, 0, caplen, 1)).not.toThrow();
      const ip = caplen - 14;
      if (ip >= 10 && ip < 20) expect(d.ipProto, `caplen ${caplen}`).toBe(17);
      expect(d.hasSource, `caplen ${caplen}`).toBe(ip >= 16);
      expect(d.hasDestination, `caplen ${caplen}`).toBe(ip >= 20);
      if (caplen < full.length && caplen >= 14) expect(d.error, `caplen ${caplen}`).not.toBe(0);
    }
    const v6 = hex(`${ETH_IPV6} ${IPV6_HDR('11', '0008')} d431 0035 0008 0000`);
    for (let caplen = 0; caplen <= v6.length; caplen++) {
      const d = new DecodedPacket();
      decodePacket(d, v6, 0, caplen, 1);
      expect(d.hasSource, `caplen ${caplen}`).toBe(caplen - 14 >= 24);
    }
  });

  it('treats a wrong version the way tshark does', () => {
    expect(decode(hex(`${ETH_IPV4} 55000030 00010000 4011 0000 c0000201 c6336407`)).network).toBe(NET_IPV4);
    const v6inV4 = decode(hex(`${ETH_IPV4} ${IPV6_HDR('3b', '0000')}`));
    expect(v6inV4.network).toBe(NET_IPV6);
    expect(reason(v6inV4)).toBe('ipv4.bad-version');
    expect(
      decode(hex(`${ETH_IPV6} 45000030 00010000 4011 0000 c0000201 c6336407 0000000000000000000000000000`)).network,
    ).toBe(NET_NONE);
  });

  it('decodes the other link layers down to IP', () => {
    const ip = `${IPV4_UDP} ${UDP_53}`;
    const cases: [string, number, string][] = [
      ['Linux SLL', 113, `0000 0001 0006 020000000001 0000 0800 ${ip}`],
      ['Linux SLL2', 276, `0800 0000 00000002 0001 00 06 0200000000010000 ${ip}`],
      ['raw IP', 101, ip],
      ['IPv4 link type', 228, ip],
      ['BSD loopback, little-endian', 0, `02000000 ${ip}`],
      ['BSD loopback, big-endian', 0, `00000002 ${ip}`],
      ['OpenBSD loop', 108, `00000002 ${ip}`],
      ['PPP in HDLC framing', 9, `ff03 0021 ${ip}`],
      ['PPP, compressed protocol', 9, `21 ${ip}`],
      ['Cisco HDLC', 104, `0f00 0800 ${ip}`],
      ['Frame Relay, RFC 2427', 107, `0401 03 cc ${ip}`],
      ['Frame Relay, Cisco', 107, `0401 0800 ${ip}`],
      ['MPLS', 1, `020000000001 020000000002 8847 00001140 ${ip}`],
      ['PPPoE', 1, `020000000001 020000000002 8864 1100 0001 0020 0021 ${ip}`],
      ['802.11 QoS data', 105, `8801 0000 020000000001 020000000002 020000000003 0000 0000 aaaa03000000 0800 ${ip}`],
      [
        'radiotap',
        127,
        `0000 0800 00000000 0802 0000 020000000001 020000000002 020000000003 0000 aaaa03000000 0800 ${ip}`,
      ],
      ['NFLOG', 239, `02 00 0000 0800 0100 08000000 2000 0900 ${ip}`],
    ];
    for (const [name, linkType, bytes] of cases) {
      const d = decode(hex(bytes), linkType);
      expect(d.network, name).toBe(NET_IPV4);
      expect(d.dstPort, name).toBe(53);
    }
    expect(decode(hex(`0f00 8035 00000002`), 104).network, 'SLARP is not ARP').toBe(NET_NONE);
    expect(decode(hex('020000000001 020000000002 0806 0001 0800 0604 0001'), 1).network).toBe(NET_ARP);
    expect(decode(hex('8841 0000'), 105).network, 'protected 802.11 data').toBe(NET_NONE);
  });
});

describe('RFC 5952 addresses', () => {
  const words = (text: string): [number, number, number, number] => {
    const b = Buffer.from(expand(text), 'hex');
    return [b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)];
  };
  function expand(text: string): string {
    const [head, tail = ''] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    return groups.map((g) => g.padStart(4, '0')).join('');
  }

  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ])('%s is written %s', (input, expected) => {
    expect(formatIpv6(...words(input))).toBe(expected);
    // The WHATWG URL serializer compresses IPv6 the same way: a second opinion.
    expect(new URL(`http://[${input}]`).hostname).toBe(`[${expected}]`);
  });

  it('writes IPv4-mapped addresses with a dotted quad', () => {
    expect(formatIpv6(0, 0, 0xffff, 0xc0000201)).toBe('::ffff:192.0.2.1');
  });
});
