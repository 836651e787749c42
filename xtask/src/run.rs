//! Running commands to completion, and the small helpers every command shares.

use std::net::TcpListener;
use std::process::Command;

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

pub fn describe(command: &Command) -> String {
    let mut s = command.get_program().to_string_lossy().into_owned();
    for a in command.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A loopback address with a port nobody is using right now.
pub fn free_addr() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}
