namespace FederationEgress.Tests.Diagnostics.Cli;

/// <summary>Expected CLI output for <see cref="SampleReports"/> (review changes to these as you would a UI change).</summary>
internal static class Snapshots
{
    public const string DelegatedText =
        """
        example.org: resolved in 12.5 ms (cache: miss, started 2026-11-22T01:00:00Z)

        Steps
        ├── well_known https://example.org/.well-known/matrix/server (8.25 ms)
        │   ├── outcome       valid
        │   ├── detail        miss; HTTP 200; m.server matrix.example.org; attempts 1
        │   ├── status        200
        │   ├── cache-control max-age=3600
        │   ├── body          {"m.server":"matrix.example.org"}
        │   ├── record        m.server matrix.example.org
        │   └── cached until  2026-11-22T02:00:00Z
        ├── srv _matrix-fed._tcp.matrix.example.org (1.5 ms)
        │   ├── outcome       success
        │   ├── record        10 0 443 fed1.example.net
        │   ├── record        20 0 8448 fed2.example.net
        │   └── cached until  2026-11-22T01:05:00Z
        ├── addresses fed1.example.net (0.75 ms)
        │   ├── outcome       success
        │   ├── record        2001:db8::7
        │   ├── record        203.0.113.7
        │   └── cached until  2026-11-22T01:05:00Z
        └── addresses fed2.example.net (0.5 ms)
            ├── outcome       success (stale)
            ├── record        203.0.113.8
            └── cached until  2026-11-22T01:05:00Z

        Result
          step          well_known_srv
          host header   matrix.example.org
          tls name      matrix.example.org
          delegated to  matrix.example.org
          expires       2026-11-22T01:05:00Z
          endpoints     1. [2001:db8::7]:443 (fed1.example.net)
                        2. 203.0.113.7:443 (fed1.example.net)
                        3. 203.0.113.8:8448 (fed2.example.net)

        Well-known cache
          delegation    matrix.example.org
          last fetch    valid (HTTP 200) at 2026-11-22T01:00:00Z
          expires       2026-11-22T02:00:00Z
          refresh at    2026-11-22T01:48:00Z

        TLS checks
          203.0.113.7:443  ok, TLS 1.3, ALPN h2, handshake 3.125 ms
            tls name      matrix.example.org (SNI)
            subject       CN=matrix.example.org
            SANs          DNS:matrix.example.org, DNS:example.org
            issuer        CN=Example CA
            valid         2026-10-23T01:00:00Z to 2027-01-21T01:00:00Z
            sha256        0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
          203.0.113.8:8448  invalid_certificate, TLS 1.2, ALPN http/1.1, handshake 4 ms
            tls name      matrix.example.org (SNI)
            invalid       certificate is not valid for name matrix.example.org
            subject       CN=other.example.net
            SANs          DNS:other.example.net
            issuer        CN=Example CA
            valid         2026-10-23T01:00:00Z to 2027-01-21T01:00:00Z
            sha256        00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
        """ + "\n";

    public const string FailedText =
        """
        broken.example: failed in 2 ms (cache: bypass, started 2026-11-22T01:00:00Z)

        Steps
        ├── well_known https://broken.example/.well-known/matrix/server (1 ms)
        │   ├── outcome       permanent_failure
        │   ├── detail        bypass; HTTP 404; HTTP 404; attempts 1
        │   ├── status        404
        │   └── cached until  2026-11-22T02:00:00Z
        └── srv _matrix-fed._tcp.broken.example (1 ms)
            ├── outcome       server_failure
            └── detail        SERVFAIL from 192.0.2.53:53

        Error
          type          dns_failed
          step          srv
          message       SRV lookup for _matrix-fed._tcp.broken.example failed: server_failure
          response      502 M_UNKNOWN
        """ + "\n";

    public const string DelegatedJson =
        """
        {
          "server_name": "example.org",
          "outcome": "resolved",
          "started_at": "2026-11-22T01:00:00+00:00",
          "duration_ms": 12.5,
          "cache": "miss",
          "steps": [
            {
              "name": "well_known",
              "input": "https://example.org/.well-known/matrix/server",
              "outcome": "valid",
              "detail": "miss; HTTP 200; m.server matrix.example.org; attempts 1",
              "records": [
                "m.server matrix.example.org"
              ],
              "expires_at": "2026-11-22T02:00:00+00:00",
              "stale": false,
              "duration_ms": 8.25,
              "well_known": {
                "url": "https://example.org/.well-known/matrix/server",
                "status": 200,
                "outcome": "valid",
                "message": "m.server matrix.example.org",
                "m_server": "matrix.example.org",
                "body": "{\"m.server\":\"matrix.example.org\"}",
                "cache_control": "max-age=3600",
                "header_cache_seconds": 3600,
                "redirects": [],
                "attempts": 1
              }
            },
            {
              "name": "srv",
              "input": "_matrix-fed._tcp.matrix.example.org",
              "outcome": "success",
              "records": [
                "10 0 443 fed1.example.net",
                "20 0 8448 fed2.example.net"
              ],
              "expires_at": "2026-11-22T01:05:00+00:00",
              "stale": false,
              "duration_ms": 1.5
            },
            {
              "name": "addresses",
              "input": "fed1.example.net",
              "outcome": "success",
              "records": [
                "2001:db8::7",
                "203.0.113.7"
              ],
              "expires_at": "2026-11-22T01:05:00+00:00",
              "stale": false,
              "duration_ms": 0.75
            },
            {
              "name": "addresses",
              "input": "fed2.example.net",
              "outcome": "success",
              "records": [
                "203.0.113.8"
              ],
              "expires_at": "2026-11-22T01:05:00+00:00",
              "stale": true,
              "duration_ms": 0.5
            }
          ],
          "result": {
            "step": "well_known_srv",
            "host_header": "matrix.example.org",
            "tls_name": "matrix.example.org",
            "delegated_name": "matrix.example.org",
            "endpoints": [
              {
                "address": "[2001:db8::7]:443",
                "target": "fed1.example.net"
              },
              {
                "address": "203.0.113.7:443",
                "target": "fed1.example.net"
              },
              {
                "address": "203.0.113.8:8448",
                "target": "fed2.example.net"
              }
            ],
            "expires_at": "2026-11-22T01:05:00+00:00"
          },
          "well_known_cache": {
            "delegation": "matrix.example.org",
            "fetched_at": "2026-11-22T01:00:00+00:00",
            "expires_at": "2026-11-22T02:00:00+00:00",
            "refresh_at": "2026-11-22T01:48:00+00:00",
            "consecutive_failures": 0,
            "last_outcome": "valid",
            "last_status": 200
          },
          "tls_checks": [
            {
              "endpoint": "203.0.113.7:443",
              "tls_name": "matrix.example.org",
              "sni": true,
              "outcome": "ok",
              "certificate_valid": true,
              "certificate": {
                "subject": "CN=matrix.example.org",
                "issuer": "CN=Example CA",
                "subject_alternative_names": [
                  "DNS:matrix.example.org",
                  "DNS:example.org"
                ],
                "not_before": "2026-10-23T01:00:00+00:00",
                "not_after": "2027-01-21T01:00:00+00:00",
                "sha256": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
              },
              "protocol": "TLS 1.3",
              "alpn": "h2",
              "connect_ms": 0.25,
              "handshake_ms": 3.125
            },
            {
              "endpoint": "203.0.113.8:8448",
              "tls_name": "matrix.example.org",
              "sni": true,
              "outcome": "invalid_certificate",
              "certificate_valid": false,
              "validation_error": "certificate is not valid for name matrix.example.org",
              "certificate": {
                "subject": "CN=other.example.net",
                "issuer": "CN=Example CA",
                "subject_alternative_names": [
                  "DNS:other.example.net"
                ],
                "not_before": "2026-10-23T01:00:00+00:00",
                "not_after": "2027-01-21T01:00:00+00:00",
                "sha256": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
              },
              "protocol": "TLS 1.2",
              "alpn": "http/1.1",
              "connect_ms": 0.25,
              "handshake_ms": 4
            }
          ]
        }
        """;

    public const string FailedJson =
        """
        {
          "server_name": "broken.example",
          "outcome": "failed",
          "started_at": "2026-11-22T01:00:00+00:00",
          "duration_ms": 2,
          "cache": "bypass",
          "steps": [
            {
              "name": "well_known",
              "input": "https://broken.example/.well-known/matrix/server",
              "outcome": "permanent_failure",
              "detail": "bypass; HTTP 404; HTTP 404; attempts 1",
              "records": [],
              "expires_at": "2026-11-22T02:00:00+00:00",
              "stale": false,
              "duration_ms": 1,
              "well_known": {
                "url": "https://broken.example/.well-known/matrix/server",
                "status": 404,
                "outcome": "permanent_failure",
                "failure": "http_status",
                "message": "HTTP 404",
                "redirects": [],
                "attempts": 1
              }
            },
            {
              "name": "srv",
              "input": "_matrix-fed._tcp.broken.example",
              "outcome": "server_failure",
              "detail": "SERVFAIL from 192.0.2.53:53",
              "records": [],
              "stale": false,
              "duration_ms": 1
            }
          ],
          "error": {
            "type": "dns_failed",
            "step": "srv",
            "message": "SRV lookup for _matrix-fed._tcp.broken.example failed: server_failure",
            "status": 502,
            "errcode": "M_UNKNOWN"
          }
        }
        """;
}
