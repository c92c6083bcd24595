namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>What replaying one Dockerfile stage left behind.</summary>
/// <param name="Root">Host directory standing in for the stage's filesystem root.</param>
/// <param name="WorkingDirectory">Container path of the last WORKDIR.</param>
/// <param name="Environment">ENV values set by the stage, in order.</param>
/// <param name="User">The last USER, or null.</param>
/// <param name="Entrypoint">The exec-form ENTRYPOINT, or null.</param>
internal sealed record EmulatedStage(
    string Root,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string? User,
    IReadOnlyList<string>? Entrypoint)
{
    /// <summary>Maps a container path to the host directory that stands in for it.</summary>
    public string HostPath(string containerPath) => DockerBuildEmulator.MapPath(Root, WorkingDirectory, containerPath);
}
