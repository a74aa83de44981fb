//! The subcommands' output: `out!` and `outln!`, `print!` and `println!` that survive a closed
//! pipe. Declared first in `commands`, so every subcommand's module has them.

use std::io::Write;

/// `print!` for a subcommand's output. A closed pipe (`kubedeck deploy ... | head`) drops what
/// follows instead of panicking: an operation goes on to its end rather than stopping half-done
/// (a release left pending-install), and its exit status still says how it went.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::write_out(format_args!($($arg)*))
    };
}

/// `println!` for a subcommand's output, as `out!`.
macro_rules! outln {
    () => {
        $crate::commands::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::commands::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes to stdout, ignoring a reader that went away (see `out!`).
pub fn write_out(args: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_fmt(args).and_then(|()| stdout.flush());
}
