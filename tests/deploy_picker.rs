//! The dashboard's `d` in a pseudo-terminal: the user picks the release, the chart and the
//! values on one line, and the next `d` on the same kube context starts from that choice, also
//! after kubedeck was restarted (it is kept in the state folder).

mod common;

use std::ffi::OsStr;
use std::time::Duration;

use common::pty::Tui;

#[tokio::test]
async fn d_picks_release_chart_and_values_and_remembers_them_per_context() {
    let client = common::client().await;
    let ns = common::namespace(&client, "picker").await;
    let state = tempfile::tempdir().unwrap();
    let env = [
        ("KUBEDECK_STATE_DIR", state.path().as_os_str()),
        ("KUBEDECK_CONFIG", OsStr::new("/nonexistent")),
    ];
    let kubeconfig = common::sim_kubeconfig();
    let mut tui = Tui::spawn_with_env(&["-n", &ns], &kubeconfig, &env);
    tui.wait_for(&["● live"], Duration::from_secs(60));

    // First time on this context: the Todo Chatbot with the local values.
    tui.type_str("d");
    tui.wait_for(&["deploy [RELEASE", "todo -f local"], Duration::from_secs(10));
    tui.type_str("\x15"); // Ctrl-U clears the line
    tui.type_str("shop --chart embedded -f staging --set frontend.replicaCount=1\r");
    tui.wait_for(&[&format!("Deploy shop to {ns}")], Duration::from_secs(30));
    tui.type_str("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));

    let saved = std::fs::read_to_string(state.path().join("deploy-choices.json")).expect("the choice is kept");
    assert!(saved.contains("shop --chart embedded -f staging"), "{saved}");

    // Restarted: d offers the last choice again.
    let mut tui = Tui::spawn_with_env(&["-n", &ns], &kubeconfig, &env);
    tui.wait_for(&["● live"], Duration::from_secs(60));
    tui.type_str("d");
    tui.wait_for(
        &["shop --chart embedded -f staging --set frontend.replicaCount=1"],
        Duration::from_secs(10),
    );
    // A chart folder that is not one is one sentence, and nothing is planned.
    tui.type_str("\x15");
    tui.type_str("shop --chart /nonexistent-chart -f local\r");
    std::thread::sleep(Duration::from_secs(1));
    let screen = tui.contents();
    assert!(!screen.contains("Deploy shop to"), "nothing is planned:\n{screen}");
    assert!(
        screen.contains("/nonexistent-chart"),
        "the sentence names the chart:\n{screen}"
    );
    tui.kill();
    common::delete_namespace(&client, &ns).await;
}
