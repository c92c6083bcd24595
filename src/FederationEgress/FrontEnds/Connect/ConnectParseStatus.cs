namespace FederationEgress.FrontEnds.Connect;

/// <summary>Result of trying to parse a CONNECT head from the bytes received so far.</summary>
internal enum ConnectParseStatus
{
    /// <summary>A whole head was parsed.</summary>
    Complete,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>The head is malformed; answer 400.</summary>
    Invalid,
}
