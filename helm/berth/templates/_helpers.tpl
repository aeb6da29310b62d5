{{/* Chart name, at most 63 characters. */}}
{{- define "berth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: RELEASE-berth, or RELEASE when the release name already contains the chart name. */}}
{{- define "berth.fullname" -}}
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

{{- define "berth.agentName" -}}
{{- printf "%s-agent" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "berth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object; pass (dict "ctx" $ "component" "control-plane"). */}}
{{- define "berth.labels" -}}
helm.sh/chart: {{ include "berth.chart" .ctx }}
{{ include "berth.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: berth
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "berth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "berth.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "berth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "berth.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Secret with the database password: database.existingSecret, else the chart's FULLNAME-database. */}}
{{- define "berth.databaseSecretName" -}}
{{- default (printf "%s-database" (include "berth.fullname" .)) .Values.database.existingSecret }}
{{- end }}

{{/* Secret with the admin and agent tokens: auth.existingSecret, else the chart's FULLNAME-tokens. */}}
{{- define "berth.authSecretName" -}}
{{- default (printf "%s-tokens" (include "berth.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "berth.leaseName" -}}
{{- default (printf "%s-leader" (include "berth.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}

{{/* Base URL agents use to reach the control plane: the Service's cluster DNS name. */}}
{{- define "berth.controlPlaneUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "berth.fullname" .) .Release.Namespace (int .Values.controlPlane.service.port) }}
{{- end }}

{{- define "berth.jdbcUrl" -}}
{{- $db := .Values.database }}
{{- printf "jdbc:postgresql://%s:%d/%s" $db.host (int $db.port) $db.name }}{{ with $db.parameters }}?{{ . }}{{ end }}
{{- end }}

{{/* image reference; pass (dict "image" .Values.x.image "ctx" $). */}}
{{- define "berth.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}
