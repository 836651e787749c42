//! Mounts the dashboard; everything it shows is in the library.

fn main() {
    leptos::mount::mount_to_body(example_leptos::App);
}
