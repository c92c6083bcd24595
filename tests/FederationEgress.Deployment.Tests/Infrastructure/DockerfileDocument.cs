namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// A parsed Dockerfile: comments dropped, backslash continuations joined, split into stages.
/// Enough of the Dockerfile grammar for a deliberately simple file; anything fancier (heredocs,
/// a changed escape character) is rejected so the tests never silently misread it.
/// </summary>
internal sealed class DockerfileDocument
{
    private DockerfileDocument(IReadOnlyList<DockerfileInstruction> instructions)
    {
        Instructions = instructions;
        var stages = new List<DockerfileStage>();
        for (var i = 0; i < instructions.Count; i++)
        {
            if (instructions[i].Keyword != "FROM")
            {
                continue;
            }

            var body = instructions.Skip(i + 1).TakeWhile(x => x.Keyword != "FROM").ToArray();
            stages.Add(new DockerfileStage(instructions[i], body));
        }

        Stages = stages;
    }

    public IReadOnlyList<DockerfileInstruction> Instructions { get; }

    public IReadOnlyList<DockerfileStage> Stages { get; }

    public DockerfileStage FinalStage => Stages[^1];

    public DockerfileStage Stage(string name) =>
        Stages.SingleOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidDataException($"No stage named '{name}'.");

    public static DockerfileDocument Load(string path) => Parse(File.ReadAllText(path));

    public static DockerfileDocument Parse(string text)
    {
        var instructions = new List<DockerfileInstruction>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? pending = null;
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith('#'))
            {
                if (trimmed.StartsWith("# escape=", StringComparison.OrdinalIgnoreCase))
                {
                    throw new NotSupportedException("A custom escape directive is not supported.");
                }

                continue;
            }

            if (pending is null && trimmed.Length == 0)
            {
                continue;
            }

            if (trimmed.Contains("<<", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"Line {i + 1}: heredocs are not supported.");
            }

            var continues = trimmed.EndsWith('\\');
            var content = continues ? trimmed[..^1].TrimEnd() : trimmed;
            if (pending is null)
            {
                start = i + 1;
                pending = content;
            }
            else
            {
                pending = $"{pending} {content}";
            }

            if (!continues)
            {
                instructions.Add(ToInstruction(pending, start));
                pending = null;
            }
        }

        if (pending is not null)
        {
            throw new InvalidDataException($"Line {start}: continuation runs past the end of the file.");
        }

        return new DockerfileDocument(instructions);
    }

    private static DockerfileInstruction ToInstruction(string text, int line)
    {
        var split = text.IndexOfAny([' ', '\t']);
        return split < 0
            ? new DockerfileInstruction(text.ToUpperInvariant(), string.Empty, line)
            : new DockerfileInstruction(text[..split].ToUpperInvariant(), text[(split + 1)..].Trim(), line);
    }
}
