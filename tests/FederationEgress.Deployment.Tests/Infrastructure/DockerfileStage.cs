namespace FederationEgress.Deployment.Tests.Infrastructure;

/// <summary>A build stage: its FROM line and the instructions up to the next FROM.</summary>
internal sealed record DockerfileStage(DockerfileInstruction From, IReadOnlyList<DockerfileInstruction> Instructions)
{
    /// <summary>The base image reference (after any --platform flag).</summary>
    public string BaseImage => From.Operands[0];

    /// <summary>The <c>AS name</c> of the stage, or null.</summary>
    public string? Name =>
        From.Operands.Count >= 3 && From.Operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase)
            ? From.Operands[2]
            : null;

    public IEnumerable<DockerfileInstruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword);
}
