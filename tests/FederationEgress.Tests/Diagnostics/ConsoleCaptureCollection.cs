namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// Tests that redirect the process-wide <see cref="Console.Out"/> run alone, so no parallel test
/// writes into (or loses output to) the redirected writer.
/// </summary>
[CollectionDefinition(nameof(ConsoleCaptureCollection), DisableParallelization = true)]
public sealed class ConsoleCaptureCollection;
