using System.Buffers;

namespace FederationEgress.FrontEnds.Synapse;

/// <summary>
/// Incremental HTTP/1.1 request-stream rewriter for the Synapse listener. Turns every
/// <c>METHOD matrix-federation://authority/path?query HTTP/1.1</c> head into origin-form
/// <c>METHOD /authority/path?query HTTP/1.1</c> (which Kestrel accepts) and re-frames bodies, so
/// that Kestrel parses exactly the message boundaries this class decided. Anything ambiguous
/// (conflicting framing, obs-fold, bare CR/LF, bad chunk sizes, oversize heads) stops the stream:
/// a second request can never be smuggled past the rewriter.
/// </summary>
/// <remarks>
/// Bodies stream through without buffering. Chunk-size lines are re-emitted canonically (chunk
/// extensions dropped) and trailers are validated and dropped, so Kestrel never has to agree with
/// this parser on those obscure parts of the grammar.
/// </remarks>
internal sealed class SynapseRequestRewriter
{
    /// <summary>Largest request head accepted (Kestrel's default MaxRequestHeadersTotalSize).</summary>
    public const int MaxRequestHeadBytes = 32 * 1024;

    /// <summary>Largest chunk-size line (size + extensions) accepted.</summary>
    public const int MaxChunkLineBytes = 4 * 1024;

    /// <summary>Empty lines tolerated before a request line (RFC 9112 §2.2 says ignore at least one).</summary>
    private const int MaxLeadingEmptyLines = 4;

    /// <summary>Chunk sizes above 15 hex digits would overflow a long.</summary>
    private const int MaxChunkSizeDigits = 15;

    private static ReadOnlySpan<byte> Scheme => "matrix-federation://"u8;

    private State _state = State.Head;
    private State _failedIn = State.Head;
    private long _remaining;
    private int _leadingEmptyLines;
    private long _trailerBytes;

    private enum State
    {
        Head,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Failed,
    }

    private enum LineStatus
    {
        Complete,
        Incomplete,
        TooLong,
        BareLf,
        BareCr,
    }

    /// <summary>Why the stream was rejected; null while it is well-formed.</summary>
    public string? Error { get; private set; }

    /// <summary>True when the error was found in a request head, before any byte of it was emitted.</summary>
    public bool ErrorAtMessageBoundary { get; private set; }

    /// <summary>True between requests (nothing of a message is pending).</summary>
    public bool AtMessageBoundary => _state == State.Head;

    /// <summary>
    /// After a mid-body rejection: bytes that are invalid at the point Kestrel's chunked parser has
    /// reached (chunk-size line, chunk-data CRLF, or trailer line), so Kestrel fails the request with
    /// 400 and closes rather than waiting for more body.
    /// </summary>
    public ReadOnlySpan<byte> PoisonForKestrel => _failedIn switch
    {
        State.ChunkDataEnd => "!!\r\n\r\n"u8,
        State.Trailers => "!\r\n\r\n"u8,
        _ => "!\r\n\r\n"u8,
    };

    /// <summary>Number of request heads rewritten so far.</summary>
    public long RequestCount { get; private set; }

    /// <summary>
    /// Consumes as much of <paramref name="buffer"/> as can be decided, writing the rewritten bytes
    /// to <paramref name="output"/>; <paramref name="buffer"/> is left at the first undecided byte.
    /// Returns false once the stream is rejected (see <see cref="Error"/>).
    /// </summary>
    public bool Process(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output)
    {
        while (true)
        {
            switch (_state)
            {
                case State.Failed:
                    return false;

                case State.Head:
                    if (buffer.IsEmpty)
                    {
                        return true;
                    }

                    if (!TryProcessHead(ref buffer, output, out var needMore))
                    {
                        return false;
                    }

                    if (needMore)
                    {
                        return true;
                    }

                    break;

                case State.FixedBody:
                case State.ChunkData:
                    if (buffer.IsEmpty)
                    {
                        return true;
                    }

                    var take = Math.Min(_remaining, buffer.Length);
                    foreach (var segment in buffer.Slice(0, take))
                    {
                        output.Write(segment.Span);
                    }

                    buffer = buffer.Slice(take);
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = _state == State.FixedBody ? State.Head : State.ChunkDataEnd;
                    }

                    break;

                case State.ChunkDataEnd:
                    if (buffer.Length < 2)
                    {
                        return true;
                    }

                    if (!StartsWithCrlf(buffer))
                    {
                        return Fail("chunk data is not followed by CRLF", atBoundary: false);
                    }

                    output.Write("\r\n"u8);
                    buffer = buffer.Slice(2);
                    _state = State.ChunkSize;
                    break;

                case State.ChunkSize:
                    if (!TryProcessChunkSize(ref buffer, output, out needMore))
                    {
                        return false;
                    }

                    if (needMore)
                    {
                        return true;
                    }

                    break;

                case State.Trailers:
                    if (!TryProcessTrailer(ref buffer, output, out needMore))
                    {
                        return false;
                    }

                    if (needMore)
                    {
                        return true;
                    }

                    break;
            }
        }
    }

    private bool TryProcessHead(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output, out bool needMore)
    {
        needMore = false;
        ReadOnlySequence<byte> line;
        SequencePosition next;
        LineStatus status;

        // Empty lines before the request line are skipped (and never forwarded).
        while (true)
        {
            status = TakeLine(buffer, MaxRequestHeadBytes, out line, out next);
            if (status == LineStatus.Incomplete)
            {
                needMore = true;
                return true;
            }

            if (status != LineStatus.Complete)
            {
                return FailLine(status);
            }

            if (!line.IsEmpty)
            {
                break;
            }

            if (++_leadingEmptyLines > MaxLeadingEmptyLines)
            {
                return Fail("too many empty lines before the request line", atBoundary: true);
            }

            buffer = buffer.Slice(next);
        }

        // Find the blank line that ends the head; nothing is consumed until the whole head is here.
        var rest = buffer;
        while (true)
        {
            status = TakeLine(rest, MaxRequestHeadBytes, out line, out next);
            if (status == LineStatus.Incomplete)
            {
                if (buffer.Length > MaxRequestHeadBytes)
                {
                    return Fail("request head exceeds " + MaxRequestHeadBytes + " bytes", atBoundary: true);
                }

                needMore = true;
                return true;
            }

            if (status != LineStatus.Complete)
            {
                return FailLine(status);
            }

            rest = rest.Slice(next);
            if (buffer.Length - rest.Length > MaxRequestHeadBytes)
            {
                return Fail("request head exceeds " + MaxRequestHeadBytes + " bytes", atBoundary: true);
            }

            if (line.IsEmpty)
            {
                break;
            }
        }

        var head = buffer.Slice(0, next);
        var length = (int)head.Length;
        byte[]? rented = null;
        var span = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            head.CopyTo(span);
            if (!TryRewriteHead(span, output))
            {
                return false;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        buffer = buffer.Slice(next);
        _leadingEmptyLines = 0;
        RequestCount++;
        return true;
    }

    /// <summary>Validates a complete head (request line, fields, final CRLF) and emits its rewrite.</summary>
    private bool TryRewriteHead(ReadOnlySpan<byte> head, IBufferWriter<byte> output)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = head[..lineEnd];
        var fields = head[(lineEnd + 2)..];

        var firstSpace = requestLine.IndexOf((byte)' ');
        if (firstSpace <= 0)
        {
            return Fail("malformed request line", atBoundary: true);
        }

        var method = requestLine[..firstSpace];
        var afterMethod = requestLine[(firstSpace + 1)..];
        var secondSpace = afterMethod.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return Fail("malformed request line", atBoundary: true);
        }

        var target = afterMethod[..secondSpace];
        var version = afterMethod[(secondSpace + 1)..];
        if (!HttpSyntax.IsToken(method))
        {
            return Fail("malformed request method", atBoundary: true);
        }

        if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return Fail("only HTTP/1.1 is accepted on the Synapse listener", atBoundary: true);
        }

        if (method.SequenceEqual("CONNECT"u8))
        {
            return Fail("CONNECT is not accepted on the Synapse listener", atBoundary: true);
        }

        foreach (var b in target)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return Fail("request target contains a byte that is not visible ASCII", atBoundary: true);
            }
        }

        if (target.Length < Scheme.Length || !HttpSyntax.EqualsIgnoreCase(target[..Scheme.Length], Scheme))
        {
            return Fail("request target must be absolute-form matrix-federation://<destination>/<path>", atBoundary: true);
        }

        var afterScheme = target[Scheme.Length..];
        var authorityEnd = afterScheme.IndexOfAny("/?#"u8);
        var authority = authorityEnd < 0 ? afterScheme : afterScheme[..authorityEnd];
        var pathAndQuery = authorityEnd < 0 ? ReadOnlySpan<byte>.Empty : afterScheme[authorityEnd..];
        if (authority.IsEmpty)
        {
            return Fail("request target has an empty destination", atBoundary: true);
        }

        if (authority.Contains((byte)'@'))
        {
            return Fail("request target must not carry userinfo", atBoundary: true);
        }

        if (pathAndQuery.Contains((byte)'#'))
        {
            return Fail("request target must not carry a fragment", atBoundary: true);
        }

        if (HasDotSegment(pathAndQuery))
        {
            // Kestrel would normalise "/dest/../other/…" to "/other/…": the destination must not change.
            return Fail("request path contains a dot-segment", atBoundary: true);
        }

        if (!ValidateFields(fields, out var contentLength, out var chunked))
        {
            return false;
        }

        // Validated: emit. Nothing was written before this point, so a rejection above is clean.
        output.Write(method);
        output.Write(" /"u8);
        WriteEncodedAuthority(authority, output);
        if (pathAndQuery.IsEmpty || pathAndQuery[0] == (byte)'?')
        {
            output.Write("/"u8);
        }

        output.Write(pathAndQuery);
        output.Write(" HTTP/1.1\r\n"u8);
        EmitFields(fields, output);
        output.Write("\r\n"u8);

        if (chunked)
        {
            _state = State.ChunkSize;
        }
        else if (contentLength > 0)
        {
            _remaining = contentLength;
            _state = State.FixedBody;
        }

        return true;
    }

    private bool ValidateFields(ReadOnlySpan<byte> fields, out long contentLength, out bool chunked)
    {
        contentLength = -1;
        chunked = false;
        var sawTransferEncoding = false;
        while (true)
        {
            var end = fields.IndexOf("\r\n"u8);
            var field = fields[..end];
            fields = fields[(end + 2)..];
            if (field.IsEmpty)
            {
                break;
            }

            if (!TryParseField(field, out var name, out var value, out var error))
            {
                return Fail(error, atBoundary: true);
            }

            if (HttpSyntax.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!HttpSyntax.TryParseDecimal(value, out var parsed))
                {
                    return Fail("invalid Content-Length", atBoundary: true);
                }

                if (contentLength >= 0 && contentLength != parsed)
                {
                    return Fail("multiple differing Content-Length headers", atBoundary: true);
                }

                contentLength = parsed;
            }
            else if (HttpSyntax.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                if (sawTransferEncoding)
                {
                    return Fail("multiple Transfer-Encoding headers", atBoundary: true);
                }

                sawTransferEncoding = true;
                if (!HttpSyntax.EqualsIgnoreCase(value, "chunked"u8))
                {
                    return Fail("Transfer-Encoding other than exactly chunked", atBoundary: true);
                }

                chunked = true;
            }
            else if (HttpSyntax.EqualsIgnoreCase(name, "upgrade"u8))
            {
                return Fail("Upgrade is not accepted on the Synapse listener", atBoundary: true);
            }
        }

        if (chunked && contentLength >= 0)
        {
            return Fail("both Content-Length and Transfer-Encoding", atBoundary: true);
        }

        return true;
    }

    private static void EmitFields(ReadOnlySpan<byte> fields, IBufferWriter<byte> output)
    {
        var contentLengthWritten = false;
        while (true)
        {
            var end = fields.IndexOf("\r\n"u8);
            var field = fields[..end];
            fields = fields[(end + 2)..];
            if (field.IsEmpty)
            {
                return;
            }

            var colon = field.IndexOf((byte)':');
            if (HttpSyntax.EqualsIgnoreCase(field[..colon], "content-length"u8))
            {
                // Identical duplicates were accepted; Kestrel rejects any repetition, so send one.
                if (contentLengthWritten)
                {
                    continue;
                }

                contentLengthWritten = true;
            }

            output.Write(field);
            output.Write("\r\n"u8);
        }
    }

    private static bool TryParseField(ReadOnlySpan<byte> field, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out string error)
    {
        name = default;
        value = default;
        if (field[0] is (byte)' ' or (byte)'\t')
        {
            error = "obsolete line folding (obs-fold) in a header";
            return false;
        }

        var colon = field.IndexOf((byte)':');
        if (colon <= 0 || !HttpSyntax.IsToken(field[..colon]))
        {
            error = "malformed header field name";
            return false;
        }

        name = field[..colon];
        value = HttpSyntax.TrimOws(field[(colon + 1)..]);
        if (!HttpSyntax.IsValidFieldValue(value))
        {
            error = "control character in a header value";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private bool TryProcessChunkSize(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output, out bool needMore)
    {
        needMore = false;
        var status = TakeLine(buffer, MaxChunkLineBytes, out var line, out var next);
        if (status == LineStatus.Incomplete)
        {
            needMore = true;
            return true;
        }

        if (status != LineStatus.Complete)
        {
            return FailLine(status);
        }

        Span<byte> span = stackalloc byte[(int)line.Length];
        line.CopyTo(span);
        long size = 0;
        var digits = 0;
        while (digits < span.Length && HexValue(span[digits]) is var hex and >= 0)
        {
            if (digits == MaxChunkSizeDigits)
            {
                return Fail("chunk size too large", atBoundary: false);
            }

            size = (size << 4) | (uint)hex;
            digits++;
        }

        if (digits == 0)
        {
            return Fail("invalid chunk size", atBoundary: false);
        }

        var extension = HttpSyntax.TrimOws(span[digits..]);
        if (!extension.IsEmpty && (extension[0] != (byte)';' || !HttpSyntax.IsValidFieldValue(extension)))
        {
            return Fail("invalid chunk size", atBoundary: false);
        }

        buffer = buffer.Slice(next);

        // Canonical size line: Kestrel never sees the client's extensions or odd spellings.
        Span<byte> hexBuffer = stackalloc byte[MaxChunkSizeDigits];
        size.TryFormat(hexBuffer, out var written, "X", System.Globalization.CultureInfo.InvariantCulture);
        output.Write(hexBuffer[..written]);
        output.Write("\r\n"u8);
        if (size == 0)
        {
            _trailerBytes = 0;
            _state = State.Trailers;
        }
        else
        {
            _remaining = size;
            _state = State.ChunkData;
        }

        return true;
    }

    private bool TryProcessTrailer(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output, out bool needMore)
    {
        needMore = false;
        var status = TakeLine(buffer, MaxRequestHeadBytes, out var line, out var next);
        if (status == LineStatus.Incomplete)
        {
            needMore = true;
            return true;
        }

        if (status != LineStatus.Complete)
        {
            return FailLine(status, atBoundary: false);
        }

        _trailerBytes += buffer.Slice(0, next).Length;
        if (_trailerBytes > MaxRequestHeadBytes)
        {
            return Fail("trailer section exceeds " + MaxRequestHeadBytes + " bytes", atBoundary: false);
        }

        buffer = buffer.Slice(next);
        if (line.IsEmpty)
        {
            // Trailers are dropped: only User-Agent, Authorization and Content-Type are forwarded.
            output.Write("\r\n"u8);
            _state = State.Head;
            return true;
        }

        Span<byte> span = line.Length <= 1024 ? stackalloc byte[(int)line.Length] : new byte[line.Length];
        line.CopyTo(span);
        if (!TryParseField(span, out _, out _, out var error))
        {
            return Fail("trailer: " + error, atBoundary: false);
        }

        return true;
    }

    /// <summary>True when a path segment is "." or ".." (also percent-encoded, which Kestrel decodes first).</summary>
    private static bool HasDotSegment(ReadOnlySpan<byte> pathAndQuery)
    {
        var query = pathAndQuery.IndexOf((byte)'?');
        var path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        while (!path.IsEmpty)
        {
            path = path[1..];
            var next = path.IndexOf((byte)'/');
            var segment = next < 0 ? path : path[..next];
            var dots = 0;
            var i = 0;
            while (i < segment.Length)
            {
                if (segment[i] == (byte)'.')
                {
                    i++;
                }
                else if (i + 2 < segment.Length && segment[i] == (byte)'%' && segment[i + 1] == (byte)'2' && (segment[i + 2] | 0x20) == (byte)'e')
                {
                    i += 3;
                }
                else
                {
                    dots = -1;
                    break;
                }

                dots++;
            }

            if (dots is 1 or 2)
            {
                return true;
            }

            path = next < 0 ? ReadOnlySpan<byte>.Empty : path[next..];
        }

        return false;
    }

    private static bool StartsWithCrlf(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.IsNext("\r\n"u8);
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// Percent-encodes everything in the destination that is not allowed raw in a path segment,
    /// keeping ':' and IPv6 brackets so the path-mode endpoint sees the server name unchanged.
    /// </summary>
    private static void WriteEncodedAuthority(ReadOnlySpan<byte> authority, IBufferWriter<byte> output)
    {
        foreach (var b in authority)
        {
            if (IsRawAuthorityByte(b))
            {
                output.Write([b]);
            }
            else
            {
                output.Write([(byte)'%', (byte)"0123456789ABCDEF"[b >> 4], (byte)"0123456789ABCDEF"[b & 0xF]]);
            }
        }
    }

    private static bool IsRawAuthorityByte(byte b) => b switch
    {
        >= (byte)'a' and <= (byte)'z' => true,
        >= (byte)'A' and <= (byte)'Z' => true,
        >= (byte)'0' and <= (byte)'9' => true,
        (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)':' or (byte)'[' or (byte)']' => true,
        (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'=' => true,
        _ => false,
    };

    private static LineStatus TakeLine(ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        line = default;
        next = default;
        var lf = buffer.PositionOf((byte)'\n');
        if (lf is null)
        {
            return buffer.Length > maxLength ? LineStatus.TooLong : LineStatus.Incomplete;
        }

        var withCr = buffer.Slice(0, lf.Value);
        if (withCr.Length > maxLength)
        {
            return LineStatus.TooLong;
        }

        if (withCr.IsEmpty || withCr.Slice(withCr.Length - 1).FirstSpan[0] != (byte)'\r')
        {
            return LineStatus.BareLf;
        }

        line = withCr.Slice(0, withCr.Length - 1);
        if (line.PositionOf((byte)'\r') is not null)
        {
            return LineStatus.BareCr;
        }

        next = buffer.GetPosition(1, lf.Value);
        return LineStatus.Complete;
    }

    private bool FailLine(LineStatus status, bool? atBoundary = null) => Fail(
        status switch
        {
            LineStatus.TooLong => _state == State.Head ? "request head exceeds " + MaxRequestHeadBytes + " bytes" : "line too long",
            LineStatus.BareLf => "bare LF (line not ended by CRLF)",
            _ => "bare CR inside a line",
        },
        atBoundary ?? _state == State.Head);

    private bool Fail(string reason, bool atBoundary)
    {
        Error = reason;
        ErrorAtMessageBoundary = atBoundary;
        _failedIn = _state;
        _state = State.Failed;
        return false;
    }
}
