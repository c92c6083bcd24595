using System.Globalization;

namespace FederationEgress.BenchTool.Shared;

/// <summary>"--name value" options after the sub-command; unknown names are an error.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public BenchArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count)
            {
                throw new ArgumentException($"expected '--name value', got '{list[i]}'");
            }

            _values[list[i][2..]] = list[++i];
        }
    }

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} must be an integer in {min}..{max}, got '{text}'");
        }

        return value;
    }

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name, fallback!);
    }

    /// <summary>Fails on options nobody asked for (typos).</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
