using static FederationEgress.Tests.Security.HostileInput.RawExchange;

namespace FederationEgress.Tests.Security.HostileInput;

/// <summary>
/// Hostile server names, paths, headers and request forms. Every row is answered with a 4xx before
/// any DNS query or socket: rows the proxy answers carry a JSON errcode and reason; rows Kestrel's
/// HTTP parser already refuses (bare CR/LF, NUL, duplicate Host, oversize) never reach the app.
/// </summary>
internal static class HostileInputCorpus
{
    private const string Name = "invalid_server_name";
    private const string Target = "invalid_request_target";
    private const string Path = "/_matrix/federation/v1/version";

    public static readonly IReadOnlyDictionary<string, HostileInputRow> Rows = new Dictionary<string, HostileInputRow>
    {
        // Server names.
        ["name-empty"] = new(Request($"GET /{Path} HTTP/1.1"), 400, Name, "empty"),
        ["name-too-long"] = new(Request($"GET /{new string('a', 250)}.{new string('b', 10)}.test{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-label-too-long"] = new(Request($"GET /{new string('a', 64)}.test{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-huge"] = new(Request($"GET /{new string('a', 4000)}{Path} HTTP/1.1"), 400, Name, "too long"),
        ["name-underscore"] = new(Request($"GET /exa_mple.test{Path} HTTP/1.1"), 400, Name, "exa_mple.test"),
        ["name-userinfo"] = new(Request($"GET /evil@127.0.0.1{Path} HTTP/1.1"), 400, Name, "evil@127.0.0.1"),
        ["name-port-too-big"] = new(Request($"GET /example.test:99999{Path} HTTP/1.1"), 400, Name, "example.test:99999"),
        ["name-port-empty"] = new(Request($"GET /example.test:{Path} HTTP/1.1"), 400, Name, "example.test:"),
        ["name-port-signed"] = new(Request($"GET /example.test:+443{Path} HTTP/1.1"), 400, Name, "example.test:+443"),
        ["name-two-ports"] = new(Request($"GET /example.test:443:8448{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-bracket-unclosed"] = new(Request($"GET /[::1{Path} HTTP/1.1"), 400, Name, "[::1"),
        ["name-v6-unbracketed"] = new(Request($"GET /::1{Path} HTTP/1.1"), 400, Name, "::1"),
        ["name-bracketed-hostname"] = new(Request($"GET /[example.test]{Path} HTTP/1.1"), 400, Name, "[example.test]"),
        ["name-double-dot"] = new(Request($"GET /example..test{Path} HTTP/1.1"), 400, Name, "example..test"),
        ["name-leading-dot"] = new(Request($"GET /.example.test{Path} HTTP/1.1"), 400, Name, ".example.test"),
        ["name-dot-dot"] = new(Request($"GET /..{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-dot-dot-encoded"] = new(Request($"GET /%2e%2e{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-encoded-slash"] = new(Request($"GET /example.test%2F..%2F127.0.0.1{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-encoded-nul"] = new(Request($"GET /example.test%00.evil.test{Path} HTTP/1.1"), 400),
        ["name-encoded-crlf"] = new(Request($"GET /example.test%0d%0aX-Injected:%201{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-encoded-space"] = new(Request($"GET /example%20test{Path} HTTP/1.1"), 400, Name, "not a valid server name"),
        ["name-encoded-invalid-utf8"] = new(Request($"GET /ex%C3%28ample.test{Path} HTTP/1.1"), 400, Name, "percent-encoded UTF-8"),
        ["name-raw-non-ascii"] = new(Request($"GET /b\u00fccher.test{Path} HTTP/1.1"), 400),
        ["name-bad-escape"] = new(Request($"GET /example%zz.test{Path} HTTP/1.1"), 400, Target, "percent-escape"),
        ["name-only"] = new(Request("GET /example.test HTTP/1.1"), 400, Target, "nothing to forward"),
        ["name-then-query"] = new(Request("GET /example.test?x=1 HTTP/1.1"), 400, Target, "nothing to forward"),

        // Paths.
        ["path-dot-dot"] = new(Request("GET /example.test/_matrix/../admin HTTP/1.1"), 400, Target, "'.' or '..' segment"),
        ["path-dot"] = new(Request("GET /example.test/./_matrix/key/v2/server HTTP/1.1"), 400, Target, "'.' or '..' segment"),
        ["path-dot-dot-encoded"] = new(Request("GET /example.test/_matrix/%2e%2e/admin HTTP/1.1"), 400, Target, "'.' or '..' segment"),
        ["path-dot-dot-mixed-case"] = new(Request("GET /example.test/_matrix/.%2E/admin HTTP/1.1"), 400, Target, "'.' or '..' segment"),
        ["path-trailing-dot-dot"] = new(Request("GET /example.test/_matrix/.. HTTP/1.1"), 400, Target, "'.' or '..' segment"),
        ["path-fragment"] = new(Request("GET /example.test/_matrix/x#frag HTTP/1.1"), 400, Target, "fragment"),
        ["path-bad-escape-at-end"] = new(Request("GET /example.test/_matrix/x% HTTP/1.1"), 400, Target, "percent-escape"),
        ["path-raw-nul"] = new(Request("GET /example.test/_matrix/x\0y HTTP/1.1"), 400),
        ["path-raw-cr"] = new(Request("GET /example.test/_matrix/x\ry HTTP/1.1"), 400),
        ["path-oversize"] = new(Request($"GET /example.test/{new string('a', 20_000)} HTTP/1.1"), 414),

        // Request forms.
        ["absolute-form"] = new($"GET http://evil.test{Path} HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n", 400, Target, "origin-form"),
        ["absolute-form-inward"] = new($"GET http://127.0.0.1:8448{Path} HTTP/1.1\r\nHost: 127.0.0.1:8448\r\nConnection: close\r\n\r\n", 400, Target, "origin-form"),
        ["absolute-form-host-mismatch"] = new(Request($"GET https://127.0.0.1:8448{Path} HTTP/1.1"), 400),
        ["asterisk-form"] = new(Request("OPTIONS * HTTP/1.1"), 400, Target, "origin-form"),
        ["connect"] = new(Request("CONNECT evil.test:443 HTTP/1.1"), 400),

        // Headers.
        ["header-bare-cr"] = new(Request($"GET /example.test{Path} HTTP/1.1", "X-Test: a\rInjected: b\r\n"), 400),
        ["header-bare-lf-continuation"] = new(Request($"GET /example.test{Path} HTTP/1.1", "X-Test: a\r\n Injected: b\r\n"), 400),
        ["header-nul"] = new(Request($"GET /example.test{Path} HTTP/1.1", "X-Test: a\0b\r\n"), 400),
        ["header-duplicate-host"] = new(Request($"GET /example.test{Path} HTTP/1.1", "Host: 127.0.0.1\r\n"), 400),
        ["header-oversize"] = new(Request($"GET /example.test{Path} HTTP/1.1", $"X-Big: {new string('a', 40_000)}\r\n"), 431),
        ["header-many"] = new(Request($"GET /example.test{Path} HTTP/1.1", string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: {new string('a', 200)}\r\n"))), 431),
        ["header-space-before-colon"] = new(Request($"GET /example.test{Path} HTTP/1.1", "X-Test : a\r\n"), 400),
    };

    public static TheoryData<string> Ids => new(Rows.Keys);
}
