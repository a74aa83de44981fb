//! Rebuilds kubedeck when the chart or the sim recipe it embeds changes: `include_dir!` cannot
//! tell cargo which files it read on stable Rust, so without this an edit under `assets/` alone
//! would leave the old copy in the binary.
fn main() {
    println!("cargo:rerun-if-changed=assets/chart/todo-chatbot");
    println!("cargo:rerun-if-changed=assets/sim");
}
