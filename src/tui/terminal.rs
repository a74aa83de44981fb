//! The real terminal: raw mode and the alternate screen, put back however we leave, and the
//! inputs both loops wait on (keys, mouse, resizes, signals and a ticker).

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEvent, MouseEvent};
use futures::StreamExt;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::time::{Interval, MissedTickBehavior};

/// Puts the terminal back however we leave: normal return, error, or unwinding panic.
pub(crate) struct TerminalGuard {
    mouse: bool,
}

/// The terminal the dashboard and `kubedeck setup` draw on. A frame goes out through a buffer
/// that holds a whole screen, in one or two writes: Stdout's own buffer holds 1 KiB, so a busy
/// 200x50 frame was forty writes to the terminal.
pub(crate) type Term = ratatui::Terminal<TtyBackend>;

type Crossterm = ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>;

/// crossterm's backend, with the window size read from a /dev/tty opened once. ratatui asks for
/// the size before every frame (that is how it follows resizes), and crossterm opens and closes
/// /dev/tty for each ask: two thirds of the syscalls of a frame.
pub(crate) struct TtyBackend {
    inner: Crossterm,
    /// None where there is no /dev/tty; crossterm's own query (on stdout) is used then.
    tty: Option<std::fs::File>,
}

impl ratatui::backend::Backend for TtyBackend {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> std::io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> std::io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> std::io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> std::io::Result<ratatui::layout::Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<ratatui::layout::Position>>(&mut self, position: P) -> std::io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> std::io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> std::io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        match &self.tty {
            Some(tty) => {
                let size = rustix::termios::tcgetwinsize(tty)?;
                Ok(ratatui::layout::Size::new(size.ws_col, size.ws_row))
            }
            None => self.inner.size(),
        }
    }

    fn window_size(&mut self) -> std::io::Result<ratatui::backend::WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> std::io::Result<()> {
        ratatui::backend::Backend::flush(&mut self.inner)
    }
}

/// Clears the screen and makes the next frame write every cell. Not ratatui's
/// `Terminal::clear`: that first asks the terminal where its cursor is, and right after a shell
/// has given the terminal back the answer can be lost or late, which ended the dashboard with
/// "The cursor position could not be read within a normal duration".
pub(crate) fn clear_for_repaint(terminal: &mut Term) -> std::io::Result<()> {
    ratatui::backend::Backend::clear_region(terminal.backend_mut(), ratatui::backend::ClearType::All)?;
    // Both buffers blank: the next frame differs from "nothing" in every cell it draws.
    terminal.swap_buffers();
    Ok(())
}

/// Bytes buffered before a write: most frames fit, a bigger one takes a second write.
const FRAME_BUFFER: usize = 64 * 1024;

/// Raw mode and the alternate screen (and the mouse when asked), undone when the guard drops.
/// The dashboard and `kubedeck setup` both start here.
pub(crate) fn init_terminal(mouse: bool) -> Result<(Term, TerminalGuard)> {
    // Raw mode, the alternate screen and the panic hook that puts them back, as ratatui sets
    // them up; its own terminal, which writes unbuffered, is not used.
    drop(ratatui::try_init().wrap_err("kubedeck needs an interactive terminal; could not set it up")?);
    let guard = TerminalGuard { mouse };
    let out = std::io::BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout());
    let backend = TtyBackend {
        inner: ratatui::backend::CrosstermBackend::new(out),
        tty: std::fs::File::open("/dev/tty").ok(),
    };
    let terminal =
        ratatui::Terminal::new(backend).wrap_err("kubedeck needs an interactive terminal; could not set it up")?;
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture).wrap_err("enabling the mouse")?;
    }
    Ok((terminal, guard))
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        }
        ratatui::restore();
    }
}

/// What the user, the system or the clock did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    Key(KeyEvent),
    /// Only when the mouse is enabled.
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The ticker's beat.
    Tick,
    /// SIGTERM, SIGINT, SIGHUP, or the terminal going away.
    Quit,
}

/// The terminal's events, the signals that end us, and a ticker, read as one stream of `Input`s.
pub(crate) struct Inputs {
    /// None while a shell owns the terminal's input (`pause`).
    events: Option<EventStream>,
    sigterm: Signal,
    sigint: Signal,
    sighup: Signal,
    ticker: Interval,
}

impl Inputs {
    /// Starts listening; the ticker beats every `tick`, the first time at once.
    pub(crate) fn new(tick: Duration) -> Result<Inputs> {
        let events = EventStream::new();
        let sigterm = signal(SignalKind::terminate()).wrap_err("installing the SIGTERM handler")?;
        let sigint = signal(SignalKind::interrupt()).wrap_err("installing the SIGINT handler")?;
        let sighup = signal(SignalKind::hangup()).wrap_err("installing the SIGHUP handler")?;
        let mut ticker = tokio::time::interval(tick);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        Ok(Inputs {
            events: Some(events),
            sigterm,
            sigint,
            sighup,
            ticker,
        })
    }

    /// Waits for the next input; terminal events neither loop uses (focus, paste) are skipped.
    /// Cancel-safe, so it can be one branch of a `select!`.
    pub(crate) async fn next(&mut self) -> Input {
        loop {
            let next_event = async {
                match self.events.as_mut() {
                    Some(events) => events.next().await,
                    None => std::future::pending().await,
                }
            };
            let input = tokio::select! {
                event = next_event => match event {
                    Some(Ok(Event::Key(key))) => Input::Key(key),
                    Some(Ok(Event::Mouse(mouse))) => Input::Mouse(mouse),
                    Some(Ok(Event::Resize(width, height))) => Input::Resize { width, height },
                    Some(Ok(_)) => continue,
                    // The terminal is gone: nothing more to show.
                    Some(Err(_)) | None => Input::Quit,
                },
                _ = self.ticker.tick() => Input::Tick,
                _ = self.sigterm.recv() => Input::Quit,
                _ = self.sigint.recv() => Input::Quit,
                _ = self.sighup.recv() => Input::Quit,
            };
            return input;
        }
    }

    /// Stops reading the terminal, so a shell can have every byte typed: dropping crossterm's
    /// event stream stops its reader thread.
    pub(crate) fn pause(&mut self) {
        self.events = None;
    }

    /// Reads the terminal's events again after `pause`.
    pub(crate) fn resume(&mut self) {
        self.events = Some(EventStream::new());
    }
}
