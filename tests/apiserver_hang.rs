//! A hung API server (process frozen: connections stay open, nothing answers) is never shown as
//! live: the dashboard says how long it has had no answer, keeps the last rows dimmed, and goes
//! back to live by itself when the server answers. Alone in its own test binary because it
//! freezes the shared API server.

mod common;

use std::time::{Duration, Instant};

/// Thaws the API server however the test ends, so a failure here cannot hang the tests after.
struct Thaw;

impl Drop for Thaw {
    fn drop(&mut self) {
        common::sim(&["thaw-apiserver"]);
    }
}

#[tokio::test]
async fn a_frozen_apiserver_is_shown_as_not_answering_then_live_again() {
    let client = common::client().await;
    let ns = common::namespace(&client, "hang").await;
    common::create_deployment(&client, &ns, "web", 2).await;

    let mut tui = common::pty::Tui::spawn(&["-n", &ns], &common::sim_kubeconfig());
    tui.wait_for(&["● live", "web-"], Duration::from_secs(60));

    common::sim(&["freeze-apiserver"]);
    let thaw = Thaw;
    let frozen_at = Instant::now();
    let screen = tui.wait_for(&["no answer from the API server for"], Duration::from_secs(30));
    let noticed = frozen_at.elapsed();
    assert!(
        !screen.contains("● live") && screen.contains("● no answer for"),
        "a frozen server is not live:\n{screen}"
    );
    assert!(
        screen.contains("showing what was last seen at"),
        "the header says since when the rows are old:\n{screen}"
    );
    assert!(screen.contains("web-"), "the last known pods stay on screen:\n{screen}");
    eprintln!("a frozen API server was noticed after {noticed:?}");
    // The seconds keep counting while it stays silent.
    tui.poll_until(Duration::from_secs(15), |s| {
        s.lines().any(|l| {
            l.split("no answer from the API server for ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= 8)
        })
    })
    .expect("the silence is counted in seconds as it goes on");

    drop(thaw);
    tui.wait_for(&["● live"], Duration::from_secs(60));
    let screen = tui.contents();
    assert!(
        !screen.contains("no answer from the API server"),
        "once it answers, the warning goes:\n{screen}"
    );
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));
    common::delete_namespace(&client, &ns).await;
}
