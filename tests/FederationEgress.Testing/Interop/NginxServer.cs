using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FederationEgress.Testing.Interop;

/// <summary>
/// A real nginx serving HTTPS on a loopback address with a certificate (e.g. from
/// <c>TestCertificateAuthority</c>), for end-to-end interop. Runs in the foreground from a private
/// temporary prefix (config, PEM files, pid and logs), killed on dispose.
/// <para>
/// Configured <see cref="NginxLocation"/>s answer their exact paths; every other request gets 200
/// with a JSON echo of what nginx saw: <c>{"method","uri","host","sni"}</c>. <see cref="Requests"/>
/// reads the access log (SNI, Host, method, target, status).
/// </para>
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private const int StartAttempts = 5;
    private const char LogSeparator = '\u001f';
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    private readonly ServerProcess _process;

    private NginxServer(ServerProcess process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    /// <summary>Where nginx listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The listening port.</summary>
    public int Port => EndPoint.Port;

    /// <summary>https://address:port/ (IPv6 in brackets).</summary>
    public Uri BaseAddress => new($"https://{EndPoint}/");

    /// <summary>nginx's stderr and error log so far.</summary>
    public string ErrorLog
    {
        get
        {
            var path = Path.Combine(_process.Directory, "error.log");
            return _process.Output + (File.Exists(path) ? ReadShared(path) : string.Empty);
        }
    }

    /// <summary>Requests nginx finished, from its access log, in order.</summary>
    public IReadOnlyList<NginxRequest> Requests
    {
        get
        {
            var path = Path.Combine(_process.Directory, "access.log");
            if (!File.Exists(path))
            {
                return [];
            }

            return ReadShared(path)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(LogSeparator))
                .Where(fields => fields.Length == 5)
                .Select(f => new NginxRequest(f[0] == "-" ? string.Empty : f[0], f[1], f[2], f[3], int.Parse(f[4], CultureInfo.InvariantCulture)))
                .ToList();
        }
    }

    /// <summary>
    /// Starts nginx on <paramref name="address"/> (default 127.0.0.1) and <paramref name="port"/>
    /// (0: a free port), presenting <paramref name="certificate"/> (which must carry its private key;
    /// ECDSA or RSA).
    /// </summary>
    public static async Task<NginxServer> StartAsync(
        X509Certificate2 certificate,
        IPAddress? address = null,
        IEnumerable<NginxLocation>? locations = null,
        CancellationToken cancellationToken = default,
        int port = 0)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var binary = InteropBinaries.Require("nginx");
        address ??= IPAddress.Loopback;
        var locationList = locations?.ToList() ?? [];
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < StartAttempts; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("fe-nginx-").FullName;
            await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem(), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), PrivateKeyPem(certificate), cancellationToken).ConfigureAwait(false);
            var endPoint = new IPEndPoint(address, port == 0 ? FreeTcpPort(address) : port);
            var configPath = Path.Combine(directory, "nginx.conf");
            await File.WriteAllTextAsync(configPath, Config(directory, endPoint, locationList), cancellationToken).ConfigureAwait(false);

            // -e: the early error log, before nginx has read the config (else it tries /var/log/nginx).
            var process = ServerProcess.Start(binary, ["-p", directory + "/", "-c", configPath, "-e", Path.Combine(directory, "early-error.log")], directory);
            if (await WaitUntilListeningAsync(process, endPoint, cancellationToken).ConfigureAwait(false))
            {
                return new NginxServer(process, endPoint);
            }

            var early = Path.Combine(directory, "early-error.log");
            var errorLog = Path.Combine(directory, "error.log");
            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt + 1} on {endPoint}:")
                .AppendLine(process.Output)
                .AppendLine(File.Exists(early) ? ReadShared(early) : string.Empty)
                .AppendLine(File.Exists(errorLog) ? ReadShared(errorLog) : string.Empty);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        throw new InvalidOperationException($"nginx did not start:{Environment.NewLine}{failures}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Config(string directory, IPEndPoint endPoint, List<NginxLocation> locations)
    {
        var listen = endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : endPoint.ToString();
        var config = new StringBuilder();
        if (InteropBinaries.IsRoot)
        {
            // Workers would otherwise switch to "nobody", who cannot read the private prefix.
            config.AppendLine("user root;");
        }

        config.AppendLine("daemon off;");
        config.AppendLine("worker_processes 1;");
        config.AppendLine(CultureInfo.InvariantCulture, $"pid {directory}/nginx.pid;");
        config.AppendLine(CultureInfo.InvariantCulture, $"error_log {directory}/error.log info;");
        config.AppendLine("events { worker_connections 128; }");
        config.AppendLine("http {");
        config.AppendLine(CultureInfo.InvariantCulture, $"  log_format fe '$ssl_server_name{LogSeparator}$http_host{LogSeparator}$request_method{LogSeparator}$request_uri{LogSeparator}$status';");
        config.AppendLine(CultureInfo.InvariantCulture, $"  access_log {directory}/access.log fe;");
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"  {temp}_temp_path {directory}/{temp}_temp;");
        }

        config.AppendLine("  server_tokens off;");
        config.AppendLine("  server {");
        config.AppendLine(CultureInfo.InvariantCulture, $"    listen {listen} ssl;");
        config.AppendLine("    server_name _;");
        config.AppendLine(CultureInfo.InvariantCulture, $"    ssl_certificate {directory}/cert.pem;");
        config.AppendLine(CultureInfo.InvariantCulture, $"    ssl_certificate_key {directory}/key.pem;");
        config.AppendLine("    ssl_protocols TLSv1.2 TLSv1.3;");
        foreach (var location in locations)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"    location = {Quote(location.Path)} {{");
            config.AppendLine(CultureInfo.InvariantCulture, $"      default_type {Quote(location.ContentType)};");
            foreach (var (name, value) in location.Headers ?? new Dictionary<string, string>())
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"      add_header {Quote(name)} {Quote(value)} always;");
            }

            config.AppendLine(CultureInfo.InvariantCulture, $"      return {location.Status} {Quote(location.Body)};");
            config.AppendLine("    }");
        }

        config.AppendLine("    location / {");
        config.AppendLine("      default_type application/json;");
        config.AppendLine("      return 200 '{\"method\":\"$request_method\",\"uri\":\"$request_uri\",\"host\":\"$http_host\",\"sni\":\"$ssl_server_name\"}';");
        config.AppendLine("    }");
        config.AppendLine("  }");
        config.AppendLine("}");
        return config.ToString();
    }

    // nginx single-quoted strings: backslash escapes ' and \; "$" still expands variables, which
    // test bodies do not contain.
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return ecdsa.ExportPkcs8PrivateKeyPem();
        }

        using var rsa = certificate.GetRSAPrivateKey();
        return rsa?.ExportPkcs8PrivateKeyPem() ?? throw new ArgumentException("the certificate has no ECDSA or RSA private key", nameof(certificate));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int FreeTcpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<bool> WaitUntilListeningAsync(ServerProcess process, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < ReadyTimeout)
        {
            if (!process.IsRunning)
            {
                return false;
            }

            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(ProbeInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }
}
