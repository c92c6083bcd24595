{{/*
Chart name (nameOverride wins), truncated to the 63 characters DNS labels allow.
*/}}
{{- define "federation-egress.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, or the release name alone when it already contains the chart name.
*/}}
{{- define "federation-egress.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "federation-egress.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "federation-egress.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "federation-egress.labels" -}}
helm.sh/chart: {{ include "federation-egress.chart" . }}
{{ include "federation-egress.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: federation-egress
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels: immutable on Deployments/DaemonSets, so never add to them.
*/}}
{{- define "federation-egress.selectorLabels" -}}
app.kubernetes.io/name: {{ include "federation-egress.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end }}

{{- define "federation-egress.annotations" -}}
{{- with .Values.commonAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "federation-egress.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "federation-egress.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: registry/repository, then @digest or :tag (tag defaults to appVersion).
*/}}
{{- define "federation-egress.image" -}}
{{- $repo := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{- define "federation-egress.testImage" -}}
{{- if .Values.tests.image.registry }}
{{- printf "%s/%s:%s" .Values.tests.image.registry .Values.tests.image.repository (.Values.tests.image.tag | toString) }}
{{- else }}
{{- printf "%s:%s" .Values.tests.image.repository (.Values.tests.image.tag | toString) }}
{{- end }}
{{- end }}

{{/*
Where secrets and the configuration are mounted inside the container.
*/}}
{{- define "federation-egress.configDir" -}}/etc/federation-egress/config{{- end }}
{{- define "federation-egress.secretsDir" -}}/etc/federation-egress/secrets{{- end }}

{{/*
Whether each secret is in use, and the Secret holding it (existingSecret or the chart's own).
*/}}
{{- define "federation-egress.bearerTokenSecret" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecret }}{{- else if .Values.auth.bearerToken }}{{ include "federation-egress.fullname" . }}{{- end }}
{{- end }}
{{- define "federation-egress.bearerTokenKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{- else }}bearer-token{{- end }}
{{- end }}

{{- define "federation-egress.synapseSecret" -}}
{{- if .Values.synapse.enabled }}
{{- if .Values.synapse.existingSecret }}{{ .Values.synapse.existingSecret }}{{- else if .Values.synapse.sharedSecret }}{{ include "federation-egress.fullname" . }}{{- end }}
{{- end }}
{{- end }}
{{- define "federation-egress.synapseSecretKey" -}}
{{- if .Values.synapse.existingSecret }}{{ .Values.synapse.existingSecretKey }}{{- else }}synapse-shared-secret{{- end }}
{{- end }}

{{- define "federation-egress.extraCaSecret" -}}
{{- if .Values.extraCa.existingSecret }}{{ .Values.extraCa.existingSecret }}{{- else if .Values.extraCa.bundle }}{{ include "federation-egress.fullname" . }}{{- end }}
{{- end }}
{{- define "federation-egress.extraCaKey" -}}
{{- if .Values.extraCa.existingSecret }}{{ .Values.extraCa.existingSecretKey }}{{- else }}ca.crt{{- end }}
{{- end }}

{{/*
True when the chart creates its own Secret (any secret given inline rather than by name).
*/}}
{{- define "federation-egress.createSecret" -}}
{{- if or (and .Values.auth.bearerToken (not .Values.auth.existingSecret)) (and .Values.synapse.enabled .Values.synapse.sharedSecret (not .Values.synapse.existingSecret)) (and .Values.extraCa.bundle (not .Values.extraCa.existingSecret)) }}true{{- end }}
{{- end }}

{{/*
proxy.json: .Values.config merged under the keys the chart manages from dedicated values.
*/}}
{{- define "federation-egress.proxyConfig" -}}
{{- $secrets := include "federation-egress.secretsDir" . }}
{{- $managed := dict
  "Listen" (dict "Address" .Values.listenAddress "Port" .Values.containerPorts.proxy)
  "Management" (dict "Address" .Values.managementAddress "Port" .Values.containerPorts.management)
  "Shutdown" (dict "DrainTimeoutSeconds" .Values.shutdown.drainTimeoutSeconds)
  "Logging" (dict "Console" (dict "FormatterName" .Values.logging.format) "LogLevel" (dict "Default" .Values.logging.level))
  "Synapse" (dict "Enabled" .Values.synapse.enabled "Address" .Values.listenAddress "Port" .Values.containerPorts.synapse)
  "Connect" (dict "Enabled" .Values.connect.enabled "Address" .Values.listenAddress "Port" .Values.containerPorts.connect)
}}
{{- if include "federation-egress.bearerTokenSecret" . }}
{{- $_ := set $managed "ClientAuth" (dict "BearerTokenFile" (printf "%s/bearer-token" $secrets)) }}
{{- end }}
{{- if .Values.auth.allowedClientRanges }}
{{- $clientAuth := default (dict) (get $managed "ClientAuth") }}
{{- $_ := set $clientAuth "AllowedClientRanges" .Values.auth.allowedClientRanges }}
{{- $_ := set $managed "ClientAuth" $clientAuth }}
{{- end }}
{{- if include "federation-egress.synapseSecret" . }}
{{- $_ := set $managed.Synapse "SharedSecretFile" (printf "%s/synapse-shared-secret" $secrets) }}
{{- end }}
{{- if include "federation-egress.extraCaSecret" . }}
{{- $userCas := dig "Tls" "ExtraCaFiles" (list) .Values.config }}
{{- $_ := set $managed "Tls" (dict "ExtraCaFiles" (append $userCas (printf "%s/extra-ca.crt" $secrets))) }}
{{- end }}
{{- $config := mustMergeOverwrite (deepCopy .Values.config) $managed }}
{{- /* The merge skips false/0 from $managed (mergo semantics); set those explicitly. */}}
{{- $_ := set $config.Synapse "Enabled" .Values.synapse.enabled }}
{{- $_ := set $config.Connect "Enabled" .Values.connect.enabled }}
{{- $_ := set $config.Shutdown "DrainTimeoutSeconds" .Values.shutdown.drainTimeoutSeconds }}
{{- toPrettyJson $config }}
{{- end }}

{{/*
Seconds Kubernetes waits after starting termination: preStop sleep + drain + margin.
*/}}
{{- define "federation-egress.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.shutdown.terminationGracePeriodSeconds }}
{{- add (int .Values.shutdown.drainTimeoutSeconds) (int .Values.shutdown.preStopSleepSeconds) 10 }}
{{- else }}
{{- .Values.shutdown.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/*
Native preStop sleep needs Kubernetes >= 1.30 (PodLifecycleSleepAction); the image has no shell.
*/}}
{{- define "federation-egress.preStopSleep" -}}
{{- if and (gt (int .Values.shutdown.preStopSleepSeconds) 0) (semverCompare ">=1.30-0" .Capabilities.KubeVersion.Version) }}true{{- end }}
{{- end }}
