//! `B`: leave the dashboard for `kubedeck sandbox`, a local cluster with the chart on it, offered
//! where there is no cluster to show. Whether this machine can have one is found out once, at
//! start-up (`actions::sandbox::missing`), so the screen can say what it lacks instead.

use super::App;

/// What the no-cluster screen offers besides the Minikube wizard.
#[derive(Debug, Clone, Default)]
pub struct SandboxOffer {
    /// What this machine lacks for a sandbox, as one sentence; None when it can have one.
    pub missing: Option<String>,
    /// The user pressed `B` and can have one: the dashboard quits to `kubedeck sandbox`.
    pub requested: bool,
}

impl App {
    pub(super) fn open_sandbox(&mut self) {
        match &self.sandbox.missing {
            Some(what) => self.notice = Some(what.clone()),
            None => {
                self.sandbox.requested = true;
                self.should_quit = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keys::Action;
    use crate::cluster::ConnectOptions;

    fn app(missing: Option<&str>) -> App {
        let mut app = App::new(ConnectOptions::default(), jiff::Timestamp::UNIX_EPOCH, (120, 30));
        app.sandbox.missing = missing.map(str::to_owned);
        app
    }

    #[test]
    fn b_leaves_for_the_sandbox_only_when_this_machine_can_have_one() {
        let mut a = app(None);
        a.perform(Action::Sandbox);
        assert!(a.sandbox.requested && a.should_quit && !a.run_setup);

        let mut a = app(Some("kubedeck sandbox needs Go"));
        a.perform(Action::Sandbox);
        assert!(!a.sandbox.requested && !a.should_quit);
        assert_eq!(a.notice.as_deref(), Some("kubedeck sandbox needs Go"));

        // Read-only mode refuses it like every key that changes a cluster.
        let mut a = app(None);
        a.readonly.everywhere = true;
        a.perform(Action::Sandbox);
        assert!(!a.sandbox.requested && !a.should_quit);
    }
}
