using System.Text.RegularExpressions;

namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>
/// Static checks of Go/Helm templates without a helm binary: delimiter and block balance
/// (if/range/with/define/block … end, else only inside if/with/range), the .Values paths a
/// template reads (following <c>$x := .Values.a</c> aliases), and named-template use.
/// </summary>
internal static partial class HelmTemplateAnalyzer
{
    private static readonly HashSet<string> Openers = ["if", "range", "with", "define", "block"];

    /// <summary>One <c>{{ … }}</c> action: its trimmed body and 1-based line.</summary>
    public sealed record Action(string Body, int Line)
    {
        public string Keyword => Body.Split((char[])[' ', '\t', '\n', '('], 2)[0];
    }

    public static IReadOnlyList<Action> Actions(string template, List<string>? errors = null)
    {
        var actions = new List<Action>();
        var position = 0;
        while (true)
        {
            var open = template.IndexOf("{{", position, StringComparison.Ordinal);
            var strayClose = template.IndexOf("}}", position, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                errors?.Add($"line {LineOf(template, strayClose)}: '}}}}' without an opening '{{{{'");
            }

            if (open < 0)
            {
                return actions;
            }

            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = template.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close && !IsComment(template, open)))
            {
                errors?.Add($"line {LineOf(template, open)}: '{{{{' is not closed before the next action");
                if (close < 0)
                {
                    return actions;
                }
            }

            var body = template[(open + 2)..close].Trim().TrimStart('-').TrimEnd('-').Trim();
            if (!body.StartsWith("/*", StringComparison.Ordinal))
            {
                actions.Add(new Action(body, LineOf(template, open)));
            }
            else if (!body.EndsWith("*/", StringComparison.Ordinal))
            {
                errors?.Add($"line {LineOf(template, open)}: comment is not closed with '*/'");
            }

            position = close + 2;
        }
    }

    /// <summary>Block-structure errors; empty when every block is closed in order.</summary>
    public static IReadOnlyList<string> BlockErrors(string template)
    {
        var errors = new List<string>();
        var stack = new Stack<Action>();
        foreach (var action in Actions(template, errors))
        {
            var keyword = action.Keyword;
            if (Openers.Contains(keyword))
            {
                stack.Push(action);
            }
            else if (keyword == "else")
            {
                if (stack.Count == 0 || stack.Peek().Keyword is not ("if" or "with" or "range"))
                {
                    errors.Add($"line {action.Line}: 'else' outside if/with/range");
                }
            }
            else if (keyword == "end")
            {
                if (stack.Count == 0)
                {
                    errors.Add($"line {action.Line}: 'end' without an open block");
                }
                else
                {
                    stack.Pop();
                }
            }
        }

        errors.AddRange(stack.Select(open => $"line {open.Line}: '{open.Keyword}' is never closed with 'end'"));
        return errors;
    }

    /// <summary>Dotted paths under .Values read by the template, aliases resolved.</summary>
    public static IReadOnlySet<string> ValuesPaths(string template)
    {
        var aliases = new Dictionary<string, string>();
        foreach (Match m in AliasPattern().Matches(template))
        {
            aliases[m.Groups["var"].Value] = m.Groups["path"].Value;
        }

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in ValuesPattern().Matches(template))
        {
            paths.Add(m.Groups["path"].Value);
        }

        foreach (Match m in VariablePathPattern().Matches(template))
        {
            if (aliases.TryGetValue(m.Groups["var"].Value, out var root))
            {
                paths.Add($"{root}.{m.Groups["path"].Value}");
            }
        }

        return paths;
    }

    public static IReadOnlySet<string> IncludedTemplates(string template) =>
        IncludePattern().Matches(template).Select(m => m.Groups["name"].Value).ToHashSet();

    public static IReadOnlySet<string> DefinedTemplates(string template) =>
        DefinePattern().Matches(template).Select(m => m.Groups["name"].Value).ToHashSet();

    private static bool IsComment(string template, int open) =>
        template.AsSpan(open + 2).TrimStart("- ").StartsWith("/*");

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"\$(?<var>[A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*\$?\.Values\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])\$?\.Values\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesPattern();

    [GeneratedRegex(@"\$(?<var>[A-Za-z_][A-Za-z0-9_]*)\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex VariablePathPattern();

    [GeneratedRegex(@"\b(include|template)\s+""(?<name>[^""]+)""")]
    private static partial Regex IncludePattern();

    [GeneratedRegex(@"\bdefine\s+""(?<name>[^""]+)""")]
    private static partial Regex DefinePattern();
}
