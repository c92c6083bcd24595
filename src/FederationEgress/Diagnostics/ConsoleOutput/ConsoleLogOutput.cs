using System.Text;

namespace FederationEgress.Diagnostics.ConsoleOutput;

/// <summary>Where <see cref="ConsoleLogWriter"/> writes its batches: standard output and standard error.</summary>
internal sealed class ConsoleLogOutput
{
    /// <summary>Buffer of the standard streams' writers; a batch larger than this takes several writes.</summary>
    internal const int BufferBytes = 64 * 1024;

    public ConsoleLogOutput(TextWriter stdout, TextWriter stderr)
    {
        Stdout = stdout;
        Stderr = stderr;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary>
    /// The process's standard streams with large buffers. Not <see cref="Console.Out"/>: its
    /// writer flushes every 256 characters, so a batch of access-log lines cost one write(2) per
    /// 256 bytes (about one per two requests) instead of one per batch.
    /// </summary>
    public static ConsoleLogOutput OpenStandard() => ForStreams(Console.OpenStandardOutput(), Console.OpenStandardError());

    /// <summary>UTF-8 writers with <see cref="BufferBytes"/> buffers over the two streams.</summary>
    internal static ConsoleLogOutput ForStreams(Stream stdout, Stream stderr) => new(Open(stdout), Open(stderr));

    private static StreamWriter Open(Stream stream) => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferBytes) { AutoFlush = false };
}
