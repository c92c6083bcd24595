namespace FederationEgress.BenchTool.Shared;

/// <summary>Reads a process's resident set size and open descriptors from /proc (Linux).</summary>
internal static class ProcessStats
{
    /// <summary>VmRSS of <paramref name="pid"/> ("self" for this process) in bytes, or -1 when unreadable.</summary>
    public static long RssBytes(string pid = "self")
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>Open file descriptors of <paramref name="pid"/>.</summary>
    public static int HandleCount(string pid = "self") => Directory.GetFiles($"/proc/{pid}/fd").Length;

    public static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
