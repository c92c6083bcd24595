namespace FederationEgress.Testing.Dns;

/// <summary>What a <see cref="ScriptedDnsServer"/> does with a query; see <see cref="DnsBehavior"/>.</summary>
public enum DnsBehaviorKind
{
    /// <summary>Answer from the zone (NOERROR, NODATA or NXDOMAIN as the records say).</summary>
    Answer,

    /// <summary>Answer with a fixed response code and no records.</summary>
    ResponseCode,

    /// <summary>Never answer.</summary>
    Drop,

    /// <summary>Over UDP: an empty reply with the TC bit, forcing TCP. Over TCP: the normal answer.</summary>
    TruncateOverUdp,

    /// <summary>Only a reply whose id differs from the query's (carrying a bogus address): the client must ignore it.</summary>
    WrongId,

    /// <summary>Only a reply with the right id but another question (carrying a bogus address): the client must ignore it.</summary>
    WrongQuestion,

    /// <summary>A wrong-id reply, then a wrong-question reply, then the real answer.</summary>
    SpoofedThenAnswer,

    /// <summary>The real answer's bytes passed through a transformation (to break them).</summary>
    Malformed,

    /// <summary>Bytes computed from the raw query (null: no reply).</summary>
    Raw,
}
