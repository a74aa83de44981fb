//! Snapshot tests of the resource pane (Services, Nodes with live usage) and what `:svc` and
//! metrics readings do to the state.

use k8s_openapi::api::core::v1::{Node, Service};

use crate::app::{App, Effect, Msg, PaneId};
use crate::cluster::metrics::{MetricsReading, Usage};
use crate::cluster::resources::{ResourceKind, ResourceRow};
use crate::cluster::store::{FromObject, ObjectKey, WatchUpdate};
use crate::cluster::{RowUpdate, Scope};
use crate::views::render_app;
use crate::views::tests::{connected_app, drawn};

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("test object")
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut app = app.clone();
    app.update(Msg::Resize { width, height });
    app.refresh();
    drawn(width, height, |area, buf| render_app(&app, area, buf))
}

fn command(app: &mut App, line: &str) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    app.update(key(KeyCode::Char(':')));
    for c in line.chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(key(KeyCode::Enter));
}

fn services() -> Vec<ResourceRow> {
    let svc = |name: &str, kind: &str, port: i32| -> Service {
        from_json(serde_json::json!({
            "metadata": {"name": name, "namespace": "todo", "creationTimestamp": "2026-11-23T11:00:00Z"},
            "spec": {"type": kind, "clusterIP": "10.96.0.12", "ports": [{"port": port, "protocol": "TCP"}],
                "selector": {"app.kubernetes.io/name": name}}
        }))
    };
    [
        svc("todo-backend", "ClusterIP", 8000),
        svc("todo-frontend", "LoadBalancer", 3000),
        svc("todo-mcp-server", "ClusterIP", 8001),
    ]
    .iter()
    .map(<ResourceRow as FromObject<Service>>::from_object)
    .collect()
}

#[test]
fn svc_shows_the_services_and_asks_for_their_watch_once() {
    let mut app = connected_app(Scope::Namespace("todo".into()));
    command(&mut app, "svc");
    assert_eq!(app.focus, PaneId::Resources);
    assert_eq!(app.effects, [Effect::WatchResource(ResourceKind::Services)]);
    app.update(Msg::Rows(RowUpdate::Resources(
        ResourceKind::Services,
        WatchUpdate::Listed(services()),
    )));
    insta::assert_snapshot!("services_wide", screen(&app, 120, 12));
    insta::assert_snapshot!("services_narrow", screen(&app, 60, 12));

    // Another kind, then back: the watch is not asked for twice, the filter is kept.
    app.panes
        .get_mut(PaneId::Resources)
        .set_filter(crate::app::table::Filter::parse("front").unwrap());
    command(&mut app, "no");
    command(&mut app, "svc");
    let watches: Vec<&Effect> = app
        .effects
        .iter()
        .filter(|e| matches!(e, Effect::WatchResource(_)))
        .collect();
    assert_eq!(
        watches,
        [
            &Effect::WatchResource(ResourceKind::Services),
            &Effect::WatchResource(ResourceKind::Nodes)
        ]
    );
    app.refresh();
    let shown: Vec<&str> = app
        .panes
        .get(PaneId::Resources)
        .view
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(shown, ["todo-frontend"]);
}

fn node(name: &str) -> ResourceRow {
    let n: Node = from_json(serde_json::json!({
        "metadata": {"name": name, "creationTimestamp": "2026-11-20T00:00:00Z",
            "labels": {"type": "kwok"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}],
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
    }));
    <ResourceRow as FromObject<Node>>::from_object(&n)
}

#[test]
fn nodes_show_live_usage_as_a_share_of_allocatable_or_say_metrics_are_unavailable() {
    let mut app = connected_app(Scope::Namespace("todo".into()));
    command(&mut app, "no");
    app.update(Msg::Rows(RowUpdate::Resources(
        ResourceKind::Nodes,
        WatchUpdate::Listed(vec![node("kwok-node-0"), node("kwok-node-1")]),
    )));
    app.update(Msg::Metrics(MetricsReading {
        at: app.now,
        pods: Ok(vec![]),
        nodes: Ok(vec![
            (
                "kwok-node-0".into(),
                Usage {
                    cpu_millis: 850.0,
                    memory_bytes: 7.8 * 1073741824.0,
                },
            ),
            (
                "kwok-node-1".into(),
                Usage {
                    cpu_millis: 120.0,
                    memory_bytes: 1073741824.0,
                },
            ),
        ]),
    }));
    let wide = screen(&app, 130, 12);
    assert!(wide.contains("850m 21%") && wide.contains("7.8Gi 98%"), "{wide}");
    insta::assert_snapshot!("nodes_wide", wide);
    insta::assert_snapshot!("nodes_narrow", screen(&app, 70, 12));

    let missing = "metrics unavailable: the cluster does not serve metrics.k8s.io (install metrics-server)";
    app.update(Msg::Metrics(MetricsReading {
        at: app.now,
        pods: Err(missing.into()),
        nodes: Err(missing.into()),
    }));
    let text = screen(&app, 130, 12);
    assert!(text.contains("metrics unavailable"), "{text}");
    assert!(!text.contains("850m"), "{text}");
}

#[test]
fn pods_show_usage_against_request_and_limit() {
    let mut app = connected_app(Scope::Namespace("todo".into()));
    let mut pod = crate::cluster::pods::PodRow::example("todo", "backend-1", "Running", "2026-11-23T11:00:00Z");
    pod.requests = Usage {
        cpu_millis: 100.0,
        memory_bytes: 64.0 * 1048576.0,
    };
    pod.limits = Usage {
        cpu_millis: 200.0,
        memory_bytes: 128.0 * 1048576.0,
    };
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(vec![pod]))));
    app.update(Msg::Metrics(MetricsReading {
        at: app.now,
        pods: Ok(vec![(
            ObjectKey::new("todo", "backend-1"),
            Usage {
                cpu_millis: 190.0,
                memory_bytes: 32.0 * 1048576.0,
            },
        )]),
        nodes: Ok(vec![]),
    }));
    let text = screen(&app, 150, 12);
    assert!(text.contains("190m 190/95") && text.contains("32Mi 50/25"), "{text}");
}

#[test]
fn the_pod_detail_draws_the_last_minutes_as_a_sparkline() {
    let mut app = connected_app(Scope::Namespace("todo".into()));
    let mut pod = crate::cluster::pods::PodRow::example("todo", "backend-1", "Running", "2026-11-23T11:00:00Z");
    pod.requests = Usage {
        cpu_millis: 100.0,
        memory_bytes: 64.0 * 1048576.0,
    };
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(vec![pod]))));
    for cpu in [10.0, 20.0, 40.0] {
        app.update(Msg::Metrics(MetricsReading {
            at: app.now,
            pods: Ok(vec![(
                ObjectKey::new("todo", "backend-1"),
                Usage {
                    cpu_millis: cpu,
                    memory_bytes: 32.0 * 1048576.0,
                },
            )]),
            nodes: Ok(vec![]),
        }));
    }
    app.refresh();
    app.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    )));
    let text = screen(&app, 100, 24);
    assert!(text.contains("CPU ▃▅█"), "{text}");
    assert!(text.contains("40m, 40% of request"), "{text}");
    assert!(text.contains("MEM ███"), "{text}");
}

#[test]
fn a_forbidden_kind_says_so_on_its_own_table_only() {
    use crate::cluster::FailureKind;
    use crate::cluster::store::WatchKind;
    use crate::cluster::watch::WatchStatus;
    let mut app = connected_app(Scope::Namespace("todo".into()));
    command(&mut app, "no");
    command(&mut app, "svc");
    app.update(Msg::Watch(WatchStatus::Failed {
        kind: WatchKind::Resources(ResourceKind::Nodes),
        failure: FailureKind::Refused,
        message: "you cannot list nodes (RBAC: nodes is forbidden); ask for get/list on nodes".into(),
        retry_in: std::time::Duration::from_secs(1),
    }));
    assert_eq!(
        app.panes.get(PaneId::Resources).problem,
        None,
        "the Services are not forbidden"
    );
    command(&mut app, "no");
    let text = screen(&app, 120, 12);
    assert!(text.contains("you cannot list nodes"), "{text}");
}

#[test]
fn f_on_a_service_offers_its_first_port_and_forwards_to_the_service() {
    use crate::app::exec::ForwardRequest;
    use crate::cluster::forward::PortPair;
    use crate::cluster::pod_target::PodTarget;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = connected_app(Scope::Namespace("todo".into()));
    command(&mut app, "svc");
    app.update(Msg::Rows(RowUpdate::Resources(
        ResourceKind::Services,
        WatchUpdate::Listed(services()),
    )));
    app.refresh();
    app.effects.clear();
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    app.update(key(KeyCode::Char('F')));
    assert_eq!(
        app.prompt.as_ref().map(|p| p.text.as_str()),
        Some("8000"),
        "todo-backend's port"
    );
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.effects,
        [Effect::StartForward(ForwardRequest {
            id: 1,
            namespace: "todo".into(),
            target: PodTarget::Service("todo-backend".into()),
            ports: PortPair::parse("8000").unwrap(),
        })]
    );
}
