//! Work that changes the cluster or runs a process (deploy, rollback, scale, restart, logs,
//! wizard steps). Each action takes a client and a sender, streams progress messages and ends
//! with a result message; none of them touches the dashboard state directly.

pub mod audit;
pub mod choices;
pub mod demo;
pub mod deploy;
pub mod history;
pub mod interrupt;
pub mod operate;
pub mod operation;
pub mod release_store;
pub mod sandbox;
pub mod setup;
