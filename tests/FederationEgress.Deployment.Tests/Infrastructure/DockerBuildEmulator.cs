namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Replays Dockerfile stages on this machine without an engine: each stage's filesystem is a
/// host directory; COPY copies from the build context (honouring .dockerignore) or an earlier
/// stage; RUN executes its command directly (no shell) with container paths mapped into the
/// stage directory. Base-image contents are not emulated: RUN uses this machine's tools
/// (the same .NET SDK major version as the SDK image).
/// </summary>
internal sealed class DockerBuildEmulator
{
    // Shell syntax would need a shell we do not emulate; the Dockerfile keeps RUN lines plain.
    private static readonly string[] ShellSyntax = ["&&", "||", ";", "|", ">", "<", "$(", "`", "*"];

    private static readonly HashSet<string> NoFilesystemEffect =
        ["ARG", "LABEL", "EXPOSE", "CMD", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "SHELL", "ONBUILD"];

    private readonly string _context;
    private readonly DockerIgnore _ignore;
    private readonly string _scratch;
    private readonly Dictionary<string, EmulatedStage> _completed = new(StringComparer.OrdinalIgnoreCase);

    public DockerBuildEmulator(string contextDirectory, string scratchDirectory)
    {
        _context = contextDirectory;
        _ignore = DockerIgnore.Load(Path.Combine(contextDirectory, ".dockerignore"));
        _scratch = scratchDirectory;
    }

    /// <summary>Commands the RUN instructions executed, with host paths, in order.</summary>
    public List<IReadOnlyList<string>> ExecutedCommands { get; } = [];

    public async Task<EmulatedStage> RunStageAsync(
        DockerfileStage stage,
        IReadOnlyDictionary<string, string?> runEnvironment,
        TimeSpan runTimeout)
    {
        var root = Path.Combine(_scratch, stage.Name ?? $"stage{_completed.Count}");
        Directory.CreateDirectory(root);
        var workdir = "/";
        var env = new Dictionary<string, string>();
        string? user = null;
        IReadOnlyList<string>? entrypoint = null;

        foreach (var instruction in stage.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "WORKDIR":
                    workdir = ToContainerPath(workdir, instruction.Arguments);
                    Directory.CreateDirectory(MapPath(root, "/", workdir));
                    break;
                case "COPY":
                    Copy(instruction, root, workdir);
                    break;
                case "RUN":
                    await RunAsync(instruction, root, workdir, env, runEnvironment, runTimeout);
                    break;
                case "ENV":
                    foreach (var (key, value) in instruction.KeyValuePairs())
                    {
                        env[key] = value;
                    }

                    break;
                case "USER":
                    user = instruction.Arguments;
                    break;
                case "ENTRYPOINT":
                    entrypoint = instruction.ExecArguments;
                    break;
                case var keyword when NoFilesystemEffect.Contains(keyword):
                    break;
                default:
                    throw new NotSupportedException($"{instruction}: not emulated (ADD and others are not used by design).");
            }
        }

        var result = new EmulatedStage(root, workdir, env, user, entrypoint);
        _completed[stage.Name ?? root] = result;
        return result;
    }

    internal static string MapPath(string root, string workdir, string containerPath)
    {
        var absolute = ToContainerPath(workdir, containerPath);
        return Path.GetFullPath(Path.Combine(root, absolute.TrimStart('/')));
    }

    private static string ToContainerPath(string workdir, string path) =>
        path.StartsWith('/') ? path : $"{workdir.TrimEnd('/')}/{path}";

    private void Copy(DockerfileInstruction instruction, string root, string workdir)
    {
        var operands = instruction.Operands;
        if (operands.Count < 2)
        {
            throw new InvalidDataException($"{instruction}: COPY needs a source and a destination.");
        }

        var destination = operands[^1];
        var sources = operands.Take(operands.Count - 1).ToArray();
        var intoDirectory = destination.EndsWith('/') || destination is "." or "./" || sources.Length > 1;
        var destinationHost = MapPath(root, workdir, destination);

        foreach (var source in sources)
        {
            if (source.IndexOfAny(['*', '?', '[']) >= 0)
            {
                throw new NotSupportedException($"{instruction}: wildcards are not emulated.");
            }

            string sourceHost;
            bool fromContext;
            if (instruction.Flags.TryGetValue("from", out var stageName))
            {
                var from = _completed.GetValueOrDefault(stageName)
                    ?? throw new InvalidDataException($"{instruction}: stage '{stageName}' has not been built.");
                sourceHost = MapPath(from.Root, "/", source);
                fromContext = false;
            }
            else
            {
                var relative = source is "." or "./" ? string.Empty
                    : (source.StartsWith("./", StringComparison.Ordinal) ? source[2..] : source).TrimStart('/');
                if (relative.Length > 0 && _ignore.IsExcluded(relative))
                {
                    throw new InvalidDataException($"{instruction}: '{source}' is excluded by .dockerignore.");
                }

                sourceHost = Path.GetFullPath(Path.Combine(_context, relative));
                fromContext = true;
            }

            if (Directory.Exists(sourceHost))
            {
                CopyDirectory(sourceHost, destinationHost, fromContext);
            }
            else if (File.Exists(sourceHost))
            {
                var target = intoDirectory ? Path.Combine(destinationHost, Path.GetFileName(sourceHost)) : destinationHost;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(sourceHost, target, overwrite: true);
            }
            else
            {
                throw new FileNotFoundException($"{instruction}: '{source}' does not exist.");
            }
        }
    }

    private void CopyDirectory(string source, string destination, bool fromContext)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            if (fromContext && _ignore.IsExcluded(Path.GetRelativePath(_context, file).Replace('\\', '/')))
            {
                continue;
            }

            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private async Task RunAsync(
        DockerfileInstruction instruction,
        string root,
        string workdir,
        IReadOnlyDictionary<string, string> stageEnvironment,
        IReadOnlyDictionary<string, string?> runEnvironment,
        TimeSpan timeout)
    {
        if (instruction.Flags.Count > 0)
        {
            throw new NotSupportedException($"{instruction}: RUN flags (--mount, ...) are not emulated.");
        }

        var words = instruction.IsExecForm ? instruction.ExecArguments : instruction.Operands;
        if (!instruction.IsExecForm && words.Any(w => ShellSyntax.Any(s => w.Contains(s, StringComparison.Ordinal))))
        {
            throw new NotSupportedException($"{instruction}: shell syntax is not emulated; keep RUN lines to one plain command.");
        }

        var command = words.Select(w => w.StartsWith('/') ? MapPath(root, workdir, w) : w).ToArray();
        var environment = new Dictionary<string, string?>(runEnvironment);
        foreach (var (key, value) in stageEnvironment)
        {
            environment[key] = value;
        }

        ExecutedCommands.Add(command);
        var result = await ProcessRunner.RunAsync(
            command[0], command.Skip(1), MapPath(root, "/", workdir), environment, timeout);
        result.EnsureSuccess(instruction.ToString());
    }
}
