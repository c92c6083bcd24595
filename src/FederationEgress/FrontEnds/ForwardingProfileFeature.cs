using FederationEgress.Forwarding;

namespace FederationEgress.FrontEnds;

/// <summary>An immutable <see cref="IForwardingProfileFeature"/>; one instance per front end, shared by its requests.</summary>
internal sealed class ForwardingProfileFeature(ForwardingProfile profile) : IForwardingProfileFeature
{
    public ForwardingProfile Profile { get; } = profile;
}
