namespace FederationEgress.Testing.Interop;

/// <summary>Finds the real servers the interop suite runs (Debian packages dnsmasq, unbound, nginx).</summary>
public static class InteropBinaries
{
    private static readonly string[] Directories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>
    /// The full path of <paramref name="name"/>. Throws when it is missing: interop tests must fail,
    /// not pass silently, on a machine without the servers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The binary is not installed.</exception>
    public static string Require(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var directory in Directories.Concat(path))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' is not installed, so the interop tests cannot run. Run tests/run-all.sh (as root it installs dnsmasq, unbound and nginx), " +
            $"or install them yourself: apt-get install -y dnsmasq unbound nginx");
    }

    /// <summary>True when running as root (servers then need to be told not to drop privileges).</summary>
    public static bool IsRoot => Environment.UserName == "root";
}
