using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FederationEgress.BenchTool.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FederationEgress.BenchTool.Memory;

/// <summary>
/// Streams a large response and a large request body through a running proxy (path mode) to a
/// TLS server in this process, verifying both by SHA-256 at the far end and sampling the proxy's
/// RSS from /proc every 50 ms: the proxy must stream, not buffer.
/// </summary>
internal static class StreamingBenchmark
{
    private const int ChunkSize = 64 * 1024;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var proxy = args.String("proxy") ?? throw new ArgumentException("--proxy http://127.0.0.1:<port> is required");
        var pid = args.String("pid") ?? throw new ArgumentException("--pid <proxy pid> is required");
        var certFile = args.String("cert") ?? throw new ArgumentException("--cert <origin.pem> is required");
        var keyFile = args.String("key") ?? throw new ArgumentException("--key <origin.key> is required");
        var sizeMiB = args.Int("size-mib", 1024);
        args.EnsureAllRead();
        long size = sizeMiB * 1024L * 1024L;

        using var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        using var loaded = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        string? servedHash = null;
        string? receivedHash = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttps(loaded);
            });
        });
        await using var app = builder.Build();
        app.MapGet("/_matrix/federation/v1/media/download/bench-blob", async context =>
        {
            // ?bytes=N serves a shorter body (the warm-up).
            var length = long.TryParse(context.Request.Query["bytes"], CultureInfo.InvariantCulture, out var n) ? n : size;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await foreach (var chunk in Chunks(length))
            {
                hash.AppendData(chunk.Span);
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }

            servedHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        });
        app.MapPut("/_matrix/federation/v1/send/bench-blob", async context =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
            }

            receivedHash = Convert.ToHexStringLower(hash.GetHashAndReset());
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"sha256\":\"{receivedHash}\"}}");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var destination = $"{proxy.TrimEnd('/')}/127.0.0.1:{port}";

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var failures = 0;
        var inv = CultureInfo.InvariantCulture;

        // Warm-up (JIT, connection pool, buffers): a 1 MiB body each way, not measured.
        using (var warm = await client.GetAsync($"{destination}/_matrix/federation/v1/media/download/bench-blob?bytes=1048576"))
        {
            warm.EnsureSuccessStatusCode();
            await warm.Content.ReadAsByteArrayAsync();
        }

        using (var warm = await client.PutAsync($"{destination}/_matrix/federation/v1/send/bench-blob", new ByteArrayContent(new byte[1048576])))
        {
            warm.EnsureSuccessStatusCode();
        }

        // Response direction.
        var (rssBefore, peak, seconds, clientHash) = await SampleWhileAsync(pid, async () =>
        {
            using var response = await client.GetAsync($"{destination}/_matrix/federation/v1/media/download/bench-blob", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkSize];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
                total += read;
            }

            return total == size ? Convert.ToHexStringLower(hash.GetHashAndReset()) : $"short read: {total} bytes";
        });
        var okDown = clientHash == servedHash;
        failures += okDown ? 0 : 1;
        Report(inv, "response", sizeMiB, rssBefore, peak, seconds, okDown, clientHash, servedHash);

        // Request direction.
        string? sentHash = null;
        (rssBefore, peak, seconds, var echoed) = await SampleWhileAsync(pid, async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var content = new StreamContent(new GeneratedStream(size, hash, h => sentHash = h), ChunkSize);
            content.Headers.ContentLength = size;
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            using var response = await client.PutAsync($"{destination}/_matrix/federation/v1/send/bench-blob", content);
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? text : $"HTTP {(int)response.StatusCode}: {text}";
        });
        var okUp = sentHash is not null && receivedHash == sentHash && echoed.Contains(sentHash, StringComparison.Ordinal);
        failures += okUp ? 0 : 1;
        Report(inv, "request", sizeMiB, rssBefore, peak, seconds, okUp, receivedHash, sentHash);
        if (!okUp)
        {
            Console.WriteLine($"  proxy answered: {echoed[..Math.Min(300, echoed.Length)]}");
        }

        await app.StopAsync();
        return failures == 0 ? 0 : 1;
    }

    private static void Report(IFormatProvider inv, string direction, int sizeMiB, long before, long peak, double seconds, bool ok, string? farEnd, string? expected)
    {
        var growth = peak - before;
        Console.WriteLine(string.Create(inv, $"{direction} body {sizeMiB} MiB through the proxy: {seconds:F1} s ({sizeMiB / seconds:F0} MiB/s); proxy RSS {ProcessStats.MiB(before)} -> peak {ProcessStats.MiB(peak)} MiB (+{ProcessStats.MiB(growth)} MiB, target <= 64); SHA-256 {(ok ? "match" : "MISMATCH")} {farEnd}"));
        Console.WriteLine(string.Create(inv, $"RESULT direction={direction} size_mib={sizeMiB} seconds={seconds:F2} mib_per_s={sizeMiB / seconds:F1} rss_before_mib={ProcessStats.MiB(before)} rss_peak_mib={ProcessStats.MiB(peak)} rss_growth_mib={ProcessStats.MiB(growth)} sha256_match={(ok ? "yes" : "no")} expected={expected}"));
    }

    private static async Task<(long Before, long Peak, double Seconds, T Result)> SampleWhileAsync<T>(string pid, Func<Task<T>> work)
    {
        var before = ProcessStats.RssBytes(pid);
        if (before < 0)
        {
            throw new ArgumentException($"cannot read /proc/{pid}/status");
        }

        var peak = before;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessStats.RssBytes(pid));
                try
                {
                    await timer.WaitForNextTickAsync(done.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var start = Stopwatch.GetTimestamp();
        var result = await work();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await done.CancelAsync();
        await sampler;
        peak = Math.Max(peak, ProcessStats.RssBytes(pid));
        return (before, peak, seconds, result);
    }

    /// <summary>Deterministic pseudo-random bytes (xorshift), the same sequence for both directions.</summary>
    internal static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(long size)
    {
        var buffer = new byte[ChunkSize];
        var state = 0x9E3779B97F4A7C15UL;
        for (long sent = 0; sent < size; sent += ChunkSize)
        {
            state = Fill(buffer, state);
            yield return buffer.AsMemory(0, (int)Math.Min(ChunkSize, size - sent));
        }

        await Task.CompletedTask;
    }

    internal static ulong Fill(Span<byte> buffer, ulong state)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer);
        for (var i = 0; i < words.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            words[i] = state;
        }

        return state;
    }

    /// <summary>A read-only stream producing <see cref="Chunks"/> bytes and hashing what it hands out.</summary>
    private sealed class GeneratedStream(long size, IncrementalHash hash, Action<string> completed) : Stream
    {
        private readonly byte[] _chunk = new byte[ChunkSize];
        private ulong _state = 0x9E3779B97F4A7C15UL;
        private long _produced;
        private int _offset = ChunkSize;
        private int _available = ChunkSize;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => _produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_produced >= size)
            {
                return 0;
            }

            if (_offset >= _available)
            {
                _state = Fill(_chunk, _state);
                _offset = 0;
                _available = (int)Math.Min(ChunkSize, size - _produced);
            }

            var n = Math.Min(buffer.Length, _available - _offset);
            _chunk.AsSpan(_offset, n).CopyTo(buffer);
            hash.AppendData(_chunk.AsSpan(_offset, n));
            _offset += n;
            _produced += n;
            if (_produced == size)
            {
                completed(Convert.ToHexStringLower(hash.GetHashAndReset()));
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
