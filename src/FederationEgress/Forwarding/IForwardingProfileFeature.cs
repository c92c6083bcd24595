namespace FederationEgress.Forwarding;

/// <summary>Set by a front end (e.g. the Synapse protocol listener) to choose a <see cref="ForwardingProfile"/> for a request.</summary>
public interface IForwardingProfileFeature
{
    /// <summary>The profile for this request.</summary>
    ForwardingProfile Profile { get; }
}
