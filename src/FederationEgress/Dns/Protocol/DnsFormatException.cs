namespace FederationEgress.Dns.Protocol;

/// <summary>
/// A DNS message could not be read or written: truncated, inconsistent counts, bad compression
/// pointers, over-long names. The only exception <see cref="DnsMessageReader"/> throws for bad input.
/// </summary>
public sealed class DnsFormatException : Exception
{
    public DnsFormatException(string message)
        : base(message)
    {
    }

    public DnsFormatException(string message, int offset)
        : base($"{message} (at byte {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the message where the problem was found, when known.</summary>
    public int? Offset { get; }
}
