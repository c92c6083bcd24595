using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests.Dns;

public sealed class DnsmasqFixture() : RealDnsServerFixture(RealDnsServerKind.Dnsmasq);
