using System.Diagnostics;

namespace FederationEgress.BenchTool.Shared;

/// <summary>Collects per-operation durations (thread-safe appends into a pre-sized array) and reports percentiles.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly double[] _milliseconds = new double[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _milliseconds.Length);

    public void Record(long startTimestamp)
    {
        var ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        var i = Interlocked.Increment(ref _count) - 1;
        if (i < _milliseconds.Length)
        {
            _milliseconds[i] = ms;
        }
    }

    public double Percentile(double p)
    {
        var n = Count;
        if (n == 0)
        {
            return double.NaN;
        }

        var sorted = _milliseconds.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * n) - 1;
        return sorted[Math.Clamp(rank, 0, n - 1)];
    }
}
