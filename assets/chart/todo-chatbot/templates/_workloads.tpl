{{/*
Shared Deployment / Service / HPA / PDB / test-pod bodies for the three
stateless components (frontend, backend, mcp-server).

Call with (dict "ctx" $ "component" "backend" "values" .Values.backend
               "secretKeys" (list "DATABASE_URL" ...) "configKeys" (list "REDIS_HOST" ...)).
*/}}

{{- define "todo-chatbot.deployment" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
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
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      automountServiceAccountToken: false
      securityContext:
        {{- include "todo-chatbot.podSecurityContext" $ctx.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "todo-chatbot.image" (dict "ctx" $ctx "image" $v.image) | quote }}
          imagePullPolicy: {{ default $ctx.Values.imagePullPolicy $v.image.pullPolicy }}
          {{- with $v.command }}
          command:
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
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          livenessProbe:
            httpGet:
              path: {{ $v.probes.liveness.path }}
              port: http
            initialDelaySeconds: {{ $v.probes.liveness.initialDelaySeconds }}
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: {{ $v.probes.readiness.path }}
              port: http
            initialDelaySeconds: {{ $v.probes.readiness.initialDelaySeconds }}
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "todo-chatbot.containerSecurityContext" (dict "runAsUser" $ctx.Values.podSecurityContext.runAsUser "readOnlyRootFilesystem" $v.readOnlyRootFilesystem) | nindent 12 }}
          {{- if $v.writableDirs }}
          volumeMounts:
            {{- range $i, $dir := $v.writableDirs }}
            - name: {{ printf "writable-%d" $i }}
              mountPath: {{ $dir }}
            {{- end }}
          {{- end }}
      {{- if $v.writableDirs }}
      volumes:
        {{- range $i, $dir := $v.writableDirs }}
        - name: {{ printf "writable-%d" $i }}
          emptyDir: {}
        {{- end }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
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
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationWindowSeconds }}
      policies:
        - type: Pods
          value: 1
          periodSeconds: 60
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
        - type: Pods
          value: 2
          periodSeconds: 60
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

{{/* helm test pod: wget the component's health endpoint through its Service. */}}
{{- define "todo-chatbot.testPod" -}}
{{- $ctx := .ctx -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
{{- $url := printf "http://%s:%s%s" (include "todo-chatbot.componentName" $sel) (toString .values.service.port) .path -}}
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
      image: {{ $ctx.Values.tests.image | quote }}
      command:
        - sh
        - -c
        - {{ printf "wget -q -T 5 -O - %s" $url | quote }}
      resources:
        {{- toYaml $ctx.Values.tests.resources | nindent 8 }}
      securityContext:
        {{- include "todo-chatbot.containerSecurityContext" (dict "runAsUser" 65534 "readOnlyRootFilesystem" true) | nindent 8 }}
{{- end -}}
