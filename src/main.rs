fn main() {
    std::process::exit(tenantlint::cli::main());
}
