{{/*
Template helpers for the todo-chatbot chart.

NOTE: kubedeck renders this chart with its own Go-template engine that only
implements a subset of Sprig. Use only the functions listed at the top of
README.md (no contains, sha256sum, semverCompare, lookup, randAlphaNum ...).
*/}}

{{/* Chart name, truncated to 63 characters. */}}
{{- define "todo-chatbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified app name: <release>-<chart>, or just <release> when the
release is already called like the chart. Truncated to 63 characters.
*/}}
{{- define "todo-chatbot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if eq $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects. Call with (dict "ctx" $ "component" "backend"). */}}
{{- define "todo-chatbot.componentName" -}}
{{- printf "%s-%s" (include "todo-chatbot.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* chart label value: <name>-<version> */}}
{{- define "todo-chatbot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels (immutable: never add version here).
Call with (dict "ctx" $ "component" "frontend").
*/}}
{{- define "todo-chatbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-chatbot.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Common labels: app.kubernetes.io/{name,instance,component,version,part-of,managed-by}.
Call with (dict "ctx" $ "component" "frontend").
*/}}
{{- define "todo-chatbot.labels" -}}
helm.sh/chart: {{ include "todo-chatbot.chart" .ctx }}
{{ include "todo-chatbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | toString | quote }}
app.kubernetes.io/part-of: {{ default "todo-chatbot" .ctx.Values.partOf }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference. Call with (dict "ctx" $ "image" .Values.frontend.image). Tag defaults to appVersion. */}}
{{- define "todo-chatbot.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}

{{/* Name of the Secret holding DATABASE_URL, OPENAI_API_KEY, ... */}}
{{- define "todo-chatbot.secretName" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else -}}
{{- include "todo-chatbot.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Name of the ConfigMap holding REDIS_HOST, REDIS_PORT, MCP_SERVER_URL, NEXT_PUBLIC_API_URL */}}
{{- define "todo-chatbot.configMapName" -}}
{{- include "todo-chatbot.fullname" . -}}
{{- end -}}

{{/* In-cluster service host names */}}
{{- define "todo-chatbot.redisHost" -}}
{{- if .Values.redis.enabled -}}
{{- include "todo-chatbot.componentName" (dict "ctx" . "component" "redis") -}}
{{- else -}}
{{- required "redis.enabled is false: set config.redisHost to your Redis host (--set config.redisHost=my-redis.example.com)" .Values.config.redisHost -}}
{{- end -}}
{{- end -}}

{{- define "todo-chatbot.postgresqlHost" -}}
{{- include "todo-chatbot.componentName" (dict "ctx" . "component" "postgresql") -}}
{{- end -}}

{{/*
DATABASE_URL written into the chart's Secret: built from postgresql.auth when
the in-cluster PostgreSQL is enabled, else secrets.databaseUrl (required).
*/}}
{{- define "todo-chatbot.databaseUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- $pw := required "postgresql.enabled is true: set postgresql.auth.password (--set postgresql.auth.password=...)" .Values.postgresql.auth.password -}}
{{- printf "postgresql://%s:%s@%s:%s/%s" .Values.postgresql.auth.username $pw (include "todo-chatbot.postgresqlHost" .) (toString .Values.postgresql.service.port) .Values.postgresql.auth.database -}}
{{- else -}}
{{- required "No database configured: set secrets.databaseUrl (--set secrets.databaseUrl=postgresql://user:pass@host:5432/todo), or enable the in-cluster database with --set postgresql.enabled=true, or use existingSecret" .Values.secrets.databaseUrl -}}
{{- end -}}
{{- end -}}

{{/* One env var read from the app Secret. Call with (dict "ctx" $ "key" "DATABASE_URL"). */}}
{{- define "todo-chatbot.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-chatbot.secretName" .ctx }}
      key: {{ .key }}
{{- end -}}

{{/* One env var read from the app ConfigMap. Call with (dict "ctx" $ "key" "REDIS_HOST"). */}}
{{- define "todo-chatbot.configEnv" -}}
- name: {{ .key }}
  valueFrom:
    configMapKeyRef:
      name: {{ include "todo-chatbot.configMapName" .ctx }}
      key: {{ .key }}
{{- end -}}

{{/* Pod-level securityContext (non-root, RuntimeDefault seccomp). Call with a podSecurityContext dict. */}}
{{- define "todo-chatbot.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ default .runAsUser .runAsGroup }}
fsGroup: {{ default .runAsUser .fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level securityContext. Call with (dict "runAsUser" N "readOnlyRootFilesystem" bool). */}}
{{- define "todo-chatbot.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnlyRootFilesystem }}
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}


{{/* Public origin of the app: https when ingress TLS is on. */}}
{{- define "todo-chatbot.publicOrigin" -}}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled -}}
{{- printf "https://%s" .Values.ingress.host -}}
{{- else -}}
{{- printf "http://%s" .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/* NEXT_PUBLIC_API_URL: config.nextPublicApiUrl, else the public origin (the ingress sends /api to the backend). */}}
{{- define "todo-chatbot.publicUrl" -}}
{{- default (include "todo-chatbot.publicOrigin" .) .Values.config.nextPublicApiUrl -}}
{{- end -}}

{{/* BETTER_AUTH_URL: secrets.betterAuthUrl, else the public origin. */}}
{{- define "todo-chatbot.betterAuthUrl" -}}
{{- default (include "todo-chatbot.publicOrigin" .) .Values.secrets.betterAuthUrl -}}
{{- end -}}

{{/* MCP_SERVER_URL: config.mcpServerUrl, else the in-cluster mcp-server Service. */}}
{{- define "todo-chatbot.mcpServerUrl" -}}
{{- default (printf "http://%s:%s%s" (include "todo-chatbot.componentName" (dict "ctx" . "component" "mcp-server")) (toString .Values.mcpServer.service.port) .Values.mcpServer.path) .Values.config.mcpServerUrl -}}
{{- end -}}
