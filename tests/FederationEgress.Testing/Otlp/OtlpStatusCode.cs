namespace FederationEgress.Testing.Otlp;

/// <summary>OTLP <c>Status.StatusCode</c>.</summary>
public enum OtlpStatusCode
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
