# syntax=docker/dockerfile:1
#
# FederationEgress container image.
#
#   docker build -t federation-egress:dev .
#   docker run --rm --read-only --tmpfs /tmp -p 8009:8009 -p 8010:8010 federation-egress:dev
#
# The app is published framework-dependent and portable (no RID, no apphost), so the build stage
# runs on the builder's own platform and the same output serves every target architecture.

# ---------------------------------------------------------------------------------------------
# Build stage: restore (cached layer keyed on the project files only), then publish.
# ---------------------------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore inputs only, so editing source does not invalidate the restore layer. build/Yarp.props
# carries the YARP restore workaround (PackageDownload + direct Reference) the csproj imports.
COPY Directory.Build.props Directory.Packages.props ./
COPY build/ build/
COPY src/FederationEgress/FederationEgress.csproj src/FederationEgress/
RUN dotnet restore src/FederationEgress/FederationEgress.csproj

# proxy.json (the baked default configuration) is linked into the project from the repo root.
COPY proxy.json ./
COPY src/ src/
RUN dotnet publish src/FederationEgress/FederationEgress.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# ---------------------------------------------------------------------------------------------
# Runtime stage: chiseled Ubuntu ASP.NET Core runtime. It ships CA certificates (needed to
# validate federation TLS), runs as the non-root user `app` (UID/GID 1654), and has no shell or
# package manager. The proxy needs no ICU (InvariantGlobalization=true) and no tzdata.
# ---------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="FederationEgress" \
      org.opencontainers.image.description="Matrix federation egress proxy: server discovery, TLS policy and SSRF protection for outbound homeserver traffic" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"

# Inside a container the listeners must bind all interfaces to be reachable (the app defaults to
# loopback). A sidecar that only its pod may use sets Listen__Address=127.0.0.1 (and the same for
# Synapse__Address / Connect__Address when those listeners are on). Environment variables
# outrank the configuration file, and FEDERATIONEGRESS_-prefixed ones outrank plain ones.
# ASPNETCORE_HTTP_PORTS is emptied because the base image sets it to 8080 and the proxy binds its
# own ports from configuration (Listen:Port 8009, Management:Port 8010).
#
# Writes: the app writes nothing outside /tmp. The only runtime write is the .NET diagnostics IPC
# socket (dotnet-counters/dotnet-trace) in /tmp; with a read-only root filesystem mount a tmpfs or
# emptyDir at /tmp (the Helm chart does), or set DOTNET_EnableDiagnostics=0 to turn it off.
ENV Listen__Address=0.0.0.0 \
    Management__Address=0.0.0.0 \
    Synapse__Address=0.0.0.0 \
    Connect__Address=0.0.0.0 \
    ASPNETCORE_HTTP_PORTS=

# glibc's default (8 malloc arenas per core) let RSS creep +12 % in the 10-minute soak; 2 kept it flat.
ENV MALLOC_ARENA_MAX=2

WORKDIR /app
COPY --from=build /app ./

# Mount a file and set FEDERATIONEGRESS_CONFIG (or pass --config) to replace the baked proxy.json.
USER app
EXPOSE 8009 8010

# No HEALTHCHECK: the chiseled image has no shell, curl or wget to run one, and the app has no
# health sub-command. Orchestrators probe the management listener instead:
# GET :8010/healthz (liveness) and GET :8010/readyz (readiness; fails while draining).

ENTRYPOINT ["dotnet", "FederationEgress.dll"]
