//! kubedeck in a pseudo-terminal, read back through a vt100 parser like a person would see it.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Tui {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser<Escapes>>>,
}

/// What kubedeck asked the terminal to do besides drawing: window titles and clipboard writes.
/// A dashboard that draws cluster text safely never asks for either.
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

    /// As `spawn`, with more environment variables (set after the defaults, so they win).
    pub fn spawn_with_env(args: &[&str], kubeconfig: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("opening a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kubedeck"));
        cmd.args(args);
        cmd.env("KUBECONFIG", kubeconfig);
        let home = std::env::temp_dir().join("kubedeck-test-home");
        std::fs::create_dir_all(&home).expect("creating the test HOME");
        cmd.env("HOME", home);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("starting kubedeck in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            30,
            120,
            0,
            Escapes::default(),
        )));
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
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

    /// Titles and clipboard writes kubedeck sent so far.
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

    pub fn type_str(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("writing to the pty");
        self.writer.flush().unwrap();
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
