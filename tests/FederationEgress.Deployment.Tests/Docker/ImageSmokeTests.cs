using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using FederationEgress.Deployment.Tests.Infrastructure;

namespace FederationEgress.Deployment.Tests.Docker;

/// <summary>
/// Replays the Dockerfile here (no engine): the build stage's COPY and RUN lines exactly as
/// written (same restore workaround, same publish flags), then the runtime stage's COPY, and
/// starts the ENTRYPOINT from a read-only copy of /app as the image's non-root UID with the
/// image's ENV, asserting the management listener serves /healthz.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageSmokeTests
{
    // The chiseled images' `app` user.
    private const int AppUid = 1654;

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task DockerfileBuild_PublishedAppOnReadOnlyFilesystemAsNonRoot_ServesHealthz()
    {
        var dockerfile = DockerfileDocument.Load(RepositoryLayout.Dockerfile);
        var scratch = Directory.CreateTempSubdirectory("fe-image-");
        try
        {
            var emulator = new DockerBuildEmulator(RepositoryLayout.Root, scratch.FullName);
            EmulatedStage? runtime = null;
            foreach (var stage in dockerfile.Stages)
            {
                runtime = await emulator.RunStageAsync(stage, BuildEnvironment(), BuildTimeout);
            }

            Assert.Contains(emulator.ExecutedCommands, c => c.Take(2).SequenceEqual(["dotnet", "publish"]));
            var appDirectory = runtime!.HostPath(runtime.WorkingDirectory);
            Assert.True(File.Exists(Path.Combine(appDirectory, "FederationEgress.dll")), "publish output lacks FederationEgress.dll");
            Assert.True(File.Exists(Path.Combine(appDirectory, "proxy.json")), "publish output lacks the baked proxy.json");

            MakeReadOnly(runtime.Root);
            var tmp = Directory.CreateDirectory(Path.Combine(scratch.FullName, "tmp"));
            // World-writable and sticky like /tmp: the only place the app may write.
            File.SetUnixFileMode(tmp.FullName, (UnixFileMode)Convert.ToInt32("1777", 8));

            var managementPort = FreeLoopbackPort();
            var listenPort = FreeLoopbackPort();
            var environment = new Dictionary<string, string?>(ContainerEnvironment(runtime))
            {
                // Loopback and fresh ports: tests never bind other addresses and run in parallel.
                ["Listen__Address"] = "127.0.0.1",
                ["Listen__Port"] = listenPort.ToString(),
                ["Management__Address"] = "127.0.0.1",
                ["Management__Port"] = managementPort.ToString(),
                ["Synapse__Address"] = "127.0.0.1",
                ["Connect__Address"] = "127.0.0.1",
                ["OTEL_SDK_DISABLED"] = "true",
                ["TMPDIR"] = tmp.FullName,
                // Read-only, like everything outside /tmp in the pod.
                ["HOME"] = runtime.Root,
            };

            await using var app = AppProcess.Start(runtime.Entrypoint!, appDirectory, environment);
            var status = await app.WaitForHealthAsync(new Uri($"http://127.0.0.1:{managementPort}/healthz"));

            Assert.True(
                status == HttpStatusCode.OK,
                $"GET /healthz {(status is null ? $"got no answer within {StartTimeout.TotalSeconds:0} s" : $"answered {(int)status}")}.\n{app.Output}");
            if (AppProcess.IsRoot())
            {
                // setpriv really dropped to the image's user.
                Assert.Equal(AppUid.ToString(), app.RealUid());
            }

            var exitCode = await app.StopAsync();
            Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM.\n{app.Output}");
        }
        finally
        {
            MakeWritable(scratch.FullName);
            scratch.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string?> BuildEnvironment() => new()
    {
        // No long-lived build servers left behind by the replayed `dotnet publish`.
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    private static Dictionary<string, string?> ContainerEnvironment(EmulatedStage runtime)
    {
        // What the aspnet base image sets, then the Dockerfile's ENV on top (as in the image).
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = Path.GetDirectoryName(ProcessRunner.FindOnPath("dotnet")) + ":/usr/bin:/bin",
            ["APP_UID"] = AppUid.ToString(),
            ["ASPNETCORE_HTTP_PORTS"] = "8080",
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
        };
        foreach (var (key, value) in runtime.Environment)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void MakeReadOnly(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        // Let the non-root user reach the read-only tree through the scratch folder.
        for (var dir = Directory.GetParent(root); dir is not null && dir.FullName != Path.GetTempPath().TrimEnd('/'); dir = dir.Parent)
        {
            File.SetUnixFileMode(dir.FullName, File.GetUnixFileMode(dir.FullName) | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
        }
    }

    private static void MakeWritable(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserWrite | UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The started entrypoint; killed on dispose if still running.</summary>
    private sealed class AppProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private AppProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static AppProcess Start(IReadOnlyList<string> entrypoint, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
        {
            // Resolve the entrypoint program on the container PATH, then drop to the image's UID.
            var program = entrypoint[0].Contains('/') ? entrypoint[0]
                : environment["PATH"]!.Split(':').Select(d => Path.Combine(d, entrypoint[0])).First(File.Exists);
            var command = new List<string>();
            if (IsRoot())
            {
                command.AddRange([ProcessRunner.FindOnPath("setpriv"), $"--reuid={AppUid}", $"--regid={AppUid}", "--clear-groups", "--"]);
            }

            command.Add(program);
            command.AddRange(entrypoint.Skip(1));

            var startInfo = new ProcessStartInfo(command[0])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in command.Skip(1))
            {
                startInfo.ArgumentList.Add(argument);
            }

            // A clean environment: only what the container would have.
            startInfo.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }

            var app = new AppProcess(new Process { StartInfo = startInfo });
            app._process.Start();
            app._process.BeginOutputReadLine();
            app._process.BeginErrorReadLine();
            return app;
        }

        public async Task<HttpStatusCode?> WaitForHealthAsync(Uri health)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var deadline = new CancellationTokenSource(StartTimeout);
            while (!deadline.IsCancellationRequested && !_process.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync(health, deadline.Token);
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet: the process is still starting.
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                // Waiting on another process's start-up; there is no signal to await instead.
                await Task.Delay(PollInterval, CancellationToken.None);
            }

            return null;
        }

        public async Task<int> StopAsync()
        {
            // SIGTERM, as the kubelet and `docker stop` send it.
            var kill = await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString()], "/");
            kill.EnsureSuccess("kill -TERM");
            using var cts = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        public static bool IsRoot() => UidOf("self") == "0";

        public string RealUid() => UidOf(_process.Id.ToString());

        private static string UidOf(string pid) => File.ReadAllText($"/proc/{pid}/status").Split('\n')
            .First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
