//! kubedeck in a pseudo-terminal, read back through a vt100 parser like a person would see it.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Tui {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Shared with the reader thread, which answers the program's cursor-position queries.
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    screen: Arc<Mutex<vt100::Parser<Escapes>>>,
}

/// What the program asked the terminal to do besides drawing: window titles and clipboard
/// writes. A dashboard that draws cluster text safely never asks for either.
#[derive(Debug, Default, Clone)]
pub struct Escapes {
    pub titles: Vec<String>,
    pub clipboard: Vec<String>,
}

impl vt100::Callbacks for Escapes {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(String::from_utf8_lossy(title).into_owned());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.titles.push(String::from_utf8_lossy(name).into_owned());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.clipboard.push(String::from_utf8_lossy(data).into_owned());
    }
}

impl Tui {
    /// Starts the kubedeck binary with `args` in a 120x30 terminal; `KUBECONFIG` is set to
    /// `kubeconfig` and HOME to an empty folder so nothing of the developer's leaks in.
    pub fn spawn(args: &[&str], kubeconfig: &Path) -> Tui {
        Self::spawn_with_env(args, kubeconfig, &[])
    }

    /// kubedeck on the pods of all namespaces at the benchmarks' 200x50, with only KUBECONFIG
    /// set: a first launch, as a user would start it.
    pub fn spawn_all_namespaces(kubeconfig: &Path) -> Tui {
        let program = Path::new(env!("CARGO_BIN_EXE_kubedeck"));
        Self::spawn_program(program, &["-A"], &[("KUBECONFIG", kubeconfig.as_os_str())], 200, 50)
    }

    /// As `spawn`, with more environment variables (set after the defaults, so they win).
    pub fn spawn_with_env(args: &[&str], kubeconfig: &Path, extra: &[(&str, &OsStr)]) -> Tui {
        let home = std::env::temp_dir().join("kubedeck-test-home");
        std::fs::create_dir_all(&home).expect("creating the test HOME");
        let mut env = vec![("KUBECONFIG", kubeconfig.as_os_str()), ("HOME", home.as_os_str())];
        env.extend_from_slice(extra);
        Tui::spawn_program(Path::new(env!("CARGO_BIN_EXE_kubedeck")), args, &env, 120, 30)
    }

    /// Starts any terminal program (kubedeck or a peer in the benchmarks) in a `cols`x`rows`
    /// terminal with `env` added to this process's environment and TERM=xterm-256color.
    pub fn spawn_program(program: &Path, args: &[&str], env: &[(&str, &OsStr)], cols: u16, rows: u16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("opening a pty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("starting {} in the pty: {e}", program.display()));
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let screen = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            rows,
            cols,
            0,
            Escapes::default(),
        )));
        let feed = Arc::clone(&screen);
        let answer = Arc::clone(&writer);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut parser = feed.lock().unwrap();
                parser.process(&buf[..n]);
                // A real terminal answers "where is the cursor?" (ESC [ 6 n); programs that ask
                // (crossterm's cursor::position, used by kdash) give up without the answer.
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = parser.screen().cursor_position();
                    let reply = format!("\x1b[{};{}R", row + 1, col + 1);
                    let _ = answer.lock().unwrap().write_all(reply.as_bytes());
                }
            }
        });
        Tui {
            master: pair.master,
            child,
            writer,
            screen,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Titles and clipboard writes the program sent so far.
    pub fn escapes(&self) -> Escapes {
        self.screen.lock().unwrap().callbacks().clone()
    }

    pub fn alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    /// Whether the terminal is back on the main screen, allowing the reader a moment to see the
    /// last bytes kubedeck wrote before it exited.
    pub fn left_alternate_screen(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(3);
        while self.alternate_screen() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Waits until the screen contains every one of `needles`; panics with the screen if not.
    pub fn wait_for(&self, needles: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.contents();
            if needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {needles:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls the screen every 10 ms until `done` holds on its text; None after `timeout`. For
    /// benchmarks, where a tool that never gets there is a result, not a failure.
    pub fn poll_until(&self, timeout: Duration, done: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.contents();
            if done(&text) {
                return Some(text);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Ends the program with SIGKILL, for one that does not quit when asked.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn type_str(&mut self, keys: &str) {
        let mut writer = self.writer.lock().unwrap();
        writer.write_all(keys.as_bytes()).expect("writing to the pty");
        writer.flush().unwrap();
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    pub fn signal(&self, signal: i32) {
        let pid = self.child.process_id().expect("child pid") as i32;
        // SAFETY: plain kill(2) on our own child.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for kubedeck to exit and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for kubedeck") {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("kubedeck did not exit within {timeout:?}; screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True when the terminal is back in cooked mode: line buffering and echo on.
    pub fn is_cooked(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("pty fd");
        // SAFETY: tcgetattr fills a zeroed termios for a valid fd we own.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr on the pty");
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
    }
}
