using System.Text.Json;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>One Dockerfile instruction with its continuation lines joined.</summary>
/// <param name="Keyword">Upper-case instruction (FROM, RUN, COPY, ...).</param>
/// <param name="Arguments">Everything after the keyword, continuation lines joined by a space.</param>
/// <param name="Line">1-based line where the instruction starts.</param>
internal sealed record DockerfileInstruction(string Keyword, string Arguments, int Line)
{
    /// <summary>True for the JSON exec form (<c>["dotnet", "app.dll"]</c>).</summary>
    public bool IsExecForm => Arguments.TrimStart().StartsWith('[');

    /// <summary>The exec-form array; throws for shell form.</summary>
    public IReadOnlyList<string> ExecArguments =>
        JsonSerializer.Deserialize<string[]>(Arguments)
        ?? throw new InvalidDataException($"Line {Line}: {Keyword} is not in exec form.");

    /// <summary>Leading <c>--name=value</c> flags (e.g. COPY --from=build).</summary>
    public IReadOnlyDictionary<string, string> Flags =>
        Words().TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal))
            .Select(w => w[2..].Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);

    /// <summary>Whitespace-separated words after the flags.</summary>
    public IReadOnlyList<string> Operands =>
        Words().SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToArray();

    public IEnumerable<string> Words() =>
        Arguments.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// ENV/LABEL/ARG pairs: <c>KEY=value</c> words (double quotes group and are removed), or the
    /// legacy single <c>KEY value</c> form.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> KeyValuePairs()
    {
        var words = QuotedWords();
        if (words.Count >= 1 && !words[0].Contains('=', StringComparison.Ordinal))
        {
            return [new(words[0], string.Join(' ', words.Skip(1)))];
        }

        return words.Select(w => w.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : string.Empty)).ToArray();
    }

    private List<string> QuotedWords()
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in Arguments)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (any)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"Line {Line}: unbalanced quotes in {Keyword}.");
        }

        if (any)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}
