using FederationEgress.Forwarding;
using FederationEgress.ServerNames;
using FsCheck;
using FsCheck.Fluent;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// Property tests for <see cref="RequestTargetParser"/>: random and mutated request targets never
/// throw, and an accepted target never yields a server name or path with control bytes, non-ASCII,
/// fragments or dot-segments (raw or %2e-encoded), and its path is the raw target's own suffix.
/// </summary>
public sealed class RequestTargetParserPropertyTests
{
    private const int Runs = 3000;

    private static readonly string[] ValidTargets =
    [
        "/example.org/_matrix/federation/v1/send/1", "/example.org:8448/_matrix/key/v2/server?x=1",
        "/1.2.3.4/_matrix/federation/v1/version", "/[::1]:8448/_matrix/federation/v1/query/profile?user_id=%40a%3Ab",
        "/%5B%3A%3A1%5D/_matrix/x", "/b%C3%BCcher.de/_matrix/x/y/z", "/example.org/a%2Fb/c%2ed",
    ];

    // Characters that matter to the target grammar and to the tricks in issue 5 point 3.
    private static readonly string[] Pieces =
    [
        "/", ".", "..", "%2e", "%2E", "%2f", "%2F", "%00", "%0d%0a", "%", "%zz", "?", "#", ":", "[", "]", "@", "\\",
        "\r", "\n", "\0", " ", "\t", "\u00fc", "\uff0e", "\u3002", "a", "Z", "0", "9", "-", "_", "%C3%BC", "%EF%BC%8E",
    ];

    private static readonly Gen<string> AnyString = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);

    private static readonly Gen<string> FromPieces =
        Gen.ArrayOf(Gen.Elements(Pieces)).Select(parts => "/" + string.Concat(parts));

    private static readonly Gen<string> Mutated =
        from target in Gen.Elements(ValidTargets)
        from edits in Gen.ListOf(Edit, 3)
        select edits.Aggregate(target, (current, edit) => edit(current));

    private static Gen<Func<string, string>> Edit =>
        from kind in Gen.Choose(0, 3)
        from position in Gen.Choose(0, 1000)
        from piece in Gen.Elements(Pieces)
        select (Func<string, string>)(s =>
        {
            var at = s.Length == 0 ? 0 : position % (s.Length + 1);
            var inRange = s.Length == 0 ? 0 : position % s.Length;
            return kind switch
            {
                0 => s.Insert(at, piece),
                1 => s.Length == 0 ? s : s.Remove(inRange, 1),
                2 => s.Length == 0 ? s : s.Remove(inRange, 1).Insert(inRange, piece),
                _ => s.Insert(at, "/" + piece + "/"),
            };
        });

    [Fact]
    public Task TryParse_AnyString_NeverThrowsAndAcceptsOnlySafeTargets() => CheckAsync(AnyString);

    [Fact]
    public Task TryParse_TargetsFromHostilePieces_NeverThrowsAndAcceptsOnlySafeTargets() => CheckAsync(FromPieces);

    [Fact]
    public Task TryParse_MutatedValidTargets_NeverThrowsAndAcceptsOnlySafeTargets() => CheckAsync(Mutated);

    [Theory]
    [InlineData("/example.org/a/../b")]
    [InlineData("/example.org/a/%2e%2E/b")]
    [InlineData("/example.org/./b")]
    [InlineData("/example.org/a/..")]
    [InlineData("/example.org%2F..%2Fevil/a")]
    [InlineData("/example.org%00/a")]
    [InlineData("/example.org/a\r\nb")]
    [InlineData("/example.org/a#b")]
    public void TryParse_KnownHostileTarget_IsRejected(string target)
    {
        Assert.False(RequestTargetParser.TryParse(target, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    private static Task CheckAsync(Gen<string> targets) =>
        Task.Run(() => Prop.ForAll(Arb.From(targets), IsSafe).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs)), TestContext.Current.CancellationToken);

    private static bool IsSafe(string raw)
    {
        if (!RequestTargetParser.TryParse(raw, out var target, out var error))
        {
            return !string.IsNullOrEmpty(error.Message);
        }

        var path = target.PathAndQuery;
        var name = target.ServerName.Value;
        return path.StartsWith('/')
            && raw.EndsWith(path, StringComparison.Ordinal)
            && path.All(c => c is > ' ' and < '\u007f' and not '#')
            && name.All(c => c is > ' ' and < '\u007f')
            && !name.Contains('/') && !name.Contains('%') && !name.Contains('@')
            && ServerNameParser.TryParse(name, out var again, out _) && again.Value == name
            && !HasDotSegment(path);
    }

    private static bool HasDotSegment(string pathAndQuery)
    {
        var query = pathAndQuery.IndexOf('?');
        var path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        return path.Split('/').Any(segment =>
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            return decoded is "." or "..";
        });
    }
}
