fn main() -> std::process::ExitCode {
    moov_support_proxy::cli::main()
}
