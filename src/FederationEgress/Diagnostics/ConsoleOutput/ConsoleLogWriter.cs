using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace FederationEgress.Diagnostics.ConsoleOutput;

/// <summary>
/// Writes formatted log lines to stdout/stderr from one background loop, in batches. Loggers only
/// enqueue: unlike the framework's console logger, which wakes its writer thread for nearly every
/// line under load (a context switch and a write(2) per forwarded request once the access log is
/// on), this drains every <see cref="FlushInterval"/> with one write per batch, as nginx's
/// <c>access_log … buffer= flush=</c> does. Lines over <see cref="MaxQueuedLines"/> are dropped and
/// the drop is reported in the output rather than stalling requests. Dispose flushes what is queued.
/// </summary>
internal sealed class ConsoleLogWriter : IDisposable
{
    /// <summary>How long a line may wait before it is written.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Lines held at most while output is slower than logging (about 10 MiB of typical lines).</summary>
    public const int MaxQueuedLines = 50_000;

    private const int MaxRetainedBatchChars = 256 * 1024;

    private readonly ConcurrentQueue<(string Text, bool Error)> _queue = new();
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly StringBuilder _outBatch = new();
    private readonly StringBuilder _errBatch = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly int _maxQueuedLines;
    private readonly TimeSpan _flushInterval;
    private int _queued;
    private long _dropped;
    private int _disposed;

    /// <summary>Writes to <paramref name="output"/>'s standard output and error writers.</summary>
    public ConsoleLogWriter(ConsoleLogOutput output)
        : this(output.Stdout, output.Stderr)
    {
    }

    internal ConsoleLogWriter(TextWriter stdout, TextWriter stderr, TimeSpan? flushInterval = null, int maxQueuedLines = MaxQueuedLines)
    {
        _stdout = stdout;
        _stderr = stderr;
        _flushInterval = flushInterval ?? FlushInterval;
        _maxQueuedLines = maxQueuedLines;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Lines dropped because the output could not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one formatted line (with its newline); never blocks.</summary>
    public void Enqueue(string text, bool error)
    {
        if (Interlocked.Increment(ref _queued) > _maxQueuedLines || Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue((text, error));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop only ends by cancellation; a failed write was already swallowed per batch.
        }

        Drain();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_flushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                Drain();
            }
        }
        catch (OperationCanceledException)
        {
            // Dispose drains the rest.
        }
    }

    private void Drain()
    {
        lock (_queue)
        {
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                _errBatch.Append(CultureInfo.InvariantCulture, $"FederationEgress: {dropped} log lines dropped: the console could not keep up").Append(Environment.NewLine);
            }

            while (_queue.TryDequeue(out var line))
            {
                Interlocked.Decrement(ref _queued);
                (line.Error ? _errBatch : _outBatch).Append(line.Text);
            }

            // One write (and so one write(2) on the console stream) per batch and stream.
            Write(_stdout, _outBatch);
            Write(_stderr, _errBatch);
        }
    }

    private static void Write(TextWriter writer, StringBuilder batch)
    {
        if (batch.Length == 0)
        {
            return;
        }

        try
        {
            // The chunks as they are (no string copy of the batch), then one flush: one write(2)
            // per batch up to the writer's buffer size.
            writer.Write(batch);
            writer.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A closed or broken console must not take the proxy down; the lines are lost either way.
        }

        batch.Clear();
        if (batch.Capacity > MaxRetainedBatchChars)
        {
            batch.Capacity = MaxRetainedBatchChars;
        }
    }
}
