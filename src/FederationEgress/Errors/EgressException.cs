namespace FederationEgress.Errors;

/// <summary>Carries an <see cref="EgressError"/> through code paths that cannot return it as a value.</summary>
public sealed class EgressException : Exception
{
    public EgressException(EgressError error, Exception? inner = null)
        : base(error.ToString(), inner)
    {
        Error = error;
    }

    public EgressException(EgressErrorKind kind, string step, string message, Exception? inner = null)
        : this(new EgressError(kind, step, message), inner)
    {
    }

    /// <summary>The failure, as data.</summary>
    public EgressError Error { get; }
}
