namespace FederationEgress.Testing.Otlp;

/// <summary>One export call the receiver answered.</summary>
/// <param name="Signal">"traces", "metrics" or "logs".</param>
/// <param name="Protocol">"http/protobuf" or "grpc".</param>
/// <param name="Path">The request path.</param>
/// <param name="HttpProtocol">The HTTP version the exporter used ("HTTP/1.1", "HTTP/2").</param>
/// <param name="ContentType">The request's Content-Type.</param>
/// <param name="ItemCount">Spans or metrics decoded (0 for logs, which are not decoded).</param>
public sealed record OtlpExportRequest(string Signal, string Protocol, string Path, string HttpProtocol, string? ContentType, int ItemCount);
