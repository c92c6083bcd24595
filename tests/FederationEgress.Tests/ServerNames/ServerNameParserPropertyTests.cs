using System.Net;
using FederationEgress.ServerNames;
using FsCheck;
using FsCheck.Fluent;

namespace FederationEgress.Tests.ServerNames;

/// <summary>
/// Property tests: whatever string arrives, the parser returns or rejects without throwing, and an
/// accepted name is stable (its Value re-parses to the same Host, Port and Kind) and safe (a DNS
/// name is never something IPAddress or System.Uri would read as an IP address).
/// </summary>
public sealed class ServerNameParserPropertyTests
{
    private const int Runs = 5000;

    // Generous: a hang (not speed) is what this guards against.
    private const int HangGuardMilliseconds = 120_000;

    private static readonly string[] ValidNames =
    [
        "example.org", "example.org:8448", "matrix.example.org:443", "1.2.3.4", "1.2.3.4:1", "[::1]", "[::1]:80",
        "[2001:db8::1]:8448", "[::ffff:1.2.3.4]", "[0abc:1def::1234]:8080", "localhost", "xn--bcher-kva.com",
        "bücher.com", "bücher.com:8448", "Example.COM", "a-b.c-d.e", "a", "255.255.255.255:65535",
    ];

    // Characters that matter to the grammar, to IDNA and to the tricks in issue 5 point 3.
    private static readonly char[] Interesting =
        "aZ09.-:[]%_/\\@ \t\r\n\0#?x\u00fc\u00df\u0130\u0131\u200d\u3002\uff0e\uff1a\uff11\u2024\ufe52\u0660\ud800\udc00\u00a0\u202e".ToCharArray();

    private static readonly Gen<string> FromInteresting =
        Gen.ArrayOf(Gen.Elements(Interesting)).Select(chars => new string(chars));

    private static readonly Gen<string> Numeric =
        Gen.ArrayOf(Gen.Elements("0123456789.x".ToCharArray())).Where(c => c.Length is > 0 and < 20).Select(c => new string(c));

    private static readonly Gen<string> AnyString = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);

    private static readonly Gen<string> Mutated =
        from name in Gen.Elements(ValidNames)
        from edits in Gen.ListOf(Edit, 3)
        select edits.Aggregate(name, (current, edit) => edit(current));

    private static Gen<Func<string, string>> Edit =>
        from kind in Gen.Choose(0, 9)
        from position in Gen.Choose(0, 1000)
        from c in Gen.Elements(Interesting)
        from count in Gen.Choose(1, 300)
        select (Func<string, string>)(s =>
        {
            var at = s.Length == 0 ? 0 : position % (s.Length + 1);
            var inRange = s.Length == 0 ? 0 : position % s.Length;
            return kind switch
            {
                0 => s.Insert(at, c.ToString()),
                1 => s.Length == 0 ? s : s.Remove(inRange, 1),
                2 => s.Length == 0 ? s : s.Remove(inRange, 1).Insert(inRange, c.ToString()),
                3 => s + ":" + position,
                4 => "[" + s + "]",
                5 => s.Length == 0 ? s : s.Insert(inRange, "%" + ((int)s[inRange]).ToString("X2")),
                6 => s.ToUpperInvariant(),
                7 => s.Insert(at, new string('a', count)),
                8 => s + "/../" + s,
                _ => s.Insert(at, "."),
            };
        });

    [Fact(Timeout = HangGuardMilliseconds)]
    public async Task TryParse_ArbitraryStrings_NeverThrowsAndStable()
    {
        await Task.Run(() => Prop.ForAll(Arb.From(AnyString), ParsesConsistently).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs)), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = HangGuardMilliseconds)]
    public async Task TryParse_InterestingCharacters_NeverThrowsAndStable()
    {
        await Task.Run(() => Prop.ForAll(Arb.From(FromInteresting), ParsesConsistently).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs)), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = HangGuardMilliseconds)]
    public async Task TryParse_MutatedValidNames_NeverThrowsAndStable()
    {
        await Task.Run(() => Prop.ForAll(Arb.From(Mutated), ParsesConsistently).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs)), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = HangGuardMilliseconds)]
    public async Task TryParse_NumericSpellings_NeverAcceptedAsDnsNamesThatAreAddresses()
    {
        await Task.Run(() => Prop.ForAll(Arb.From(Numeric), ParsesConsistently).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs)), TestContext.Current.CancellationToken);
    }

    // Found by the numeric property: these are dns-chars only, but IPAddress/Uri/inet_aton read them as IPv4.
    [Theory]
    [InlineData("2")]
    [InlineData("127.1")]
    [InlineData("127.0.1")]
    [InlineData("2130706433")]
    [InlineData("2130706433:8448")]
    [InlineData("0x7f.1")]
    [InlineData("0x7f000001")]
    [InlineData("0X7F.0.0.1")]
    [InlineData("017700000001")]
    public void TryParse_NonCanonicalIPv4Spelling_Rejected(string input)
    {
        Assert.False(ServerNameParser.TryParse(input, out _, out var error));
        Assert.Contains("non-canonical IPv4", error);
    }

    [Theory]
    [InlineData("example.123")]
    [InlineData("123.example")]
    [InlineData("0x7f.example")]
    [InlineData("1.2.3.4.5")]
    public void TryParse_NumericLookingDnsName_StillAccepted(string input)
    {
        Assert.True(ServerNameParser.TryParse(input, out var name, out var error), error);
        Assert.Equal(HostKind.DnsName, name.Kind);
    }

    [Fact]
    public void TryParse_HugeInput_RejectedWithoutWork()
    {
        Assert.False(ServerNameParser.TryParse(new string('a', 10_000_000), out _, out var error));
        Assert.Equal("server name is too long", error);
    }

    private static bool ParsesConsistently(string input)
    {
        if (!ServerNameParser.TryParse(input, out var name, out var error))
        {
            return !string.IsNullOrEmpty(error);
        }

        if (!ServerNameParser.TryParse(name.Value, out var again, out var againError))
        {
            throw new InvalidOperationException($"'{input}' parsed to '{name.Value}', which does not re-parse: {againError}");
        }

        var stable = again.Value == name.Value && again.Host == name.Host && again.Port == name.Port && again.Kind == name.Kind &&
            Equals(again.Address, name.Address);
        var wellFormed = name.Value.Length <= ServerNameParser.MaxLength && System.Text.Ascii.IsValid(name.Value) &&
            name.Value.StartsWith(name.Host, StringComparison.Ordinal) &&
            (name.Port is null
                ? name.Value == name.Host
                : name.Value[name.Host.Length] == ':' && int.Parse(name.Value.AsSpan(name.Host.Length + 1), System.Globalization.CultureInfo.InvariantCulture) == name.Port) &&
            (name.Address is not null) == name.IsIpLiteral;

        // A DNS name must never be something a lenient IPv4 parser (IPAddress, System.Uri, inet_aton) reads as an address.
        var notAnAddress = name.Kind != HostKind.DnsName ||
            (!IPAddress.TryParse(name.Host, out _) && Uri.CheckHostName(name.Host) is not (UriHostNameType.IPv4 or UriHostNameType.IPv6));
        if (!(stable && wellFormed && notAnAddress))
        {
            throw new InvalidOperationException(
                $"'{input}' -> Value '{name.Value}' Host '{name.Host}' Port {name.Port} Kind {name.Kind}; re-parsed Host '{again.Host}' Port {again.Port} Kind {again.Kind}; stable {stable}, well-formed {wellFormed}, not an address {notAnAddress}");
        }

        return true;
    }
}
