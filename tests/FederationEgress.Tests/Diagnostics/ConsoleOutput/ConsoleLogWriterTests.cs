using FederationEgress.Diagnostics.ConsoleOutput;

namespace FederationEgress.Tests.Diagnostics.ConsoleOutput;

public sealed class ConsoleLogWriterTests
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Fact]
    public async Task Enqueue_Lines_WrittenInOrderWithinTheFlushInterval()
    {
        var stdout = new StringWriter();
        using var writer = new ConsoleLogWriter(TextWriter.Synchronized(stdout), TextWriter.Null, TimeSpan.FromMilliseconds(20));

        writer.Enqueue("one\n", error: false);
        writer.Enqueue("two\n", error: false);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (stdout.ToString() != "one\ntwo\n" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal("one\ntwo\n", stdout.ToString());
    }

    [Fact]
    public void Dispose_BatchOfAccessLogLinesOnStandardStreams_OneWriteOnTheStream()
    {
        // Console.Out's writer flushes every 256 characters: a batch through it took one write(2)
        // per 256 bytes. The standard-stream output buffers the whole batch.
        var stdout = new CountingStream();
        var output = ConsoleLogOutput.ForStreams(stdout, new CountingStream());
        var writer = new ConsoleLogWriter(output.Stdout, output.Stderr, Never);
        var line = "info: FederationEgress.AccessLog[7010]\n      GET 127.0.0.1:18443 200 in 0.4 ms via 127.0.0.1:18443 error -\n";

        for (var i = 0; i < 200; i++)
        {
            writer.Enqueue(line, error: false);
        }

        writer.Dispose();

        Assert.Equal(1, stdout.Writes);
        Assert.Equal(200 * line.Length, stdout.Bytes);
    }

    [Fact]
    public void Dispose_LinesStillQueued_AreWritten()
    {
        var stdout = new StringWriter();
        var writer = new ConsoleLogWriter(stdout, TextWriter.Null, Never);

        writer.Enqueue("queued\n", error: false);
        Assert.Equal(string.Empty, stdout.ToString());
        writer.Dispose();

        Assert.Equal("queued\n", stdout.ToString());
    }

    [Fact]
    public void Enqueue_ErrorLine_GoesToStandardError()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var writer = new ConsoleLogWriter(stdout, stderr, Never);

        writer.Enqueue("info\n", error: false);
        writer.Enqueue("fail\n", error: true);
        writer.Dispose();

        Assert.Equal("info\n", stdout.ToString());
        Assert.Equal("fail\n", stderr.ToString());
    }

    [Fact]
    public void Enqueue_MoreThanTheQueueHolds_DropsTheRestAndSaysHowMany()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var writer = new ConsoleLogWriter(stdout, stderr, Never, maxQueuedLines: 3);

        for (var i = 0; i < 5; i++)
        {
            writer.Enqueue($"line {i}\n", error: false);
        }

        Assert.Equal(2, writer.Dropped);
        writer.Dispose();

        Assert.Equal("line 0\nline 1\nline 2\n", stdout.ToString());
        Assert.Contains("2 log lines dropped", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Enqueue_AfterDispose_IsDroppedNotThrown()
    {
        var stdout = new StringWriter();
        var writer = new ConsoleLogWriter(stdout, TextWriter.Null, Never);
        writer.Dispose();

        writer.Enqueue("late\n", error: false);

        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Equal(1, writer.Dropped);
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public long Bytes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            Bytes += buffer.Length;
        }
    }
}
