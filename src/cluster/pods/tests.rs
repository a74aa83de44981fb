use super::*;

fn pod(yaml: &str) -> PodRow {
    let pod: Pod = serde_yaml::from_str(yaml).expect("test pod YAML");
    PodRow::from(&pod)
}

const META: &str = "metadata: {name: web-1, namespace: shop, creationTimestamp: '2026-11-23T10:00:00Z'}\n";

#[test]
fn running_and_ready() {
    let row = pod(&format!(
        "{META}spec: {{nodeName: n1, containers: [{{name: a}}, {{name: b}}]}}
status:
  phase: Running
  podIP: 10.0.0.7
  conditions: [{{type: Ready, status: 'True'}}]
  containerStatuses:
  - {{name: a, ready: true, restartCount: 0, image: x, imageID: x, state: {{running: {{}}}}}}
  - {{name: b, ready: true, restartCount: 2, image: x, imageID: x, state: {{running: {{}}}},
     lastState: {{terminated: {{exitCode: 1, finishedAt: '2026-11-23T11:00:00Z'}}}}}}
"
    ));
    assert_eq!(
        (row.status.as_str(), row.ready, row.total, row.health),
        ("Running", 2, 2, Health::Ready)
    );
    assert_eq!(row.restarts, 2);
    assert_eq!(
        row.last_restart.map(|t| t.to_string()).as_deref(),
        Some("2026-11-23T11:00:00Z")
    );
    assert_eq!((row.node.as_str(), row.ip.as_str()), ("n1", "10.0.0.7"));
    assert_eq!(row.key.to_string(), "shop/web-1");
    let b = &row.containers[1];
    assert_eq!(
        (b.name.as_str(), b.state.as_str(), b.restarts, b.ready),
        ("b", "running", 2, true)
    );
    assert_eq!(b.last_termination.as_deref(), Some("terminated (exit 1)"));
}

#[test]
fn waiting_reasons_win_over_phase() {
    let row = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}
status:
  phase: Running
  containerStatuses:
  - {{name: a, ready: false, restartCount: 7, image: x, imageID: x, state: {{waiting: {{reason: CrashLoopBackOff}}}}}}
"
    ));
    assert_eq!(
        (row.status.as_str(), row.ready, row.health),
        ("CrashLoopBackOff", 0, Health::Failing)
    );
    assert_eq!(row.restarts, 7);
    assert_eq!(row.containers[0].state, "waiting: CrashLoopBackOff");

    let row = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}
status: {{phase: Pending, containerStatuses: [{{name: a, ready: false, restartCount: 0, image: x, imageID: x,
  state: {{waiting: {{reason: ContainerCreating}}}}}}]}}
"
    ));
    assert_eq!(
        (row.status.as_str(), row.health),
        ("ContainerCreating", Health::Progressing)
    );
}

#[test]
fn terminated_without_reason_shows_exit_code_or_signal() {
    let status = |term: &str| {
        pod(&format!(
            "{META}spec: {{containers: [{{name: a}}]}}
status: {{phase: Running, containerStatuses: [{{name: a, ready: false, restartCount: 0, image: x, imageID: x,
  state: {{terminated: {term}}}}}]}}
"
        ))
        .status
    };
    assert_eq!(status("{exitCode: 3}"), "ExitCode:3");
    assert_eq!(status("{exitCode: 137, signal: 9}"), "Signal:9");
    assert_eq!(status("{exitCode: 137, reason: OOMKilled}"), "OOMKilled");
}

#[test]
fn init_containers_report_progress_and_failures() {
    let with_init = |init_state: &str| {
        pod(&format!(
            "{META}spec: {{initContainers: [{{name: migrate}}, {{name: seed}}], containers: [{{name: a}}]}}
status:
  phase: Pending
  initContainerStatuses:
  - {{name: migrate, ready: false, restartCount: 1, image: x, imageID: x, state: {init_state}}}
"
        ))
    };
    assert_eq!(with_init("{running: {}}").status, "Init:0/2");
    assert_eq!(with_init("{running: {}}").health, Health::Progressing);
    assert_eq!(
        with_init("{waiting: {reason: CrashLoopBackOff}}").status,
        "Init:CrashLoopBackOff"
    );
    assert_eq!(with_init("{terminated: {exitCode: 2}}").status, "Init:ExitCode:2");
    assert_eq!(with_init("{terminated: {exitCode: 2}}").health, Health::Failing);
    assert_eq!(with_init("{terminated: {exitCode: 2}}").restarts, 1);
}

#[test]
fn sidecars_count_towards_ready() {
    let row = pod(&format!(
        "{META}spec: {{initContainers: [{{name: proxy, restartPolicy: Always}}], containers: [{{name: a}}]}}
status:
  phase: Running
  conditions: [{{type: Initialized, status: 'True'}}, {{type: Ready, status: 'True'}}]
  initContainerStatuses:
  - {{name: proxy, ready: true, started: true, restartCount: 0, image: x, imageID: x, state: {{running: {{}}}}}}
  containerStatuses:
  - {{name: a, ready: true, restartCount: 0, image: x, imageID: x, state: {{running: {{}}}}}}
"
    ));
    assert_eq!((row.status.as_str(), row.ready, row.total), ("Running", 2, 2));
}

#[test]
fn an_unready_dapr_sidecar_is_named_and_failing_while_the_app_runs() {
    let with = |daprd_ready: bool, native: bool| {
        let daprd = format!(
            "{{name: daprd, ready: {daprd_ready}, started: true, restartCount: 0, image: x, imageID: x, state: {{running: {{}}}}}}"
        );
        let (init_spec, init_status, main_status) = if native {
            (
                "initContainers: [{name: daprd, restartPolicy: Always}], ",
                format!("initContainerStatuses: [{daprd}]"),
                String::new(),
            )
        } else {
            ("", String::new(), format!(", {daprd}"))
        };
        let containers = if native {
            "[{name: app}]"
        } else {
            "[{name: app}, {name: daprd}]"
        };
        pod(&format!(
            "{META}spec: {{{init_spec}containers: {containers}}}
status:
  phase: Running
  conditions: [{{type: Initialized, status: 'True'}}, {{type: Ready, status: '{daprd_ready}'}}]
  {init_status}
  containerStatuses: [{{name: app, ready: true, restartCount: 0, image: x, imageID: x, state: {{running: {{}}}}}}{main_status}]
"
        ))
    };
    for native in [false, true] {
        let row = with(false, native);
        assert_eq!(
            (row.status.as_str(), row.ready, row.total, row.health),
            ("daprd not ready", 1, 2, Health::Failing),
            "native sidecar: {native}"
        );
        let row = with(true, native);
        assert_eq!(
            (row.status.as_str(), row.health),
            ("Running", Health::Ready),
            "native sidecar: {native}"
        );
    }
}

#[test]
fn completed_succeeded_and_terminating() {
    let done = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}
status: {{phase: Succeeded, containerStatuses: [{{name: a, ready: false, restartCount: 0, image: x, imageID: x,
  state: {{terminated: {{exitCode: 0, reason: Completed}}}}}}]}}
"
    ));
    assert_eq!((done.status.as_str(), done.health), ("Completed", Health::Completed));

    let deleting = pod(
        "metadata: {name: w, namespace: s, deletionTimestamp: '2026-11-23T10:00:00Z'}
spec: {containers: [{name: a}]}
status: {phase: Running}
",
    );
    assert_eq!(
        (deleting.status.as_str(), deleting.health),
        ("Terminating", Health::Terminating)
    );

    let lost = pod(
        "metadata: {name: w, namespace: s, deletionTimestamp: '2026-11-23T10:00:00Z'}
spec: {containers: [{name: a}]}
status: {phase: Running, reason: NodeLost}
",
    );
    assert_eq!(lost.status, "Unknown");
}

#[test]
fn evicted_and_gated_pods() {
    let evicted = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}\nstatus: {{phase: Failed, reason: Evicted}}\n"
    ));
    assert_eq!((evicted.status.as_str(), evicted.health), ("Evicted", Health::Failing));
    let gated = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}
status: {{phase: Pending, conditions: [{{type: PodScheduled, status: 'False', reason: SchedulingGated}}]}}
"
    ));
    assert_eq!(gated.status, "SchedulingGated");
    assert_eq!(gated.node, "<none>");
}

#[test]
fn hostile_names_are_sanitized() {
    let row = pod("metadata: {name: \"x\\e]0;owned\\a\\e[2J\", namespace: s}\nspec: {containers: []}\n");
    assert_eq!(row.key.name, "x");
}

#[test]
fn wide_columns_nominated_node_and_readiness_gates_as_kubectl_prints_them() {
    let row = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}], readinessGates: [{{conditionType: 'lb/ready'}}, {{conditionType: 'x/synced'}}]}}
status:
  phase: Pending
  nominatedNodeName: n2
  conditions: [{{type: 'lb/ready', status: 'True'}}, {{type: 'x/synced', status: 'False'}}]
"
    ));
    assert_eq!(
        (row.nominated_node.as_str(), row.readiness_gates.as_str()),
        ("n2", "1/2")
    );
    let plain = pod(&format!(
        "{META}spec: {{containers: [{{name: a}}]}}\nstatus: {{phase: Pending}}\n"
    ));
    assert_eq!(
        (plain.nominated_node.as_str(), plain.readiness_gates.as_str()),
        ("<none>", "<none>")
    );
}
