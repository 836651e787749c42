//! The embeddable bundle: loading it registers `<moov-support-form>`.

fn main() {
    moov_support::web::embed::register();
}
