{{/*
The Grafana dashboard (JSON) of one release: backend traffic, errors and
latency, and CPU, memory, replicas and restarts of every pod of the release.
*/}}
{{- define "todo-chatbot.grafanaDashboard" -}}
{{- $ns := .Release.Namespace -}}
{{- $full := include "todo-chatbot.fullname" . -}}
{{- $job := include "todo-chatbot.componentName" (dict "ctx" $ "component" "backend") -}}
{{- $pods := printf "namespace=\\\"%s\\\", pod=~\\\"%s-.*\\\"" $ns $full -}}
{{- $http := printf "namespace=\\\"%s\\\", job=\\\"%s\\\"" $ns $job -}}
{
  "title": {{ printf "Todo Chatbot (%s/%s)" $ns .Release.Name | quote }},
  "uid": {{ printf "%s-%s" $ns $full | trunc 40 | quote }},
  "tags": ["todo-chatbot"],
  "timezone": "browser",
  "schemaVersion": 39,
  "refresh": "30s",
  "time": {"from": "now-6h", "to": "now"},
  "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"}]},
  "panels": [
    {"id": 1, "type": "timeseries", "title": "Backend requests per second by status", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "targets": [{"refId": "A", "expr": "sum by (status) (rate(http_requests_total{ {{- $http -}} }[5m]))", "legendFormat": "{{ "{{status}}" }}"}]},
    {"id": 2, "type": "timeseries", "title": "Backend 5xx ratio", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"}, "fieldConfig": {"defaults": {"unit": "percentunit"}, "overrides": []},
     "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total{ {{- $http -}}, status=~\"5.+\"}[5m])) / sum(rate(http_requests_total{ {{- $http -}} }[5m]))", "legendFormat": "5xx"}]},
    {"id": 3, "type": "timeseries", "title": "Backend latency p50 / p95", "gridPos": {"x": 0, "y": 8, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"}, "fieldConfig": {"defaults": {"unit": "s"}, "overrides": []},
     "targets": [
       {"refId": "A", "expr": "histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{ {{- $http -}} }[5m])))", "legendFormat": "p50"},
       {"refId": "B", "expr": "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{ {{- $http -}} }[5m])))", "legendFormat": "p95"}]},
    {"id": 4, "type": "timeseries", "title": "Replicas per HPA", "gridPos": {"x": 12, "y": 8, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "targets": [{"refId": "A", "expr": "kube_horizontalpodautoscaler_status_current_replicas{namespace=\"{{ $ns }}\", horizontalpodautoscaler=~\"{{ $full }}-.*\"}", "legendFormat": "{{ "{{horizontalpodautoscaler}}" }}"}]},
    {"id": 5, "type": "timeseries", "title": "CPU per pod (cores)", "gridPos": {"x": 0, "y": 16, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "targets": [{"refId": "A", "expr": "sum by (pod) (rate(container_cpu_usage_seconds_total{ {{- $pods -}}, container!=\"\"}[5m]))", "legendFormat": "{{ "{{pod}}" }}"}]},
    {"id": 6, "type": "timeseries", "title": "Memory per pod", "gridPos": {"x": 12, "y": 16, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"}, "fieldConfig": {"defaults": {"unit": "bytes"}, "overrides": []},
     "targets": [{"refId": "A", "expr": "sum by (pod) (container_memory_working_set_bytes{ {{- $pods -}}, container!=\"\"})", "legendFormat": "{{ "{{pod}}" }}"}]},
    {"id": 7, "type": "timeseries", "title": "Container restarts (1 h)", "gridPos": {"x": 0, "y": 24, "w": 24, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "targets": [{"refId": "A", "expr": "sum by (pod) (increase(kube_pod_container_status_restarts_total{ {{- $pods -}} }[1h]))", "legendFormat": "{{ "{{pod}}" }}"}]}
  ]
}
{{- end -}}
