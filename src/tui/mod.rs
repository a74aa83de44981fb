//! Everything that touches the real terminal and runs the app: terminal setup and input, the
//! dashboard's and the wizard's loops, and the effect runner that does the dashboard's work.

pub mod dashboard;
mod effects;
pub mod sandbox;
pub mod setup;
mod shell;
mod terminal;
