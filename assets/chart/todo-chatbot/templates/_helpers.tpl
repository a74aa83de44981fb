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

{{/*
Image reference. Call with (dict "ctx" $ "image" .Values.frontend.image "app" true).
global.imageRegistry replaces the repository's own registry (its first path
part when that has a dot or colon, or is localhost). A digest pins the image
(the tag is then ignored); the app images' empty tag falls back to
global.imageTag, then .Chart.AppVersion.
*/}}
{{- define "todo-chatbot.image" -}}
{{- $repo := .image.repository -}}
{{- $registry := .ctx.Values.global.imageRegistry -}}
{{- if $registry -}}
{{- $parts := splitList "/" $repo -}}
{{- $first := first $parts -}}
{{- if and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- $repo = trimPrefix (printf "%s/" $first) $repo -}}
{{- end -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" $registry) $repo -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- $tag := toString .image.tag -}}
{{- if and .app (not $tag) -}}
{{- $tag = default .ctx.Chart.AppVersion .ctx.Values.global.imageTag | toString -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* Pull policy of an image. Call with (dict "ctx" $ "image" .Values.redis.image). */}}
{{- define "todo-chatbot.pullPolicy" -}}
{{- default .ctx.Values.imagePullPolicy .image.pullPolicy -}}
{{- end -}}

{{/*
ServiceAccount name of a component: its own name when the chart creates one,
else serviceAccount.name or "default".
Call with (dict "ctx" $ "component" "backend" "sa" .Values.backend.serviceAccount).
*/}}
{{- define "todo-chatbot.serviceAccountName" -}}
{{- if .sa.create -}}
{{- default (include "todo-chatbot.componentName" .) .sa.name -}}
{{- else -}}
{{- default "default" .sa.name -}}
{{- end -}}
{{- end -}}

{{/* imagePullSecrets of a pod spec (nothing when there are none). Call with the root context. */}}
{{- define "todo-chatbot.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
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

{{/* The ConfigMap's data; its sha256 is the pods' checksum/config annotation. */}}
{{- define "todo-chatbot.configData" -}}
REDIS_HOST: {{ include "todo-chatbot.redisHost" . | quote }}
REDIS_PORT: {{ .Values.redis.service.port | toString | quote }}
MCP_SERVER_URL: {{ include "todo-chatbot.mcpServerUrl" . | quote }}
NEXT_PUBLIC_API_URL: {{ include "todo-chatbot.publicUrl" . | quote }}
CORS_ORIGINS: {{ default (include "todo-chatbot.publicOrigin" .) .Values.config.corsOrigins | quote }}
{{- if .Values.dapr.enabled }}
PUBSUB_NAME: {{ .Values.dapr.pubsub.name | quote }}
TOPIC_TASK_EVENTS: {{ .Values.dapr.pubsub.topics.taskEvents | quote }}
TOPIC_NOTIFICATIONS: {{ .Values.dapr.pubsub.topics.notifications | quote }}
TOPIC_PROCESSED_EVENTS: {{ .Values.dapr.pubsub.topics.processedEvents | quote }}
{{- end }}
{{- end -}}

{{/* The chart-made Secret's data (only without existingSecret); its sha256 is checksum/secret. */}}
{{- define "todo-chatbot.secretData" -}}
{{- $openai := required "secrets.openaiApiKey is required (or set existingSecret): helm install ... --set secrets.openaiApiKey=sk-..." .Values.secrets.openaiApiKey -}}
{{- $auth := required "secrets.betterAuthSecret is required (or set existingSecret): helm install ... --set secrets.betterAuthSecret=$(openssl rand -hex 32)" .Values.secrets.betterAuthSecret -}}
{{- $redis := required "secrets.redisPassword is required (or set existingSecret): helm install ... --set secrets.redisPassword=$(openssl rand -hex 16)" .Values.secrets.redisPassword -}}
DATABASE_URL: {{ include "todo-chatbot.databaseUrl" . | b64enc | quote }}
OPENAI_API_KEY: {{ $openai | b64enc | quote }}
BETTER_AUTH_SECRET: {{ $auth | b64enc | quote }}
BETTER_AUTH_URL: {{ include "todo-chatbot.betterAuthUrl" . | b64enc | quote }}
REDIS_PASSWORD: {{ $redis | b64enc | quote }}
{{- if .Values.postgresql.enabled }}
POSTGRES_PASSWORD: {{ .Values.postgresql.auth.password | b64enc | quote }}
{{- end }}
{{- if .Values.dapr.enabled }}
REDPANDA_BROKERS: {{ required "secrets.redpandaBrokers is required with dapr.enabled (or set existingSecret): --set secrets.redpandaBrokers=host:9092" .Values.secrets.redpandaBrokers | b64enc | quote }}
REDPANDA_USERNAME: {{ required "secrets.redpandaUsername is required with dapr.enabled (or set existingSecret)" .Values.secrets.redpandaUsername | b64enc | quote }}
REDPANDA_PASSWORD: {{ required "secrets.redpandaPassword is required with dapr.enabled (or set existingSecret)" .Values.secrets.redpandaPassword | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
Pod annotations: checksums that roll the pods when their configuration
changes (checksum/config for pods that read the ConfigMap, checksum/secret
whenever the chart makes the Secret), then .values.podAnnotations.
Call with (dict "ctx" $ "config" true "values" .Values.backend).
*/}}
{{- define "todo-chatbot.podAnnotations" -}}
{{- if .config }}
checksum/config: {{ include "todo-chatbot.configData" .ctx | sha256sum }}
{{- end }}
{{- if not .ctx.Values.existingSecret }}
checksum/secret: {{ include "todo-chatbot.secretData" .ctx | sha256sum }}
{{- end }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* One HTTP probe on the container's http port. Call with a probe's values. */}}
{{- define "todo-chatbot.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- end -}}

{{/*
Pod affinity: .values.affinity as given, else the podAntiAffinityPreset (soft or
hard) keeping pods of the same release and component on different nodes.
Call with (dict "ctx" $ "component" "backend" "values" .Values.backend).
*/}}
{{- define "todo-chatbot.affinity" -}}
{{- $sel := dict "ctx" .ctx "component" .component -}}
{{- if .values.affinity -}}
{{ toYaml .values.affinity }}
{{- else if eq (default "" .values.podAntiAffinityPreset) "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "todo-chatbot.selectorLabels" $sel | nindent 10 }}
{{- else if eq (default "" .values.podAntiAffinityPreset) "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-chatbot.selectorLabels" $sel | nindent 12 }}
{{- end -}}
{{- end -}}

{{/*
Topology spread constraints; one without a labelSelector gets the component's
selector labels (release + component). Call like todo-chatbot.affinity.
*/}}
{{- define "todo-chatbot.topologySpread" -}}
{{- $match := fromYaml (include "todo-chatbot.selectorLabels" (dict "ctx" .ctx "component" .component)) -}}
{{- $out := list -}}
{{- range .values.topologySpreadConstraints -}}
{{- if hasKey . "labelSelector" -}}
{{- $out = append $out . -}}
{{- else -}}
{{- $out = append $out (mergeOverwrite (dict "labelSelector" (dict "matchLabels" $match)) .) -}}
{{- end -}}
{{- end -}}
{{- if $out -}}
{{ toYaml $out }}
{{- end -}}
{{- end -}}

{{/*
Scheduling fields of a pod spec: priorityClassName, nodeSelector, tolerations,
affinity, topologySpreadConstraints. Call like todo-chatbot.affinity.
*/}}
{{- define "todo-chatbot.scheduling" -}}
{{- $v := .values -}}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with include "todo-chatbot.affinity" . }}
affinity:
  {{- . | nindent 2 }}
{{- end }}
{{- if hasKey $v "topologySpreadConstraints" }}
{{- with include "todo-chatbot.topologySpread" . }}
topologySpreadConstraints:
  {{- . | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Init container that waits until the database in DATABASE_URL accepts
connections (pg_isready understands libpq URLs; the SQLAlchemy driver suffix
and query are stripped). Call with (dict "ctx" $ "secretName" NAME).
*/}}
{{- define "todo-chatbot.waitForDatabase" -}}
{{- $w := .ctx.Values.waitForDatabase -}}
- name: wait-for-database
  image: {{ include "todo-chatbot.image" (dict "ctx" .ctx "image" $w.image) | quote }}
  imagePullPolicy: {{ include "todo-chatbot.pullPolicy" (dict "ctx" .ctx "image" $w.image) }}
  command:
    - sh
    - -c
    - |
      url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?\+[A-Za-z0-9_]+://#postgresql://#')
      url=${url%%\?*}
      i=0
      until pg_isready -q -t 3 -d "$url"; do
        i=$((i+1))
        if [ "$i" -ge {{ $w.retries }} ]; then
          echo "database still not reachable after $i attempts" >&2
          exit 1
        fi
        echo "waiting for the database ($i/{{ $w.retries }})"
        sleep {{ $w.intervalSeconds }}
      done
      echo "database is ready"
  env:
    - name: DATABASE_URL
      valueFrom:
        secretKeyRef:
          name: {{ .secretName }}
          key: DATABASE_URL
  resources:
    {{- toYaml $w.resources | nindent 4 }}
  securityContext:
    {{- include "todo-chatbot.containerSecurityContext" (dict "runAsUser" .ctx.Values.podSecurityContext.runAsUser "readOnlyRootFilesystem" true) | nindent 4 }}
{{- end -}}

{{/* Secret of the ingress certificate: ingress.tls.secretName, else <fullname>-tls. */}}
{{- define "todo-chatbot.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "todo-chatbot.fullname" .)) .Values.ingress.tls.secretName -}}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component of this release. Call with (dict "ctx" $ "component" "redis"). */}}
{{- define "todo-chatbot.peer" -}}
- podSelector:
    matchLabels:
      {{- include "todo-chatbot.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* The port a component listens on, as a NetworkPolicy port list item. */}}
{{- define "todo-chatbot.peerPort" -}}
{{- $ports := dict "frontend" "http" "backend" "http" "mcp-server" "http" "notification" "http" "sse-gateway" "http" "redis" "redis" "postgresql" "postgresql" -}}
- port: {{ index $ports .component }}
  protocol: TCP
{{- end -}}

{{/* Egress to the cluster DNS on port 53 (UDP and TCP). */}}
{{- define "todo-chatbot.dnsEgress" -}}
- to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dnsPodSelector | nindent 10 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* Egress outside the cluster (networkPolicy.externalEgress), when enabled. */}}
{{- define "todo-chatbot.externalEgress" -}}
{{- $e := .Values.networkPolicy.externalEgress -}}
{{- if $e.enabled -}}
- to:
    - ipBlock:
        cidr: {{ $e.cidr }}
        {{- with $e.except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
  ports:
    {{- range $e.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end -}}
{{- end -}}

{{/* The Dapr Configuration the sidecars use. */}}
{{- define "todo-chatbot.daprConfigName" -}}
{{- default (printf "%s-dapr" (include "todo-chatbot.fullname" .)) .Values.dapr.configuration.name -}}
{{- end -}}

{{/* A component's Dapr app id. Call with (dict "ctx" $ "component" "backend" "values" .Values.backend). */}}
{{- define "todo-chatbot.daprAppId" -}}
{{- default (include "todo-chatbot.componentName" (dict "ctx" .ctx "component" .component)) .values.dapr.appId -}}
{{- end -}}

{{/*
The Dapr sidecar annotations of a component's pods, when `dapr.enabled` and
the component runs a sidecar. Call with (dict "ctx" $ "component" "backend" "values" .Values.backend).
*/}}
{{- define "todo-chatbot.daprAnnotations" -}}
{{- if and .ctx.Values.dapr.enabled (hasKey .values "dapr") }}
{{- if .values.dapr.sidecar }}
dapr.io/enabled: "true"
dapr.io/app-id: {{ include "todo-chatbot.daprAppId" . | quote }}
dapr.io/app-port: {{ .values.port | toString | quote }}
dapr.io/config: {{ include "todo-chatbot.daprConfigName" .ctx | quote }}
dapr.io/log-level: {{ .ctx.Values.dapr.logLevel | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Egress of a pod with a Dapr sidecar: the Dapr control plane, and the Kafka brokers (outside the cluster) on their port. */}}
{{- define "todo-chatbot.daprEgress" -}}
{{- $np := .Values.networkPolicy -}}
- to:
    - namespaceSelector:
        matchLabels:
          {{- toYaml $np.daprNamespaceSelector | nindent 10 }}
- to:
    - ipBlock:
        cidr: {{ $np.externalEgress.cidr }}
  ports:
    - port: {{ .Values.dapr.pubsub.brokerPort }}
      protocol: TCP
{{- end -}}
