#!/usr/bin/python3
"""Writes samples/lab.pcap: a small, realistic office-LAN minute for demos and tests (Debian's python3-scapy).

Web and TLS sessions with full handshakes, DNS with some NXDOMAIN answers, NTP, ICMP pings, an IPv6
client, ARP, a VLAN-tagged host, a fragmented UDP datagram, and a short TCP port scan. Seeded, so the
file is the same on every run: `python3 samples/make-lab-capture.py samples/lab.pcap`.
"""
import random, sys
from scapy.all import Ether, Dot1Q, ARP, IP, IPv6, TCP, UDP, ICMP, DNS, DNSQR, DNSRR, NTP, Raw, fragment, wrpcap
from scapy.layers.inet6 import ICMPv6EchoRequest

random.seed(2026)
OUT = sys.argv[1] if len(sys.argv) > 1 else "samples/lab.pcap"
START = 1_763_800_000.0
GW = "00:1b:21:00:00:01"
hosts = {f"10.1.0.{i}": f"02:00:00:00:01:{i:02x}" for i in range(10, 22)}
servers = ["93.184.216.34", "151.101.1.69", "140.82.112.3", "104.16.132.229", "172.217.16.14"]
resolver = "10.1.0.53"
names = ["www.example.com", "github.com", "registry.npmjs.org", "cdn.jsdelivr.net", "mail.example.org",
         "api.weather.example", "updates.debian.org"]
bad_names = ["wpad.corp.invalid", "printer.lan.invalid", "typo-githbu.com"]
packets = []

def at(t, pkt):
    pkt.time = START + t
    packets.append(pkt)

def tcp_session(t, client, server, dport, request, response_bytes):
    mac = hosts[client]
    sport = random.randint(40000, 60999)
    e_out, e_in = Ether(src=mac, dst=GW), Ether(src=GW, dst=mac)
    c, s = IP(src=client, dst=server), IP(src=server, dst=client)
    seq, ack = random.randrange(1 << 31), random.randrange(1 << 31)
    at(t, e_out / c / TCP(sport=sport, dport=dport, flags="S", seq=seq))
    at(t + 0.020, e_in / s / TCP(sport=dport, dport=sport, flags="SA", seq=ack, ack=seq + 1))
    at(t + 0.021, e_out / c / TCP(sport=sport, dport=dport, flags="A", seq=seq + 1, ack=ack + 1))
    at(t + 0.022, e_out / c / TCP(sport=sport, dport=dport, flags="PA", seq=seq + 1, ack=ack + 1) / Raw(request))
    sent, k = 0, 0
    while sent < response_bytes:
        size = min(1448, response_bytes - sent)
        at(t + 0.045 + k * 0.002, e_in / s / TCP(sport=dport, dport=sport, flags="A", seq=ack + 1 + sent, ack=seq + 1 + len(request)) / Raw(b"x" * size))
        sent += size
        k += 1
    end = t + 0.05 + k * 0.002
    at(end, e_out / c / TCP(sport=sport, dport=dport, flags="FA", seq=seq + 1 + len(request), ack=ack + 1 + sent))
    at(end + 0.02, e_in / s / TCP(sport=dport, dport=sport, flags="FA", seq=ack + 1 + sent, ack=seq + 2 + len(request)))

def dns(t, client, name, nx=False):
    mac = hosts[client]
    sport, qid = random.randint(30000, 65000), random.randrange(65536)
    at(t, Ether(src=mac, dst=GW) / IP(src=client, dst=resolver) / UDP(sport=sport, dport=53) / DNS(id=qid, rd=1, qd=DNSQR(qname=name)))
    answer = DNS(id=qid, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname=name)) if nx else \
        DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name), an=DNSRR(rrname=name, rdata=random.choice(servers)))
    at(t + 0.004, Ether(src=GW, dst=mac) / IP(src=resolver, dst=client) / UDP(sport=53, dport=sport) / answer)

for t in range(60):
    for _ in range(random.randint(1, 3)):
        client = random.choice(list(hosts))
        dns(t + random.random(), client, random.choice(names))
        server = random.choice(servers)
        port = random.choice([443, 443, 443, 80])
        size = random.choice([800, 4000, 20000, 60000]) if port == 443 else random.choice([500, 3000])
        tcp_session(t + random.random(), client, server, port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", size)
    if t % 7 == 3:
        dns(t + 0.5, random.choice(list(hosts)), random.choice(bad_names), nx=True)
    if t % 5 == 0:
        c = random.choice(list(hosts))
        at(t + 0.3, Ether(src=hosts[c], dst=GW) / IP(src=c, dst="162.159.200.1") / UDP(sport=123, dport=123) / NTP())
        at(t + 0.33, Ether(src=GW, dst=hosts[c]) / IP(src="162.159.200.1", dst=c) / UDP(sport=123, dport=123) / NTP(mode=4))
    if t % 2 == 0:
        at(t + 0.7, Ether(src=hosts["10.1.0.10"], dst=GW) / IP(src="10.1.0.10", dst="1.1.1.1") / ICMP(id=7, seq=t))
        at(t + 0.71, Ether(src=GW, dst=hosts["10.1.0.10"]) / IP(src="1.1.1.1", dst="10.1.0.10") / ICMP(type=0, id=7, seq=t))
    if t % 3 == 0:
        at(t + 0.9, Ether(src="02:00:00:00:06:01", dst="33:33:00:00:00:01") / IPv6(src="2001:db8:1::10", dst="2001:db8:ff::1") / ICMPv6EchoRequest(id=1, seq=t))
        at(t + 0.95, Ether(src="02:00:00:00:06:01", dst=GW) / IPv6(src="2001:db8:1::10", dst="2606:4700::6810:84e5") / TCP(sport=50000 + t, dport=443, flags="S"))
    if t % 10 == 1:
        at(t + 0.1, Ether(src=hosts["10.1.0.11"], dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.1.0.11", pdst="10.1.0.1"))
        at(t + 0.101, Ether(src=GW, dst=hosts["10.1.0.11"]) / ARP(op=2, psrc="10.1.0.1", hwsrc=GW, pdst="10.1.0.11"))
    if t % 6 == 2:
        at(t + 0.2, Ether(src="02:00:00:00:0a:01", dst=GW) / Dot1Q(vlan=20) / IP(src="10.20.0.5", dst="10.1.0.53") / UDP(sport=5353, dport=514) / Raw(b"<13>syslog line"))

for i, frag in enumerate(fragment(IP(src="10.1.0.12", dst="198.51.100.7") / UDP(sport=7000, dport=7001) / Raw(b"y" * 3000), fragsize=1400)):
    at(30 + i * 0.001, Ether(src=hosts["10.1.0.12"], dst=GW) / frag)

for k, port in enumerate(random.sample(range(1, 1024), 150)):
    at(40 + k * 0.002, Ether(src=hosts["10.1.0.21"], dst=GW) / IP(src="10.1.0.21", dst="10.1.0.200") / TCP(sport=61000, dport=port, flags="S"))
    at(40.001 + k * 0.002, Ether(src=GW, dst=hosts["10.1.0.21"]) / IP(src="10.1.0.200", dst="10.1.0.21") / TCP(sport=port, dport=61000, flags="RA"))

packets.sort(key=lambda p: p.time)
wrpcap(OUT, packets)
print(f"{OUT}: {len(packets)} packets")
