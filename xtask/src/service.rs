//! The one guard for every long-lived child process (the proxy, the sandbox, trunk, nginx,
//! the browser drivers): it is killed when the guard is dropped, so a failing check never
//! leaves a server behind, and it can be waited for until it serves.

use std::fs::File;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::http;
use crate::run::{describe, Result};

/// A running child process, killed on drop.
pub struct Service {
    name: &'static str,
    child: Child,
    /// Where its standard output and error go, when not to the terminal.
    log: Option<PathBuf>,
}

impl Service {
    /// Starts `command` with the standard streams it was given (the terminal by default).
    pub fn start(name: &'static str, command: &mut Command) -> Result<Service> {
        let child = command
            .spawn()
            .map_err(|e| format!("starting {name} (`{}`): {e}", describe(command)))?;
        Ok(Service {
            name,
            child,
            log: None,
        })
    }

    /// Starts `command` with its standard output and error both written to `log`, for a
    /// process whose output would bury the progress lines or must be read afterwards.
    pub fn start_logged(name: &'static str, command: &mut Command, log: &Path) -> Result<Service> {
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        command.stdout(out.try_clone()?).stderr(out);
        let mut service = Service::start(name, command)?;
        service.log = Some(log.to_owned());
        Ok(service)
    }

    /// Starts `command` with its output discarded (a browser driver's chatter).
    pub fn start_quiet(name: &'static str, command: &mut Command) -> Result<Service> {
        Service::start(name, command.stdout(Stdio::null()).stderr(Stdio::null()))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status, once it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until `addr` accepts TCP connections, for servers without a health route (the
    /// sandbox, nginx). A connection is all that is asked, so no HTTP is spoken.
    pub fn wait_listening(&mut self, addr: &str, within: Duration) -> Result<()> {
        self.wait_until(&format!("listen on {addr}"), within, || {
            TcpStream::connect(addr).is_ok()
        })
    }

    /// Waits until a GET of `url` is answered with a success status: the proxy's
    /// `/healthz`, a WebDriver's `/status`.
    pub fn wait_healthy(&mut self, url: &str, within: Duration) -> Result<()> {
        let agent = http::agent();
        self.wait_until(&format!("answer {url}"), within, || {
            http::get(&agent, url, &[]).is_ok_and(|r| (200..300).contains(&r.status))
        })
    }

    /// Polls `ready` every 100 ms until it holds; fails if the process exits first or
    /// `within` runs out, naming the log to read.
    fn wait_until(
        &mut self,
        what: &str,
        within: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<()> {
        let deadline = Instant::now() + within;
        let log = self
            .log
            .as_ref()
            .map(|l| format!(" (its output: {})", l.display()))
            .unwrap_or_default();
        while Instant::now() < deadline {
            if let Some(status) = self.exited() {
                return Err(format!("{} exited early ({status}){log}", self.name).into());
            }
            if ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("{} did not {what} within {within:?}{log}", self.name).into())
    }

    /// Waits for the process to end by itself (a dev server stopped with Ctrl-C).
    pub fn wait(&mut self) -> Result<()> {
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
