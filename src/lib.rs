//! kubedeck: a terminal dashboard for deploying and operating the Todo Chatbot on Kubernetes.

pub mod actions;
pub mod ansi;
pub mod app;
pub mod chart;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod text;
pub mod tui;
pub mod views;
