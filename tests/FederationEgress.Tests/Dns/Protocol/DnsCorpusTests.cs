using FederationEgress.Dns.Protocol;

namespace FederationEgress.Tests.Dns.Protocol;

/// <summary>
/// Runs the checked-in packet corpus (Dns/Corpus, made by generate.py) through the reader:
/// valid-*.bin must parse, malformed-*.bin must be rejected with <see cref="DnsFormatException"/>.
/// </summary>
public sealed class DnsCorpusTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Dns", "Corpus");

    public static TheoryData<string> Files => new(Directory.GetFiles(CorpusDirectory, "*.bin").Select(Path.GetFileName).OfType<string>().Order());

    [Fact]
    public void Corpus_HasBothKinds()
    {
        Assert.True(Files.Count(f => ((string)f.Data).StartsWith("valid-", StringComparison.Ordinal)) >= 15);
        Assert.True(Files.Count(f => ((string)f.Data).StartsWith("malformed-", StringComparison.Ordinal)) >= 20);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Read_CorpusPacket_ParsesOrRejectsAsNamed(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusDirectory, file));

        if (file.StartsWith("valid-", StringComparison.Ordinal))
        {
            var message = DnsMessageReader.Read(bytes);
            Assert.Equal((ushort)0x1234, message.Id);
        }
        else
        {
            Assert.StartsWith("malformed-", file, StringComparison.Ordinal);
            Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(bytes));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Read_EveryPrefixOfCorpusPacket_ParsesOrThrowsDnsFormatException(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusDirectory, file));

        for (var length = 0; length <= bytes.Length; length++)
        {
            try
            {
                DnsMessageReader.Read(bytes.AsSpan(0, length));
            }
            catch (DnsFormatException)
            {
            }
        }
    }
}
