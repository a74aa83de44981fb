//! What each production option of the bundled chart renders, with kubedeck's own renderer
//! (tests/chart_vs_helm.rs keeps it byte-identical to `helm template` for every values file).

use kubedeck::chart::{BUNDLED_CHART, RenderOptions, Rendered, load_chart, render};
use serde_yaml::Value;
use std::path::Path;

fn chart_file(name: &str) -> std::path::PathBuf {
    Path::new(BUNDLED_CHART).join(name)
}

/// The chart rendered as release `todo` in `prod` with the CI secrets, `files` and `set`.
fn rendered(files: &[&str], set: &[&str]) -> Rendered {
    let chart = load_chart(BUNDLED_CHART).expect("the bundled chart loads");
    let mut values_files = vec![chart_file("ci-values.yaml")];
    values_files.extend(files.iter().map(|f| chart_file(f)));
    let opts = RenderOptions {
        release_name: "todo".into(),
        namespace: "prod".into(),
        values_files,
        set: set.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    render(&chart, &opts).unwrap_or_else(|e| panic!("{e}"))
}

fn all(r: &Rendered) -> Vec<&Value> {
    r.objects
        .iter()
        .map(|o| &o.yaml)
        .chain(r.hooks.iter().map(|h| &h.object.yaml))
        .collect()
}

fn find<'a>(r: &'a Rendered, kind: &str, name: &str) -> Option<&'a Value> {
    all(r)
        .into_iter()
        .find(|o| o["kind"].as_str() == Some(kind) && o["metadata"]["name"].as_str() == Some(name))
}

fn get<'a>(r: &'a Rendered, kind: &str, name: &str) -> &'a Value {
    find(r, kind, name).unwrap_or_else(|| panic!("no {kind}/{name} rendered"))
}

fn names(r: &Rendered, kind: &str) -> Vec<String> {
    all(r)
        .into_iter()
        .filter(|o| o["kind"].as_str() == Some(kind))
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

fn pod_spec<'a>(r: &'a Rendered, kind: &str, name: &str) -> &'a Value {
    &get(r, kind, name)["spec"]["template"]["spec"]
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML parses")
}

#[test]
fn every_autoscalable_component_renders_its_hpa_with_behaviour_from_values() {
    let r = rendered(&[], &["mcpServer.autoscaling.enabled=true"]);
    let hpa = get(&r, "HorizontalPodAutoscaler", "todo-todo-chatbot-mcp-server");
    assert_eq!(hpa["spec"]["minReplicas"], yaml("1"));
    assert_eq!(hpa["spec"]["maxReplicas"], yaml("2"));
    assert!(get(&r, "Deployment", "todo-todo-chatbot-mcp-server")["spec"]["replicas"].is_null());
    assert_eq!(
        names(&r, "HorizontalPodAutoscaler"),
        [
            "todo-todo-chatbot-backend",
            "todo-todo-chatbot-frontend",
            "todo-todo-chatbot-mcp-server"
        ]
    );
    // The seeds' numbers: up 2 pods a minute after 60 s, down 1 pod per 2 minutes after 5 minutes.
    let backend = get(&r, "HorizontalPodAutoscaler", "todo-todo-chatbot-backend");
    assert_eq!(
        backend["spec"]["behavior"],
        yaml(
            "scaleUp: {stabilizationWindowSeconds: 60, policies: [{type: Pods, value: 2, periodSeconds: 60}]}\n\
             scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: Pods, value: 1, periodSeconds: 120}]}"
        )
    );
    let r = rendered(
        &[],
        &["backend.autoscaling.behavior.scaleDown.stabilizationWindowSeconds=900"],
    );
    let backend = get(&r, "HorizontalPodAutoscaler", "todo-todo-chatbot-backend");
    assert_eq!(
        backend["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
        yaml("900")
    );
}

#[test]
fn each_component_has_its_own_service_account_without_a_token() {
    let r = rendered(&["values-local.yaml"], &[]);
    for c in ["frontend", "backend", "mcp-server", "redis", "postgresql"] {
        let name = format!("todo-todo-chatbot-{c}");
        let sa = get(&r, "ServiceAccount", &name);
        assert_eq!(sa["automountServiceAccountToken"], Value::Bool(false), "{c}");
        let kind = if matches!(c, "redis" | "postgresql") {
            "StatefulSet"
        } else {
            "Deployment"
        };
        let spec = pod_spec(&r, kind, &name);
        assert_eq!(spec["serviceAccountName"].as_str(), Some(name.as_str()), "{c}");
        assert_eq!(spec["automountServiceAccountToken"], Value::Bool(false), "{c}");
    }
    let r = rendered(
        &[],
        &[
            "backend.serviceAccount.create=false",
            "backend.serviceAccount.name=shared",
            "backend.serviceAccount.automountToken=true",
        ],
    );
    assert!(find(&r, "ServiceAccount", "todo-todo-chatbot-backend").is_none());
    let spec = pod_spec(&r, "Deployment", "todo-todo-chatbot-backend");
    assert_eq!(spec["serviceAccountName"].as_str(), Some("shared"));
    assert_eq!(spec["automountServiceAccountToken"], Value::Bool(true));
}

#[test]
fn network_policies_are_optional_and_keep_the_datastores_to_their_clients() {
    assert!(names(&rendered(&[], &[]), "NetworkPolicy").is_empty());
    // Five services, Redis, the migration Job and the test pods.
    for file in ["values-staging.yaml", "values-production.yaml"] {
        assert_eq!(names(&rendered(&[file], &[]), "NetworkPolicy").len(), 8, "{file}");
    }
    let r = rendered(
        &[],
        &[
            "networkPolicy.enabled=true",
            "postgresql.enabled=true",
            "postgresql.auth.password=pw",
        ],
    );
    let clients = |name: &str| -> Vec<String> {
        get(&r, "NetworkPolicy", name)["spec"]["ingress"][0]["from"]
            .as_sequence()
            .expect("one ingress rule")
            .iter()
            .map(|peer| {
                peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                    .as_str()
                    .unwrap_or("(namespace)")
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        clients("todo-todo-chatbot-redis"),
        ["backend", "mcp-server", "redis-test"]
    );
    assert_eq!(
        clients("todo-todo-chatbot-postgresql"),
        ["backend", "mcp-server", "migrations", "frontend"]
    );
    assert_eq!(clients("todo-todo-chatbot-mcp-server"), ["backend", "mcp-server-test"]);
    assert_eq!(
        clients("todo-todo-chatbot-backend"),
        ["(namespace)", "frontend", "backend-test"]
    );
    let redis = &get(&r, "NetworkPolicy", "todo-todo-chatbot-redis")["spec"];
    assert_eq!(redis["egress"], yaml("[]"));
    // Every application pod may resolve names; the frontend may not reach Redis.
    for c in ["frontend", "backend", "mcp-server", "migrations"] {
        let policy = get(&r, "NetworkPolicy", &format!("todo-todo-chatbot-{c}"));
        let egress = serde_yaml::to_string(&policy["spec"]["egress"]).unwrap();
        assert!(
            egress.contains("port: 53") && egress.contains("k8s-app: kube-dns"),
            "{c}: {egress}"
        );
        if c == "frontend" {
            assert!(!egress.contains("component: redis"), "{egress}");
        }
    }
}

#[test]
fn config_and_secret_checksums_roll_the_pods() {
    let annotations =
        |r: &Rendered, name: &str| get(r, "Deployment", name)["spec"]["template"]["metadata"]["annotations"].clone();
    let before = annotations(&rendered(&[], &[]), "todo-todo-chatbot-backend");
    let config = annotations(
        &rendered(&[], &["config.mcpServerUrl=http://mcp:9000"]),
        "todo-todo-chatbot-backend",
    );
    let secret = annotations(
        &rendered(&[], &["secrets.openaiApiKey=sk-other"]),
        "todo-todo-chatbot-backend",
    );
    assert_eq!(before["checksum/config"].as_str().map(str::len), Some(64));
    assert_ne!(before["checksum/config"], config["checksum/config"]);
    assert_eq!(before["checksum/secret"], config["checksum/secret"]);
    assert_ne!(before["checksum/secret"], secret["checksum/secret"]);
    // The chart cannot see an existing Secret's content: no checksum/secret then.
    let existing = annotations(&rendered(&["values-staging.yaml"], &[]), "todo-todo-chatbot-backend");
    assert!(existing.get("checksum/secret").is_none(), "{existing:?}");
}

#[test]
fn probes_lifecycle_and_scheduling_come_from_values() {
    let r = rendered(&["ci/everything-values.yaml"], &[]);
    let spec = pod_spec(&r, "Deployment", "todo-todo-chatbot-frontend");
    let main = &spec["containers"][0];
    assert_eq!(main["startupProbe"]["failureThreshold"], yaml("60"));
    assert!(main["livenessProbe"].is_null(), "liveness switched off");
    assert_eq!(main["readinessProbe"]["httpGet"]["path"], yaml("/api/health"));
    assert!(main["lifecycle"].is_null(), "preStopSleepSeconds 0 = no hook");
    assert_eq!(spec["terminationGracePeriodSeconds"], yaml("45"));
    assert_eq!(spec["priorityClassName"], yaml("todo-critical"));
    assert_eq!(main["args"], yaml("[--hostname, 0.0.0.0]"));
    assert_eq!(main["envFrom"], yaml("[{configMapRef: {name: feature-flags}}]"));
    assert!(serde_yaml::to_string(&main["env"]).unwrap().contains("LOG_LEVEL"));
    assert_eq!(main["volumeMounts"][2]["mountPath"], yaml("/etc/extra-ca"));
    assert_eq!(spec["volumes"][2]["secret"]["secretName"], yaml("extra-ca"));
    assert_eq!(spec["initContainers"][0]["name"], yaml("warm-up"));
    assert_eq!(spec["containers"][1]["name"], yaml("log-shipper"));
    // A spread constraint without a labelSelector gets release + component; one with keeps its own.
    let spread = &spec["topologySpreadConstraints"];
    assert_eq!(
        spread[0]["labelSelector"]["matchLabels"],
        yaml(
            "{app.kubernetes.io/name: todo-chatbot, app.kubernetes.io/instance: todo, app.kubernetes.io/component: frontend}"
        )
    );
    assert_eq!(
        spread[1]["labelSelector"]["matchLabels"],
        yaml("{app.kubernetes.io/component: frontend}")
    );
    let backend = pod_spec(&r, "Deployment", "todo-todo-chatbot-backend");
    assert_eq!(
        backend["containers"][0]["lifecycle"]["preStop"]["exec"]["command"][2],
        yaml("sleep 10")
    );
    // Default: a 5 s sleep action before SIGTERM.
    let r = rendered(&[], &[]);
    let main = &pod_spec(&r, "Deployment", "todo-todo-chatbot-backend")["containers"][0];
    assert_eq!(main["lifecycle"]["preStop"], yaml("sleep: {seconds: 5}"));
    assert!(main["startupProbe"].is_null());
}

#[test]
fn images_take_digests_a_global_registry_and_a_global_tag() {
    let r = rendered(&["ci/everything-values.yaml"], &[]);
    let image = |kind: &str, name: &str| pod_spec(&r, kind, name)["containers"][0]["image"].clone();
    assert_eq!(
        image("Deployment", "todo-todo-chatbot-frontend"),
        yaml(
            "registry.example.com:5000/todo-chatbot/frontend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )
    );
    assert_eq!(
        image("Deployment", "todo-todo-chatbot-backend"),
        yaml("registry.example.com:5000/todo-chatbot/backend:2.0.0")
    );
    assert_eq!(
        image("StatefulSet", "todo-todo-chatbot-redis"),
        yaml("registry.example.com:5000/redis:7.4")
    );
    let r = rendered(&[], &["global.imageTag=sha-abc123", "backend.image.tag=1.2"]);
    let image = |name: &str| pod_spec(&r, "Deployment", name)["containers"][0]["image"].clone();
    assert_eq!(
        image("todo-todo-chatbot-frontend"),
        yaml("ghcr.io/todo-chatbot/frontend:sha-abc123")
    );
    assert_eq!(
        image("todo-todo-chatbot-backend"),
        yaml("ghcr.io/todo-chatbot/backend:1.2")
    );
}

#[test]
fn redis_and_postgresql_persistence_and_pdbs_are_values() {
    let r = rendered(&["values-local.yaml"], &[]);
    let redis = &get(&r, "StatefulSet", "todo-todo-chatbot-redis")["spec"];
    let claim = &redis["volumeClaimTemplates"][0]["spec"];
    assert_eq!(claim["storageClassName"], yaml("standard"));
    assert_eq!(claim["resources"]["requests"]["storage"], yaml("1Gi"));
    assert!(names(&r, "PodDisruptionBudget").iter().all(|n| !n.ends_with("redis")));

    let r = rendered(&["ci/everything-values.yaml"], &[]);
    let redis = &get(&r, "StatefulSet", "todo-todo-chatbot-redis")["spec"];
    assert!(redis["volumeClaimTemplates"].is_null());
    assert!(
        serde_yaml::to_string(&redis["template"]["spec"]["volumes"])
            .unwrap()
            .contains("claimName: redis-data")
    );
    let pg = &get(&r, "StatefulSet", "todo-todo-chatbot-postgresql")["spec"];
    assert!(pg["volumeClaimTemplates"].is_null());
    assert!(
        serde_yaml::to_string(&pg["template"]["spec"]["volumes"])
            .unwrap()
            .contains("name: data\n  emptyDir: {}")
    );
    for c in ["redis", "postgresql"] {
        let pdb = get(&r, "PodDisruptionBudget", &format!("todo-todo-chatbot-{c}"));
        assert_eq!(pdb["spec"]["minAvailable"], yaml("1"));
    }
}

#[test]
fn redis_password_is_never_on_a_command_line() {
    let r = rendered(&[], &[]);
    let redis = &pod_spec(&r, "StatefulSet", "todo-todo-chatbot-redis")["containers"][0];
    let script = redis["command"][2].as_str().expect("a shell script");
    // The script hands redis-server its configuration on stdin; the password line is part of it.
    assert!(script.starts_with("exec redis-server - <<EOF\n"), "{script}");
    let command_line = script.lines().next().unwrap_or_default();
    assert!(!command_line.contains("requirepass") && !command_line.contains("REDIS_PASSWORD"));
    assert!(script.contains("\nrequirepass \"$REDIS_PASSWORD\"\n"), "{script}");
}

#[test]
fn migration_job_and_backend_wait_for_the_in_cluster_database() {
    let r = rendered(&[], &[]);
    let job = get(&r, "Job", "todo-todo-chatbot-migrations");
    assert_eq!(job["spec"]["ttlSecondsAfterFinished"], yaml("300"));
    assert_eq!(
        job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"],
        yaml("512Mi")
    );
    assert!(pod_spec(&r, "Deployment", "todo-todo-chatbot-backend")["initContainers"].is_null());

    let r = rendered(&["values-local.yaml"], &[]);
    let init = &pod_spec(&r, "Deployment", "todo-todo-chatbot-backend")["initContainers"][0];
    assert_eq!(init["name"], yaml("wait-for-database"));
    assert_eq!(
        init["env"][0]["valueFrom"]["secretKeyRef"]["name"],
        yaml("todo-todo-chatbot")
    );
    let r = rendered(&["values-local.yaml"], &["waitForDatabase.backend=false"]);
    assert!(pod_spec(&r, "Deployment", "todo-todo-chatbot-backend")["initContainers"].is_null());
}

#[test]
fn ingress_hosts_paths_class_and_tls() {
    let r = rendered(&[], &[]);
    let ingress = get(&r, "Ingress", "todo-todo-chatbot");
    assert!(ingress["metadata"]["annotations"].is_null());
    assert!(ingress["spec"]["tls"].is_null());

    let r = rendered(&["ci/everything-values.yaml"], &[]);
    let ingress = get(&r, "Ingress", "todo-todo-chatbot");
    let annotations = &ingress["metadata"]["annotations"];
    assert_eq!(annotations["cert-manager.io/cluster-issuer"], yaml("letsencrypt-prod"));
    assert_eq!(
        annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"],
        yaml("'true'")
    );
    assert_eq!(ingress["spec"]["ingressClassName"], yaml("nginx-internal"));
    assert_eq!(
        ingress["spec"]["tls"],
        yaml("[{hosts: [todo.local, www.todo.example.com], secretName: todo-todo-chatbot-tls}]")
    );
    let rules = ingress["spec"]["rules"].as_sequence().expect("rules");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["http"]["paths"][1]["pathType"], yaml("ImplementationSpecific"));
}

#[test]
fn cluster_issuers_are_off_by_default_and_need_an_email() {
    assert!(names(&rendered(&["values-production.yaml"], &[]), "ClusterIssuer").is_empty());
    let r = rendered(&["ci/everything-values.yaml"], &[]);
    assert_eq!(names(&r, "ClusterIssuer"), ["letsencrypt-prod", "letsencrypt-staging"]);
    let prod = get(&r, "ClusterIssuer", "letsencrypt-prod");
    assert_eq!(
        prod["spec"]["acme"]["server"],
        yaml("https://acme-v02.api.letsencrypt.org/directory")
    );
    let chart = load_chart(BUNDLED_CHART).unwrap();
    let opts = RenderOptions {
        values_files: vec![chart_file("ci-values.yaml")],
        set: vec!["clusterIssuers.enabled=true".into()],
        ..Default::default()
    };
    let err = render(&chart, &opts).unwrap_err().to_string();
    assert!(err.contains("set clusterIssuers.email"), "{err}");
}

#[test]
fn production_anti_affinity_and_spread_match_release_and_component() {
    let r = rendered(&["values-production.yaml"], &[]);
    for c in ["frontend", "backend", "mcp-server"] {
        let spec = pod_spec(&r, "Deployment", &format!("todo-todo-chatbot-{c}"));
        let term = &spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
        let labels = &term["podAffinityTerm"]["labelSelector"]["matchLabels"];
        assert_eq!(labels["app.kubernetes.io/instance"], yaml("todo"), "{c}");
        assert_eq!(labels["app.kubernetes.io/component"].as_str(), Some(c));
        let spread = &spec["topologySpreadConstraints"][0];
        assert_eq!(spread["topologyKey"], yaml("topology.kubernetes.io/zone"));
        assert_eq!(spread["labelSelector"]["matchLabels"], *labels, "{c}");
    }
}

#[test]
fn quota_and_limit_range_are_optional() {
    let r = rendered(&[], &[]);
    assert!(names(&r, "ResourceQuota").is_empty() && names(&r, "LimitRange").is_empty());
    let r = rendered(&["values-production.yaml"], &[]);
    let quota = get(&r, "ResourceQuota", "todo-todo-chatbot");
    assert_eq!(quota["spec"]["hard"]["requests.cpu"], yaml("'8'"));
    assert_eq!(quota["spec"]["hard"]["requests.memory"], yaml("12Gi"));
    let limits = &get(&r, "LimitRange", "todo-todo-chatbot")["spec"]["limits"][0];
    assert_eq!(limits["type"], yaml("Container"));
    assert_eq!(limits["max"]["memory"], yaml("2Gi"));
}

#[test]
fn monitoring_scrapes_metric_components_alerts_and_ships_a_dashboard() {
    let r = rendered(&["values-production.yaml"], &[]);
    assert_eq!(
        names(&r, "ServiceMonitor"),
        [
            "todo-todo-chatbot-backend",
            "todo-todo-chatbot-notification",
            "todo-todo-chatbot-sse-gateway"
        ]
    );
    let r = rendered(&["ci/everything-values.yaml"], &[]);
    assert_eq!(names(&r, "ServiceMonitor").len(), 3);
    let frontend = get(&r, "ServiceMonitor", "todo-todo-chatbot-frontend");
    assert_eq!(frontend["spec"]["endpoints"][0]["path"], yaml("/api/metrics"));
    assert_eq!(frontend["metadata"]["labels"]["release"], yaml("kube-prometheus-stack"));
    let rule = get(&r, "PrometheusRule", "todo-todo-chatbot");
    let alerts: Vec<&str> = rule["spec"]["groups"][0]["rules"]
        .as_sequence()
        .expect("rules")
        .iter()
        .filter_map(|a| a["alert"].as_str())
        .collect();
    assert_eq!(
        alerts,
        [
            "HighErrorRate",
            "CriticalErrorRate",
            "PodCrashLooping",
            "HPAAtMaxReplicas",
            "RedisDown",
            "PostgreSQLDown",
            "CertificateExpiringSoon"
        ]
    );
    let expiry = &rule["spec"]["groups"][0]["rules"][6];
    assert!(expiry["expr"].as_str().unwrap_or_default().contains("< 1209600"));
    assert_eq!(expiry["labels"]["team"], yaml("todo"));
    let dashboard = get(&r, "ConfigMap", "todo-todo-chatbot-dashboard");
    assert_eq!(dashboard["metadata"]["labels"]["grafana_dashboard"], yaml("'1'"));
    let json = dashboard["data"]["todo-todo-chatbot.json"]
        .as_str()
        .expect("dashboard JSON");
    let parsed: serde_json::Value = serde_json::from_str(json).expect("the dashboard is valid JSON");
    assert_eq!(parsed["panels"].as_array().map(Vec::len), Some(7));
    assert!(json.contains("job=\\\"todo-todo-chatbot-backend\\\""), "{json}");
}

const CLOUD_ONLY: [&str; 3] = [
    "notification.enabled=false",
    "sseGateway.enabled=false",
    "dapr.enabled=false",
];

fn deployments(r: &Rendered) -> Vec<String> {
    let mut d = names(r, "Deployment");
    d.sort();
    d
}

fn env_names(r: &Rendered, deployment: &str) -> Vec<String> {
    pod_spec(r, "Deployment", deployment)["containers"][0]["env"]
        .as_sequence()
        .map(|env| {
            env.iter()
                .filter_map(|e| e["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_cloud_shape_is_off_by_default_and_the_three_service_shape_stays_as_it_was() {
    let r = rendered(&[], &[]);
    assert_eq!(
        deployments(&r),
        [
            "todo-todo-chatbot-backend",
            "todo-todo-chatbot-frontend",
            "todo-todo-chatbot-mcp-server"
        ]
    );
    assert!(names(&r, "Component").is_empty() && names(&r, "Configuration").is_empty());
    let annotations =
        &get(&r, "Deployment", "todo-todo-chatbot-backend")["spec"]["template"]["metadata"]["annotations"];
    assert!(annotations["dapr.io/enabled"].is_null(), "{annotations:?}");
    assert!(!env_names(&r, "todo-todo-chatbot-backend").contains(&"PUBSUB_NAME".to_owned()));
    // The cloud values files deploy the three-service shape with the extra services off.
    for file in ["values-staging.yaml", "values-production.yaml"] {
        let r = rendered(&[file], &CLOUD_ONLY);
        assert_eq!(deployments(&r).len(), 3, "{file}");
        assert!(names(&r, "Component").is_empty(), "{file}");
    }
}

#[test]
fn staging_and_production_run_five_services_with_the_task_lists_settings() {
    let five = [
        "todo-todo-chatbot-backend",
        "todo-todo-chatbot-frontend",
        "todo-todo-chatbot-mcp-server",
        "todo-todo-chatbot-notification",
        "todo-todo-chatbot-sse-gateway",
    ];
    let staging = rendered(&["values-staging.yaml"], &[]);
    assert_eq!(deployments(&staging), five);
    assert!(
        names(&staging, "HorizontalPodAutoscaler").is_empty(),
        "staging runs without HPAs"
    );
    let production = rendered(&["values-production.yaml"], &[]);
    assert_eq!(deployments(&production), five);
    // min, max, CPU target per service, as the cloud task list sets them.
    for (service, min, max, cpu) in [
        ("backend", 2, 6, 70),
        ("frontend", 2, 4, 80),
        ("sse-gateway", 2, 4, 70),
        ("notification", 1, 3, 70),
        ("mcp-server", 1, 2, 80),
    ] {
        let spec = &get(
            &production,
            "HorizontalPodAutoscaler",
            &format!("todo-todo-chatbot-{service}"),
        )["spec"];
        let target = &spec["metrics"][0]["resource"]["target"]["averageUtilization"];
        assert_eq!(
            (&spec["minReplicas"], &spec["maxReplicas"], target),
            (
                &yaml(&min.to_string()),
                &yaml(&max.to_string()),
                &yaml(&cpu.to_string())
            ),
            "{service}"
        );
    }
    for (r, secret, topic, sampling) in [
        (&staging, "app-secrets", "staging-task-events", "1"),
        (&production, "app-secrets", "task-events", "0.1"),
    ] {
        let image = pod_spec(r, "Deployment", "todo-todo-chatbot-sse-gateway")["containers"][0]["image"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            image.starts_with("ghcr.io/todo-chatbot/hackathon-todo/sse-gateway:"),
            "{image}"
        );
        let component = get(r, "Component", "pubsub");
        assert_eq!(component["spec"]["type"], yaml("pubsub.kafka"));
        let metadata = component["spec"]["metadata"].as_sequence().expect("component metadata");
        let field = |name: &str| {
            metadata
                .iter()
                .find(|m| m["name"].as_str() == Some(name))
                .cloned()
                .unwrap_or(Value::Null)
        };
        for (name, key) in [
            ("brokers", "REDPANDA_BROKERS"),
            ("saslUsername", "REDPANDA_USERNAME"),
            ("saslPassword", "REDPANDA_PASSWORD"),
        ] {
            assert_eq!(
                field(name)["secretKeyRef"],
                yaml(&format!("{{name: {secret}, key: {key}}}")),
                "{name}"
            );
            assert!(field(name)["value"].is_null(), "{name} must never be a value");
        }
        assert_eq!(field("disableTls")["value"], yaml("'false'"));
        assert_eq!(component["auth"]["secretStore"], yaml("kubernetes"));
        let config = get(r, "ConfigMap", "todo-todo-chatbot");
        assert_eq!(config["data"]["TOPIC_TASK_EVENTS"], yaml(topic));
        let dapr_config = get(r, "Configuration", "todo-todo-chatbot-dapr");
        assert_eq!(
            dapr_config["spec"],
            yaml(&format!(
                "{{mtls: {{enabled: true}}, tracing: {{samplingRate: '{sampling}'}}}}"
            ))
        );
        // Sidecars on the services that publish or subscribe, not on the frontend.
        for (service, sidecar) in [
            ("frontend", false),
            ("backend", true),
            ("mcp-server", true),
            ("notification", true),
            ("sse-gateway", true),
        ] {
            let name = format!("todo-todo-chatbot-{service}");
            let annotations = &get(r, "Deployment", &name)["spec"]["template"]["metadata"]["annotations"];
            assert_eq!(
                annotations["dapr.io/enabled"].as_str() == Some("true"),
                sidecar,
                "{service}"
            );
            if sidecar {
                assert_eq!(annotations["dapr.io/app-id"], yaml(&name));
                assert_eq!(annotations["dapr.io/config"], yaml("todo-todo-chatbot-dapr"));
                assert!(
                    env_names(r, &name).contains(&"TOPIC_NOTIFICATIONS".to_owned()),
                    "{service}"
                );
            }
        }
    }
}

#[test]
fn the_cloud_options_come_from_values() {
    let r = rendered(&["ci/cloud-values.yaml"], &[]);
    let secret = get(&r, "Secret", "todo-todo-chatbot");
    for key in ["REDPANDA_BROKERS", "REDPANDA_USERNAME", "REDPANDA_PASSWORD"] {
        assert!(secret["data"][key].is_string(), "the chart's Secret lacks {key}");
    }
    let component = get(&r, "Component", "events");
    assert_eq!(
        component["spec"]["metadata"][0]["secretKeyRef"]["name"],
        yaml("broker-credentials")
    );
    assert_eq!(
        component["scopes"],
        yaml("[todo-todo-chatbot-backend, notifier, todo-todo-chatbot-sse-gateway]")
    );
    assert!(names(&r, "Configuration").is_empty(), "configuration.create=false");
    let annotations =
        &get(&r, "Deployment", "todo-todo-chatbot-notification")["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(
        (
            &annotations["dapr.io/app-id"],
            &annotations["dapr.io/config"],
            &annotations["dapr.io/log-level"]
        ),
        (&yaml("notifier"), &yaml("dapr-config"), &yaml("debug"))
    );
    let mcp = &get(&r, "Deployment", "todo-todo-chatbot-mcp-server")["spec"]["template"]["metadata"]["annotations"];
    assert!(mcp["dapr.io/enabled"].is_null(), "mcpServer.dapr.sidecar=false");
    assert_eq!(
        get(&r, "ConfigMap", "todo-todo-chatbot")["data"]["CORS_ORIGINS"],
        yaml("https://a.example.com,https://b.example.com")
    );
    // The SSE gateway's path comes before the others, so `/` does not swallow it.
    let paths = &get(&r, "Ingress", "todo-todo-chatbot")["spec"]["rules"][0]["http"]["paths"][0];
    assert_eq!(
        (&paths["path"], &paths["backend"]["service"]["name"]),
        (&yaml("/stream"), &yaml("todo-todo-chatbot-sse-gateway"))
    );
    // A sidecar's pod reaches the Dapr control plane and the brokers' port; the notification
    // service reads the database but nothing reaches it.
    let policy = &get(&r, "NetworkPolicy", "todo-todo-chatbot-notification")["spec"];
    let egress = serde_yaml::to_string(&policy["egress"]).unwrap_or_default();
    assert!(
        egress.contains("dapr-system") && egress.contains("port: 9092"),
        "{egress}"
    );
    assert_eq!(policy["ingress"], yaml("[]"), "an empty from would let every pod in");
    assert_eq!(names(&r, "HorizontalPodAutoscaler").len(), 3);
    assert_eq!(
        names(&r, "PodDisruptionBudget")
            .iter()
            .filter(|n| n.ends_with("notification"))
            .count(),
        1
    );
}

#[test]
fn the_cloud_shape_refuses_missing_broker_credentials_and_unknown_settings() {
    let chart = load_chart(BUNDLED_CHART).expect("the bundled chart loads");
    let render_with = |set: &[&str]| {
        let opts = RenderOptions {
            values_files: vec![chart_file("ci-values.yaml")],
            set: set.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        render(&chart, &opts).map(|_| ()).map_err(|e| e.to_string())
    };
    let err = render_with(&["dapr.enabled=true"]).unwrap_err();
    assert!(err.contains("secrets.redpandaBrokers is required"), "{err}");
    assert!(render_with(&["dapr.enabled=true", "existingSecret=app-secrets"]).is_ok());
    let err = render_with(&["dapr.pubsub.saslMechanism=MD5"]).unwrap_err();
    assert!(err.contains("saslMechanism"), "{err}");
    let err = render_with(&["notification.replica=2"]).unwrap_err();
    assert!(err.contains("replicas"), "the nearest valid key is named: {err}");
}

/// The Service an Ingress sends `path` to, as the Ingress spec matches: an Exact path first,
/// then the longest Prefix whose path elements start `path`'s.
fn routed_to<'a>(rules: &'a Value, path: &str) -> Option<&'a str> {
    let paths = rules[0]["http"]["paths"].as_sequence().expect("paths");
    let service = |p: &'a Value| p["backend"]["service"]["name"].as_str();
    if let Some(exact) = paths
        .iter()
        .find(|p| p["pathType"].as_str() == Some("Exact") && p["path"].as_str() == Some(path))
    {
        return service(exact);
    }
    let elements = |p: &str| {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    paths
        .iter()
        .filter(|p| p["pathType"].as_str() == Some("Prefix"))
        .filter(|p| elements(path).starts_with(&elements(p["path"].as_str().unwrap_or("/"))))
        .max_by_key(|p| p["path"].as_str().map_or(0, str::len))
        .and_then(service)
}

#[test]
fn the_ingress_keeps_the_frontends_own_api_routes_and_sends_the_rest_of_api_to_the_backend() {
    let r = rendered(&[], &[]);
    let rules = &get(&r, "Ingress", "todo-todo-chatbot")["spec"]["rules"];
    let (frontend, backend) = (Some("todo-todo-chatbot-frontend"), Some("todo-todo-chatbot-backend"));
    for (path, service) in [
        ("/", frontend),
        ("/login", frontend),
        ("/api/health", frontend),
        ("/api/auth/sign-in/email", frontend),
        ("/api/auth", frontend),
        ("/api/healthz", backend),
        ("/api/authors", backend),
        ("/api/u1/tasks", backend),
        ("/api/u1/chat", backend),
        ("/api", backend),
        ("/health", backend),
        ("/healthy", frontend),
    ] {
        assert_eq!(routed_to(rules, path), service, "{path}");
    }
}
