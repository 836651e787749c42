//! The React and Vue examples, built the way a partner builds them: their own toolchain from
//! npm (the versions their `package.json` and lock file pin), the widget from the tarball.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{cmd, describe, step, Result};

/// One example's type checker and the fixture that must not type-check.
struct Example {
    /// The type checker in `node_modules/.bin`.
    checker: &'static str,
    /// The fixture's tsconfig and the prop its deliberate mistake is on.
    fixture_config: &'static str,
    wrong_prop: &'static str,
}

fn example_for(name: &str) -> Result<Example> {
    match name {
        "react" => Ok(Example {
            checker: "tsc",
            fixture_config: "tsconfig.fixtures.json",
            wrong_prop: "timeoutMs",
        }),
        "vue" => Ok(Example {
            checker: "vue-tsc",
            fixture_config: "tsconfig.fixtures.json",
            wrong_prop: "timeoutMs",
        }),
        other => Err(format!("no example named {other:?} (react or vue)").into()),
    }
}

/// Installs the packed widget into `examples/<name>`, type-checks the app, checks the
/// wrong-prop fixture fails on its prop, and builds it; returns `examples/<name>/dist`.
pub fn example(root: &Path, name: &str) -> Result<PathBuf> {
    crate::tools::setup_path();
    let example = example_for(name)?;
    let dir = root.join("examples").join(name);
    install(root, name, &dir)?;

    let checker = dir.join("node_modules/.bin").join(example.checker);
    step(&format!("examples/{name}: {} --noEmit", example.checker));
    cmd(Command::new(&checker)
        .current_dir(&dir)
        .args(["--noEmit", "-p", "tsconfig.json"]))?;

    step(&format!(
        "examples/{name}: the wrong-prop fixture must fail on `{}`",
        example.wrong_prop
    ));
    let mut fixture = Command::new(&checker);
    fixture.current_dir(&dir).args([
        "--noEmit",
        "--pretty",
        "false",
        "-p",
        example.fixture_config,
    ]);
    let out = fixture
        .output()
        .map_err(|e| format!("{}: {e}", describe(&fixture)))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    wrong_prop_reported(&dir, &text, out.status.success(), example.wrong_prop)
        .map_err(|e| format!("examples/{name}: {e}"))?;

    step(&format!("examples/{name}: vite build"));
    cmd(Command::new(dir.join("node_modules/.bin/vite"))
        .current_dir(&dir)
        .arg("build"))?;
    Ok(dir.join("dist"))
}

/// Installs `examples/<name>`'s own packages from its lock file, and the packed widget.
fn install(root: &Path, name: &str, dir: &Path) -> Result<()> {
    let tgz = super::tarball(root)?;
    if !tgz.is_file() {
        return Err(format!(
            "{} is missing: run `cargo xtask package` first",
            tgz.display()
        )
        .into());
    }
    step(&format!(
        "examples/{name}: npm install (the widget from {})",
        tgz.display()
    ));
    // The app's package.json asks for the widget as a partner would (`^<version>` from the
    // registry); the tarball stands in for it without touching package.json or the lock file,
    // which pin everything else.
    cmd(Command::new("npm")
        .current_dir(dir)
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefer-offline",
        ])
        .arg(&tgz))?;
    Ok(())
}

/// Installs the packed widget into `examples/webpack` and bundles it with webpack 5's
/// defaults (no configuration file): `src/index.js` into `dist/main.js`, the widget's files
/// beside it. Returns `dist`, with the page's `index.html` copied in.
pub fn webpack(root: &Path) -> Result<PathBuf> {
    crate::tools::setup_path();
    let dir = root.join("examples/webpack");
    install(root, "webpack", &dir)?;
    step("examples/webpack: webpack --mode production (no configuration file)");
    cmd(Command::new(dir.join("node_modules/.bin/webpack"))
        .current_dir(&dir)
        .args(["--mode", "production", "--no-stats"]))?;
    let dist = dir.join("dist");
    std::fs::copy(dir.join("index.html"), dist.join("index.html"))?;
    Ok(dist)
}

/// Whether the checker failed with an error at the fixture's wrong prop: one whose message
/// names it, or whose position (`file(line,col)`) is where the fixture writes it.
fn wrong_prop_reported(dir: &Path, output: &str, success: bool, prop: &str) -> Result<()> {
    if success {
        return Err(
            format!("the wrong-prop fixture type-checked: `{prop}` is no longer checked").into(),
        );
    }
    let errors: Vec<&str> = output.lines().filter(|l| l.contains("error TS")).collect();
    let at_prop = |line: &&str| -> bool {
        if line.contains(&format!("'{prop}'")) || line.contains(&format!("\"{prop}\"")) {
            return true;
        }
        // `type-fixtures/wrong-prop.tsx(12,7): error TS2322: …`
        let Some((file, rest)) = line.split_once('(') else {
            return false;
        };
        let Some((position, _)) = rest.split_once(')') else {
            return false;
        };
        let mut numbers = position
            .split(',')
            .filter_map(|n| n.trim().parse::<usize>().ok());
        let (Some(row), Some(col)) = (numbers.next(), numbers.next()) else {
            return false;
        };
        std::fs::read_to_string(dir.join(file.trim()))
            .ok()
            .and_then(|source| source.lines().nth(row - 1).map(str::to_owned))
            .and_then(|source_line| {
                // Vue's `:prop` and `.prop` bindings: the error may point at the colon.
                let at = source_line.get(col - 1..)?;
                Some(at.trim_start_matches([':', '.']).starts_with(prop))
            })
            .unwrap_or(false)
    };
    if errors.iter().any(at_prop) {
        Ok(())
    } else {
        Err(format!(
            "the wrong-prop fixture failed, but not on `{prop}`:\n{}",
            errors.join("\n")
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_check_wants_an_error_on_the_prop() {
        let dir = std::env::temp_dir().join(format!("moov-fixture-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("f")).unwrap();
        std::fs::write(dir.join("f/a.tsx"), "x\n  <el timeoutMs=\"soon\" />\n").unwrap();
        let on_prop =
            "f/a.tsx(2,7): error TS2322: Type 'string' is not assignable to type 'number'.";
        assert!(wrong_prop_reported(&dir, on_prop, false, "timeoutMs").is_ok());
        let named = "f/a.tsx(9,1): error TS2353: Object literal may only specify known properties, and 'timeoutMs' does not exist";
        assert!(wrong_prop_reported(&dir, named, false, "timeoutMs").is_ok());
        let elsewhere = "f/a.tsx(1,1): error TS2304: Cannot find name 'x'.";
        assert!(wrong_prop_reported(&dir, elsewhere, false, "timeoutMs").is_err());
        assert!(wrong_prop_reported(&dir, "", true, "timeoutMs").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
