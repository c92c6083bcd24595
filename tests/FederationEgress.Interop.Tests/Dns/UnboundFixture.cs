using FederationEgress.Testing.Interop;

namespace FederationEgress.Interop.Tests.Dns;

public sealed class UnboundFixture() : RealDnsServerFixture(RealDnsServerKind.Unbound);
