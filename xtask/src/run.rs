//! Running child processes, and stopping the long-lived ones whatever happens.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Prints a progress line.
pub fn step(message: &str) {
    println!("==> {message}");
}

/// Runs a command to completion; a non-zero exit is an error naming the command.
pub fn cmd(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)).into())
    }
}

/// Runs a command and returns its standard output.
pub fn output(command: &mut Command) -> Result<String> {
    let out = command.output()?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", describe(command), out.status).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(command: &Command) -> String {
    let mut s = command.get_program().to_string_lossy().into_owned();
    for a in command.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A child process that is killed when this value is dropped, so a failing test never
/// leaves a server behind.
pub struct Service {
    name: &'static str,
    child: Child,
}

impl Service {
    pub fn start(name: &'static str, command: &mut Command) -> Result<Service> {
        let child = command
            .spawn()
            .map_err(|e| format!("starting {name}: {e}"))?;
        Ok(Service { name, child })
    }

    /// Waits until `addr` accepts connections, failing if the process exits first.
    pub fn wait_listening(&mut self, addr: &str, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("{} exited early ({status})", self.name).into());
            }
            if TcpStream::connect(addr).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("{} did not listen on {addr} within {within:?}", self.name).into())
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

/// A loopback address with a port nobody is using right now.
pub fn free_addr() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}
