{{/*
Shared Deployment / Service / HPA / PDB / test-pod bodies for the three
stateless components (frontend, backend, mcp-server).

Call with (dict "ctx" $ "component" "backend" "values" .Values.backend
               "secretKeys" (list "DATABASE_URL" ...) "configKeys" (list "REDIS_HOST" ...)).
*/}}

{{- define "todo-chatbot.deployment" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
{{- $sel := dict "ctx" $ctx "component" .component "values" $v -}}
{{- $secretName := include "todo-chatbot.secretName" $ctx -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo-chatbot.componentName" $sel }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" $sel | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: {{ $ctx.Values.revisionHistoryLimit }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "todo-chatbot.selectorLabels" $sel | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "todo-chatbot.labels" $sel | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with printf "%s\n%s" (include "todo-chatbot.daprAnnotations" $sel) (include "todo-chatbot.podAnnotations" (dict "ctx" $ctx "config" true "values" $v)) | trim }}
      annotations:
        {{- . | nindent 8 }}
      {{- end }}
    spec:
      {{- with include "todo-chatbot.imagePullSecrets" $ctx | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      serviceAccountName: {{ include "todo-chatbot.serviceAccountName" (dict "ctx" $ctx "component" .component "sa" $v.serviceAccount) }}
      automountServiceAccountToken: {{ $v.serviceAccount.automountToken }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "todo-chatbot.podSecurityContext" $ctx.Values.podSecurityContext | nindent 8 }}
      {{- if or .waitForDatabase $v.initContainers }}
      initContainers:
        {{- if .waitForDatabase }}
        {{- include "todo-chatbot.waitForDatabase" (dict "ctx" $ctx "secretName" $secretName) | nindent 8 }}
        {{- end }}
        {{- with $v.initContainers }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "todo-chatbot.image" (dict "ctx" $ctx "image" $v.image "app" true) | quote }}
          imagePullPolicy: {{ include "todo-chatbot.pullPolicy" (dict "ctx" $ctx "image" $v.image) }}
          {{- with $v.command }}
          command:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $v.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $v.port }}
              protocol: TCP
          env:
            - name: PORT
              value: {{ $v.port | toString | quote }}
            {{- range .secretKeys }}
            {{- include "todo-chatbot.secretEnv" (dict "ctx" $ctx "key" .) | nindent 12 }}
            {{- end }}
            {{- range .configKeys }}
            {{- include "todo-chatbot.configEnv" (dict "ctx" $ctx "key" .) | nindent 12 }}
            {{- end }}
            {{- if include "todo-chatbot.daprAnnotations" $sel }}
            {{- range list "PUBSUB_NAME" "TOPIC_TASK_EVENTS" "TOPIC_NOTIFICATIONS" "TOPIC_PROCESSED_EVENTS" }}
            {{- include "todo-chatbot.configEnv" (dict "ctx" $ctx "key" .) | nindent 12 }}
            {{- end }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- with $v.extraEnvFrom }}
          envFrom:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- if $v.probes.startup.enabled }}
          startupProbe:
            {{- include "todo-chatbot.httpProbe" $v.probes.startup | nindent 12 }}
          {{- end }}
          {{- if $v.probes.liveness.enabled }}
          livenessProbe:
            {{- include "todo-chatbot.httpProbe" $v.probes.liveness | nindent 12 }}
          {{- end }}
          {{- if $v.probes.readiness.enabled }}
          readinessProbe:
            {{- include "todo-chatbot.httpProbe" $v.probes.readiness | nindent 12 }}
          {{- end }}
          {{- if $v.preStop }}
          lifecycle:
            preStop:
              {{- toYaml $v.preStop | nindent 14 }}
          {{- else if $v.preStopSleepSeconds }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $v.preStopSleepSeconds }}
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "todo-chatbot.containerSecurityContext" (dict "runAsUser" $ctx.Values.podSecurityContext.runAsUser "readOnlyRootFilesystem" $v.readOnlyRootFilesystem) | nindent 12 }}
          {{- if or $v.writableDirs $v.extraVolumeMounts }}
          volumeMounts:
            {{- range $i, $dir := $v.writableDirs }}
            - name: {{ printf "writable-%d" $i }}
              mountPath: {{ $dir }}
            {{- end }}
            {{- with $v.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
        {{- with $v.sidecars }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or $v.writableDirs $v.extraVolumes }}
      volumes:
        {{- range $i, $dir := $v.writableDirs }}
        - name: {{ printf "writable-%d" $i }}
          emptyDir: {}
        {{- end }}
        {{- with $v.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- with include "todo-chatbot.scheduling" $sel | trim }}
      {{- . | nindent 6 }}
      {{- end }}
{{- end -}}

{{- define "todo-chatbot.service" -}}
{{- $ctx := .ctx -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo-chatbot.componentName" $sel }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" $sel | nindent 4 }}
  {{- with .values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: {{ .values.service.port }}
      targetPort: http
      protocol: TCP
  selector:
    {{- include "todo-chatbot.selectorLabels" $sel | nindent 4 }}
{{- end -}}

{{- define "todo-chatbot.hpa" -}}
{{- $ctx := .ctx -}}
{{- $a := .values.autoscaling -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "todo-chatbot.componentName" $sel }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" $sel | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-chatbot.componentName" $sel }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- if $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}
    {{- end }}
  {{- with $a.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "todo-chatbot.pdb" -}}
{{- $ctx := .ctx -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-chatbot.componentName" $sel }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" $sel | nindent 4 }}
spec:
  minAvailable: {{ .values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "todo-chatbot.selectorLabels" $sel | nindent 6 }}
{{- end -}}

{{/* helm test pod: wget the component's health endpoint through its Service (or the pod address
tests.podAddresses gives). `timeout`, not `wget -T`: Debian's static busybox crashes on -T. */}}
{{- define "todo-chatbot.testPod" -}}
{{- $ctx := .ctx -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
{{- $pod := index $ctx.Values.tests.podAddresses .key -}}
{{- $url := printf "http://%s:%s%s" (include "todo-chatbot.componentName" $sel) (toString .values.service.port) .path -}}
{{- if $pod }}{{ $url = printf "http://%s:%s%s" $pod (toString .values.port) .path }}{{ end -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ printf "%s-test" (include "todo-chatbot.componentName" $sel) | trunc 63 | trimSuffix "-" }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" (dict "ctx" $ctx "component" (printf "%s-test" .component)) | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    {{- include "todo-chatbot.podSecurityContext" (dict "runAsUser" 65534) | nindent 4 }}
  containers:
    - name: wget
      image: {{ include "todo-chatbot.image" (dict "ctx" $ctx "image" $ctx.Values.tests.image) | quote }}
      imagePullPolicy: {{ $ctx.Values.imagePullPolicy }}
      command:
        - sh
        - -c
        - {{ printf "timeout 5 wget -q -O - %s" $url | quote }}
      resources:
        {{- toYaml $ctx.Values.tests.resources | nindent 8 }}
      securityContext:
        {{- include "todo-chatbot.containerSecurityContext" (dict "runAsUser" 65534 "readOnlyRootFilesystem" true) | nindent 8 }}
  {{- include "todo-chatbot.testPlacement" $ctx | nindent 2 }}
{{- end -}}

{{/* Where the test pods run: tests.nodeSelector and tests.tolerations. */}}
{{- define "todo-chatbot.testPlacement" -}}
{{- with .Values.tests.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tests.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A component's ServiceAccount. Call with (dict "ctx" $ "component" "redis" "sa" .Values.redis.serviceAccount). */}}
{{- define "todo-chatbot.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "todo-chatbot.serviceAccountName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "todo-chatbot.labels" . | nindent 4 }}
  {{- with .sa.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .sa.automountToken }}
{{- end -}}

{{/*
The data volume of a one-replica StatefulSet: a volumeClaimTemplate when
persistence is on without an existing claim (rendered by
todo-chatbot.claimTemplate), else a pod volume. Call with
(dict "ctx" $ "component" "redis" "persistence" .Values.redis.persistence).
*/}}
{{- define "todo-chatbot.dataVolume" -}}
{{- if not .persistence.enabled }}
- name: data
  emptyDir: {}
{{- else if .persistence.existingClaim }}
- name: data
  persistentVolumeClaim:
    claimName: {{ .persistence.existingClaim }}
{{- end }}
{{- end -}}

{{- define "todo-chatbot.claimTemplate" -}}
{{- if and .persistence.enabled (not .persistence.existingClaim) }}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "todo-chatbot.selectorLabels" . | nindent 8 }}
    spec:
      accessModes:
        {{- toYaml .persistence.accessModes | nindent 8 }}
      {{- if .persistence.storageClass }}
      storageClassName: {{ .persistence.storageClass | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .persistence.size }}
{{- end }}
{{- end -}}

{{/*
ServiceAccount (when created) and PodDisruptionBudget (when enabled) of a
stateful component. Call with (dict "ctx" $ "component" "redis" "values" .Values.redis).
*/}}
{{- define "todo-chatbot.statefulExtras" -}}
{{- if .values.serviceAccount.create }}
---
{{ include "todo-chatbot.serviceAccount" (dict "ctx" .ctx "component" .component "sa" .values.serviceAccount) }}
{{- end }}
{{- if .values.podDisruptionBudget.enabled }}
---
{{ include "todo-chatbot.pdb" . }}
{{- end }}
{{- end -}}
